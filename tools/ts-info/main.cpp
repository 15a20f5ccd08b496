// ts-info: the facts of media files, URLs and TSPCM streams as JSON Lines, without decoding.
#include "cli/groups.hpp"
#include "cli/tool.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "decode/media_info.hpp"
#include "io/output.hpp"
#include "pcm/header.hpp"

#include <algorithm>
#include <vector>

namespace {

ts::cli::Spec spec() {
    return {
        "ts-info",
        "describe media files and TSPCM streams as JSON",
        {"[OPTIONS] [INPUT...]"},
        "Reads each INPUT in turn (a media file, an http(s) URL, or - for stdin, the default) "
        "and prints what it is as one JSON object on one line, so several inputs give JSON "
        "Lines. Only headers and the container are read, never the whole audio: libavformat "
        "probes media files, a TSPCM stream (recognised by its magic, see ts-pcm(5)) is "
        "described by its header, and headerless PCM by the --input-* options.\n\n"
        "Keys, always present in this order (null when unknown):\n"
        "  source          the argument as given, - for stdin\n"
        "  container       FFmpeg's demuxer name (wav, mp3, ogg, flac,\n"
        "                  mov,mp4,m4a,3gp,3g2,mj2, ...); tspcm; f32le or s16le for raw\n"
        "  codec           FFmpeg's codec name (mp3, flac, opus, pcm_s16le, ...)\n"
        "  codec_long      its long name\n"
        "  sample_format   FFmpeg's sample format name (s16, s32, flt, fltp, ...)\n"
        "  bits_per_sample bits of a stored sample, for codecs that have one\n"
        "  rate            sample rate in Hz\n"
        "  channels        number of channels\n"
        "  channel_layout  FFmpeg's layout name (mono, stereo, 5.1, ...)\n"
        "  duration        length in seconds\n"
        "  duration_exact  true when duration is frames / rate (see below)\n"
        "  frames          the exact length in frames, null unless duration_exact\n"
        "  bit_rate        bits per second of the audio stream, else of the container\n"
        "  size            bytes of a regular file\n"
        "  streams         number of audio streams\n"
        "  stream          which one is described, counted from 0 as --stream counts\n"
        "  video           true when there is a video stream (cover pictures aside)\n"
        "  tags            the container's then the stream's tags, named as the tag.NAME\n"
        "                  keys of TSPCM: lower case, other characters than letters,\n"
        "                  digits, _ - . made _\n"
        "  sha1            SHA-1 of the input's own bytes; null for stdin, URLs, --no-sha1\n"
        "\n"
        "A TSPCM input adds its header's keys: origin (the source key: what the stream was "
        "decoded from), source_sha1 (the sha1 key: the hash of that origin, not of the "
        "stream), start (seconds) and history (an array of lines). Its codec is pcm_f32le "
        "or pcm_s16le; channel_layout is null, TSPCM has none.\n\n"
        "Duration rule: duration_exact is true, and frames given, when the length is known "
        "before decoding: from the header of PCM (wav, aiff, ...) and FLAC, and for other "
        "codecs read from a regular file from a demux-only pass that sums packet durations "
        "less the encoder delay and padding, when every packet states its duration (mp3 "
        "does; ogg and m4a edit lists may not): the count ts-decode will output. A file "
        "holding less than its header declares is an error (truncated). Otherwise (other "
        "codecs on a pipe or a URL, video files) duration is the container's estimate, or "
        "null when it has none, and duration_exact is false. TSPCM and raw input: the "
        "frames key, or for a regular file the size of the samples; on a pipe with frames "
        "unknown, duration is null.\n\n"
        "A failing input is reported on stderr as ts-info: error: INPUT: why, and the next "
        "one is read; the exit status is the highest of the failures. With -o, the file "
        "holds the lines of the inputs described and appears only when at least one was.",
        {},
        {{"ts-info song.mp3", "one line of facts"},
         {"ts-info *.flac | jq -r .duration", "the duration of every flac file"},
         {"ts-info --no-sha1 --text -- *.wav", "a quick aligned view for people"},
         {"ts-decode song.mp3 | ts-info", "describe a TSPCM stream on stdin"},
         {"ts-info --input-raw --input-rate 48000 --input-channels 2 a.f32",
          "headerless float samples: duration from the file size"}},
        {{0, "every input was described"},
         {1, "an input could not be read or described (the others were still reported)"},
         {2, "a usage error: an unknown option, a bad value, or --stream N beyond an "
             "input's audio streams"},
         {130, "interrupted by SIGINT or SIGTERM; no output file is left"}},
        "ts-decode(1), ts-pcm(5), ffprobe(1), jq(1)",
    };
}

struct Options {
    std::vector<std::string> inputs{"-"};
    std::string output = "-";
    bool text = false;
    bool no_sha1 = false;
    int stream = -1;
    ts::cli::RawInput raw;
    ts::cli::Verbosity verbosity;
};

using Json = nlohmann::ordered_json;

std::string plain(const Json &v) {
    if (v.is_null())
        return "-";
    if (v.is_string())
        return ts::pcm::escape_value(v.get<std::string>());
    return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Key: value lines with the values aligned; objects flattened (tag.NAME), arrays repeated.
std::string text_view(const Json &j) {
    std::vector<std::pair<std::string, std::string>> lines;
    for (const auto &[k, v] : j.items()) {
        if (v.is_object())
            for (const auto &[tk, tv] : v.items())
                lines.emplace_back("tag." + tk, plain(tv));
        else if (v.is_array())
            for (const auto &e : v)
                lines.emplace_back(k, plain(e));
        else
            lines.emplace_back(k, plain(v));
    }
    std::size_t width = 0;
    for (const auto &l : lines)
        width = std::max(width, l.first.size());
    std::string out;
    for (const auto &[k, v] : lines)
        out += k + ":" + std::string(width - k.size() + 1, ' ') + v + "\n";
    return out;
}

int run(const Options &o) {
    ts::decode::InfoOptions options{o.raw, o.stream, !o.no_sha1};
    ts::io::Output out(o.output, false);
    int status = ts::exit_ok;
    int described = 0;
    for (const auto &input : o.inputs) {
        std::string record;
        try {
            Json j = ts::decode::to_json(ts::decode::media_info(input, options));
            record = o.text ? text_view(j)
                            : j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
        } catch (const ts::Error &e) {
            ts::log::error(e);
            status = std::max(status, e.status());
            continue;
        }
        if (o.text && described > 0)
            out.write("\n");
        out.write(record);
        out.flush(); // each line as soon as it is known, for long runs piped into jq
        ++described;
    }
    if (described > 0)
        out.commit();
    return status;
}

} // namespace

int main(int argc, char **argv) {
    ts::cli::Tool tool(spec());
    Options o;
    auto &app = tool.app();
    app.add_option("INPUT", o.inputs, "media files, URLs, or - for stdin")->capture_default_str();
    ts::cli::add_output(app, o.output, "the facts");
    app.add_flag("--text", o.text,
                 "print aligned key: value lines instead (tags as tag.NAME, - for "
                 "null), a blank line between inputs")
        ->group("Output");
    app.add_flag("--no-sha1", o.no_sha1, "do not hash the input files (sha1 is null)")
        ->group("Output");
    app.add_option("--stream", o.stream,
                   "describe the Nth audio stream (from 0) instead of the best")
        ->check(CLI::Range(0, 1000))
        ->type_name("N")
        ->group("Input");
    ts::cli::add_raw_input(tool, o.raw);
    ts::cli::add_verbosity(tool, o.verbosity);
    return tool.run(argc, argv, [&] { return run(o); });
}
