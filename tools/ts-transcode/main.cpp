// ts-transcode: any audio input to wav, aiff, flac, mp3, ogg/vorbis, opus, m4a/aac or webm.
#include "analyze/normalize.hpp"
#include "cli/groups.hpp"
#include "cli/tool.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "decode/read_ahead.hpp"
#include "decode/source.hpp"
#include "encode/encoder.hpp"
#include "io/output.hpp"
#include "io/progress.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <sys/stat.h>
#include <vector>

namespace {

ts::cli::Spec spec() {
    return {
        "ts-transcode",
        "encode any audio input to wav, aiff, flac, mp3, ogg, opus, m4a, aac or webm",
        {"[OPTIONS] [INPUT]... -o OUTPUT", "[OPTIONS] -f FORMAT [INPUT] > OUTPUT"},
        "Reads each INPUT (a media file, an http(s) URL, a TSPCM stream, headerless samples "
        "with --input-raw, or - for stdin, the default) and encodes its audio with FFmpeg's "
        "encoders and muxers. The format is -f FORMAT, or else the extension of -o.\n\n"
        "Formats and their defaults:\n\n"
        "  wav   PCM, 16 or 24-bit as the source (--bits 16, 24, or 32 for 32-bit float)\n"
        "  aiff  PCM, 16 or 24-bit as the source (--bits 16, 24)\n"
        "  flac  FLAC, 16 or 24-bit as the source (--bits 16, 24)\n"
        "  mp3   LAME, VBR quality 2 (V2, about 190 kb/s); --quality 0-9, --bitrate for CBR\n"
        "  ogg   Vorbis, quality 6 (about 192 kb/s); --quality -1 to 10, --bitrate\n"
        "  opus  Opus in Ogg, 128 kb/s VBR; --bitrate 6 to 256 kb/s per channel (CBR)\n"
        "  m4a   AAC in MP4, 192 kb/s; --bitrate\n"
        "  aac   AAC in ADTS, 192 kb/s; --bitrate\n"
        "  webm  Opus in WebM, 128 kb/s VBR; --bitrate\n\n"
        "Integer samples are round(x * 2^(bits-1)), clipped: the inverse of decoding, so the "
        "lossless formats give back a 16- or 24-bit signal bit for bit. Without --bits, an integer "
        "source of more than 16 bits (24-bit FLAC or WAV, 32-bit PCM) is written with 24, any "
        "other source (16-bit, float such as a TSPCM f32le stream, lossy) with 16.\n\n"
        "Loudness: --normalize LUFS measures the integrated loudness (ITU-R BS.1770-4, as "
        "ts-analyze -a loudness) and true peak of exactly what is to be encoded (after "
        "--rate, --channels, --start and --duration), then encodes it with the one gain that "
        "brings it to LUFS: -16 suits the web and podcasts, -23 EBU R128 broadcast. The gain "
        "is lowered, with a warning saying the loudness reached, when the true peak would "
        "rise above --true-peak (default -1 dBTP): the sound is never compressed or limited. "
        "A silent input is encoded unchanged, with a warning. The input is read twice, so "
        "--normalize takes files and URLs, not stdin.\n\n"
        "Rates: an encoder that cannot take the input's rate gets it resampled to the nearest "
        "rate it takes above it (opus: always 48000 Hz; mp3: 8000 to 48000 Hz); --verbose says so.\n\n"
        "Tags: the input's tags (tag.NAME in TSPCM, the container's tags of a media file) are "
        "written into the output; --tag KEY=VALUE adds or overrides one, --no-tags drops the "
        "input's. AIFF holds only title, author, copyright and comment.\n\n"
        "Streaming: -o - (stdout, the default) is written as it goes, in bounded memory, for "
        "flac, mp3, ogg, opus, aac, webm and m4a (a fragmented MP4 on a pipe: an empty moov, "
        "then a fragment per second); wav and aiff complete their header at the end and need "
        "-o FILE (exit status 2 otherwise). An mp3 on a pipe starts with a LAME header as in a "
        "file, holding the encoder's delay and, when the input's length is known at the start, "
        "the frame count and padding; its byte count and seek table, known only at the end, stay "
        "empty.",
        {{"Timing",
          "Encoder delay and padding are recorded where the container can hold them, so "
          "ts-decode (FFmpeg 5.1's decoding) gives back the input's length, measured on a 1 s "
          "sine at 44.1 and 48 kHz (tests/cli/transcode.sh):\n\n"
          "  wav, aiff, flac  exact, and the samples bit for bit at 16 and 24 bits\n"
          "  mp3   exact (LAME header), on a pipe too; on a pipe from an input of\n"
          "        unknown length (headerless, or a TSPCM stream without frames) the\n"
          "        start exact, 47 to 1198 frames of padding at the end (at 32 kHz\n"
          "        and up; 47 to 622 below)\n"
          "  opus  exact (pre-skip and end granule), ogg or webm\n"
          "  ogg   exact in the file (libvorbis's own decoder, as in sox, gives\n"
          "        every frame); FFmpeg 5.1 decodes up to 128 frames fewer at the end\n"
          "  m4a   the start exact (edit list); FFmpeg 5.1 keeps the last frame's\n"
          "        padding, up to 1023 frames more at the end\n"
          "  aac   (ADTS) records neither: 1024 frames of priming at the start and up\n"
          "        to 1023 of padding at the end\n\n"
          "Lossy formats keep the level within 0.5 dB and the frequency within 1 Hz at their "
          "default quality."}},
        {{"ts-transcode song.flac -o song.mp3", "mp3 at VBR V2, the flac's tags kept"},
         {"ts-transcode --bitrate 96 --tag title=Intro song.wav -o song.opus",
          "opus at 96 kb/s with a title"},
         {"ts-decode --start 60 --duration 30 song.flac | ts-transcode -f ogg > clip.ogg",
          "a 30 s excerpt as ogg/vorbis from a pipe"},
         {"ts-transcode --bits 24 --rate 48000 take.m4a -o take.wav", "24-bit wav at 48 kHz"},
         {"ts-transcode --normalize -16 --bitrate 128 lecture.flac -o lecture.mp3",
          "a web preview at -16 LUFS, true peak under -1 dBTP"},
         {"ts-transcode --channels 2 film-5.1.wav -o film.mp3",
          "a 5.1 mix downmixed to stereo (ITU-R BS.775, as ffmpeg -ac 2)"}},
        {},
        "ts-decode(1), ts-info(1), ts-pcm(5)",
    };
}

struct Options {
    std::vector<std::string> inputs{"-"};
    std::string output = "-";
    std::string format;
    ts::cli::RawInput raw_in;
    int bitrate = 0; // kb/s
    std::optional<double> quality;
    int bits = 0;
    ts::cli::Shaping shaping;
    std::vector<std::string> tags;
    bool no_tags = false;
    std::optional<double> normalize; // target LUFS
    double true_peak = -1.0;         // dBTP ceiling of the normalisation
    ts::cli::Verbosity verbosity;
};

const ts::encode::Format &pick_format(const Options &o) {
    if (!o.format.empty()) {
        if (auto *f = ts::encode::find_format(o.format))
            return *f;
        throw ts::UsageError("unknown format '" + o.format + "' (formats: " +
                             ts::encode::format_names() + ")");
    }
    if (auto *f = ts::encode::format_for_path(o.output))
        return *f;
    if (o.output == "-")
        throw ts::UsageError("writing to stdout: give the format with -f (" +
                             ts::encode::format_names() + ")");
    throw ts::UsageError(o.output + ": no known extension; give the format with -f (" +
                         ts::encode::format_names() + ")");
}

void transcode(const Options &o, const std::string &input, const std::string &output,
               const ts::encode::Format &format) {
    ts::decode::OpenOptions open{o.raw_in, -1, false};
    auto source = ts::decode::open(input, open);
    const ts::pcm::Header &in = source->header();
    const ts::cli::Shaping &sh = o.shaping;
    int channels = sh.out_channels() ? sh.out_channels() : in.channels;
    // Lossless outputs keep an integer source's depth: 24 bits for sources of more than 16
    // (24-bit FLAC, 24 or 32-bit PCM), 16 otherwise (16-bit, float, lossy).
    int bits = o.bits;
    if (!bits && format.lossless && !format.bits.empty())
        bits = source->bits() > 16 ? 24 : 16;
    ts::encode::Settings s{&format, o.bitrate * 1000, o.quality, bits, {}};
    ts::encode::check(s, channels, output == "-");
    int wanted = sh.rate ? sh.rate : in.rate;
    int rate = ts::encode::supported_rate(format, wanted);
    if (rate != wanted)
        ts::log::verbose(source->name() + ": resampling " + std::to_string(wanted) + " Hz to " +
                         std::to_string(rate) + " Hz, a rate " + format.name + " takes");
    ts::decode::Shape shape{rate, sh.out_channels(), sh.start, sh.length()};
    source = ts::decode::shape(std::move(source), shape);
    float gain = 1.0f;
    if (o.normalize) {
        // First pass: the loudness of exactly what will be encoded.
        auto again = ts::decode::shape(ts::decode::open(input, open), shape);
        const auto facts = ts::analyze::measure_loudness(*again);
        const auto g = ts::analyze::normalize_gain(facts, *o.normalize, o.true_peak);
        gain = static_cast<float>(std::pow(10.0, g.db / 20.0));
        const auto db = [](double v) {
            char b[32];
            std::snprintf(b, sizeof b, "%.1f", v);
            return std::string(b);
        };
        if (!std::isfinite(facts.integrated))
            ts::log::warning(source->name() + ": not normalised: its loudness is not defined "
                             "(silence, shorter than 400 ms, or a rate below 8000 Hz)");
        else if (g.limited)
            ts::log::warning(source->name() + ": normalised to " + db(facts.integrated + g.db) +
                             " LUFS, not " + db(*o.normalize) + ": the gain stops at " +
                             db(g.db) + " dB to keep the true peak at " + db(o.true_peak) +
                             " dBTP");
        ts::log::verbose(source->name() + ": " + db(facts.integrated) + " LUFS, true peak " +
                         db(facts.true_peak) + " dBTP: gain " + db(g.db) + " dB");
    }
    s.frames = source->header().frames;
    // Samples still the source's own (neither resampled nor mixed): their integer size.
    if (rate == in.rate && channels == in.channels)
        s.source_bits = source->bits();
    if (!o.no_tags)
        s.tags = source->header().tags;
    for (const auto &t : o.tags) {
        auto eq = t.find('=');
        std::string k = t.substr(0, eq), v = t.substr(eq + 1);
        std::erase_if(s.tags, [&](const auto &kv) { return kv.first == k; });
        s.tags.emplace_back(k, v);
    }

    ts::io::Output out(output, true);
    if (!out.seekable()) // a named pipe or a device given as -o
        ts::encode::check(s, channels, true);
    ts::encode::Encoder enc(out, s, rate, channels, output == "-" ? "stdout" : output);
    ts::log::verbose(source->name() + ": " + enc.describe());
    // Decoding and shaping run ahead on a thread of their own, the encoder on this one.
    source = ts::decode::read_ahead(std::move(source));
    const std::size_t block = 8192;
    std::vector<float> buf(block * static_cast<std::size_t>(channels));
    ts::io::Progress progress("encoding " + source->name(), source->header().frames,
                              o.verbosity.progress_bar());
    while (std::size_t n = source->read(buf.data(), block)) {
        if (gain != 1.0f)
            for (std::size_t i = 0; i < n * static_cast<std::size_t>(channels); ++i)
                buf[i] *= gain;
        enc.write(buf.data(), n);
        progress.update(enc.frames_written());
    }
    progress.finish();
    enc.finish();
    out.commit();
    ts::log::verbose(source->name() + ": " + std::to_string(enc.frames_written()) + " frames");
}

// Several inputs: -o names a folder (DIR/ or an existing one) or a pattern with {stem}.
std::string output_for(const Options &o, const std::string &input, const ts::encode::Format &f) {
    auto slash = input.rfind('/');
    std::string base = slash == std::string::npos ? input : input.substr(slash + 1);
    std::string stem = input == "-" ? "stdin" : base.substr(0, base.rfind('.') == 0 ? base.size() : base.rfind('.'));
    std::string out = o.output;
    if (auto p = out.find("{stem}"); p != std::string::npos)
        return out.replace(p, 6, stem);
    return out + (out.back() == '/' ? "" : "/") + stem + "." + f.extensions[0];
}

int run(const Options &o) {
    if (o.normalize)
        for (const auto &in : o.inputs)
            if (in == "-")
                throw ts::UsageError("--normalize reads its input twice (measure, then encode): "
                                     "give a file or URL, not stdin");
    for (const auto &t : o.tags)
        if (t.find('=') == std::string::npos || t.find('=') == 0)
            throw ts::UsageError("--tag " + t + ": want KEY=VALUE");
    struct stat sb;
    bool folder = !o.output.empty() && (o.output.back() == '/' ||
                                        (stat(o.output.c_str(), &sb) == 0 && S_ISDIR(sb.st_mode)));
    bool pattern = o.output.find("{stem}") != std::string::npos;
    if (!folder && !pattern) {
        if (o.inputs.size() > 1)
            throw ts::UsageError("several inputs need -o DIR/ or -o PATTERN with {stem}");
        transcode(o, o.inputs[0], o.output, pick_format(o));
        return ts::exit_ok;
    }
    if (o.format.empty() && !pattern)
        throw ts::UsageError("-o " + o.output + " is a folder: give the format with -f");
    const auto &format = pick_format(o);
    // Two inputs of the same stem (song.mp3, song.wav) would write one file: refuse before
    // writing any.
    std::map<std::string, std::string> taken;
    for (const auto &input : o.inputs) {
        const std::string out = output_for(o, input, format);
        if (auto [it, fresh] = taken.emplace(out, input); !fresh)
            throw ts::UsageError(it->second + " and " + input + " would both be written to " +
                                 out + ": transcode them in separate runs, or use -o with a "
                                 "pattern that keeps them apart");
    }
    // The folder (DIR/, or the folders a pattern names), made as mkdir -p would.
    for (const auto &[out, input] : taken) {
        for (auto slash = out.find('/', 1); slash != std::string::npos; slash = out.find('/', slash + 1)) {
            const std::string dir = out.substr(0, slash);
            if (mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST)
                throw ts::Error(dir + ": cannot create the folder: " + std::strerror(errno));
        }
    }
    int status = ts::exit_ok;
    for (const auto &input : o.inputs) {
        try {
            transcode(o, input, output_for(o, input, format), format);
        } catch (const ts::Error &e) { // this input only (a request it cannot meet included)
            ts::log::error(e);
            status = std::max(status, e.status());
        }
    }
    return status;
}

} // namespace

int main(int argc, char **argv) {
    ts::cli::Tool tool(spec());
    Options o;
    auto &app = tool.app();
    app.add_option("INPUT", o.inputs, "media files, URLs, or - for stdin")->capture_default_str();
    ts::cli::add_output(app, o.output, "the encoded file; DIR/ or a {stem} pattern for several");
    const char *enc = "Encoding";
    app.add_option("-f,--format", o.format, "output format (default: by the extension of -o)")
        ->type_name("FORMAT")
        ->group(enc);
    app.add_option("--bitrate", o.bitrate, "constant bitrate in kb/s (lossy formats): 192 or 192k")
        ->transform(
            [](std::string v) {
                if (!v.empty() && (v.back() == 'k' || v.back() == 'K'))
                    v.pop_back();
                return v;
            },
            "", "")
        ->check(CLI::Range(1, 10000))
        ->type_name("KBPS")
        ->group(enc);
    app.add_option("--quality", o.quality, "variable bitrate quality: mp3 0 (best) to 9, ogg -1 to 10 (best)")
        ->type_name("Q")
        ->group(enc);
    app.add_option("--bits", o.bits, "sample size of wav, aiff and flac: 16, 24, or 32 (float, wav)")
        ->check(CLI::IsMember({16, 24, 32}))
        ->type_name("N")
        ->group(enc);
    app.add_option("--tag", o.tags, "set a tag in the output (repeatable)")
        ->type_name("KEY=VALUE")
        ->allow_extra_args(false)
        ->group(enc);
    app.add_flag("--no-tags", o.no_tags, "do not copy the input's tags")->group(enc);
    auto *norm = app.add_option("--normalize", o.normalize,
                   "bring the integrated loudness to LUFS (EBU R128, two passes; -16 for the "
                   "web, -23 for broadcast)")
        ->check(CLI::Range(-70.0, 0.0))
        ->type_name("LUFS")
        ->group(enc);
    app.add_option("--true-peak", o.true_peak,
                   "with --normalize: keep the true peak at most DBTP (default -1)")
        ->check(CLI::Range(-70.0, 0.0))
        ->type_name("DBTP")
        ->needs(norm)
        ->group(enc);
    ts::cli::add_shaping(app, o.shaping, "as ts-decode");
    ts::cli::add_raw_input(tool, o.raw_in);
    ts::cli::add_verbosity(tool, o.verbosity);
    return tool.run(argc, argv, [&] { return run(o); });
}
