// ts-decode: any audio or video input to TSPCM (or headerless PCM).
#include "cli/groups.hpp"
#include "cli/tool.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "decode/source.hpp"
#include "io/output.hpp"
#include "io/progress.hpp"
#include "pcm/writer.hpp"

#include <optional>
#include <vector>

namespace {

ts::cli::Spec spec() {
    return {
        "ts-decode",
        "decode any audio or video input to TSPCM",
        {"[OPTIONS] [INPUT]"},
        "Reads INPUT (a media file, an http(s) URL, or - for stdin, the default) and writes "
        "its audio as a TSPCM stream (see ts-pcm(5)): a short text header, then interleaved "
        "little-endian samples. Anything FFmpeg can demux and decode is read: wav, aiff, flac, "
        "mp3, ogg/vorbis, opus, m4a/aac, webm and the audio of video files. On stdin, a TSPCM "
        "stream is recognised by its magic and passed through (reshaped as asked); any other "
        "bytes are decoded as media.\n\n"
        "Samples match FFmpeg's own decoding (ffmpeg -i INPUT -f f32le -): encoder delay and "
        "padding recorded by the container (mp3 LAME header, opus pre-skip, aac edit lists) are "
        "removed, so sample 0 is the first sample of the recording. Plain wav files are read "
        "by TimeSide itself and flac files by libFLAC, to the same samples and tags, without "
        "loading FFmpeg; a flac frame whose CRC does not match its bytes, or bytes between "
        "frames that are not a frame, is an error naming the time and frame where the damage "
        "is (FFmpeg's decoder passes damaged samples on: TS_DECODE_NATIVE=0 decodes so, for "
        "salvage).\n\n"
        "The header carries frames (the exact count when it can be known before decoding: "
        "always for wav, aiff and flac, and for an mp3 file by a demux-only pass over its "
        "frames; otherwise unknown on a pipe, and filled in at the end in a file written "
        "with -o), layout (the channel layout under FFmpeg's name, such as 5.1(side), when "
        "the input states one and it is not plain mono or stereo), source, sha1 of the input "
        "file's bytes, the container's tags as tag.NAME and a history line with this "
        "command.\n\n"
        "Channel rule: --mono (or --channels 1) mixes by the plain mean of all channels, "
        "(L+R)/2 for stereo, so a signal identical in every channel keeps its level. A mono "
        "input asked for N channels is copied to each. --channels 2 on a surround input (3 to "
        "8 channels, or any layout the stream names) is the ITU-R BS.775 stereo downmix, as "
        "ffmpeg -ac 2 makes it: each front channel to its side, the centre to both at -3 dB, "
        "side and back channels to their side at -3 dB (a back centre to both at -6 dB), the "
        "LFE left out, every gain then divided by the larger of the two sums of gains so that "
        "nothing clips (5.1: L = (FL + 0.707 FC + 0.707 BL) / 2.414). Without a layout "
        "key, the channels are taken in FFmpeg's default layout for their count (3: 2.1, 4: "
        "4.0, 5: 5.0, 6: 5.1, 7: 6.1, 8: 7.1). Other mappings are refused.\n\n"
        "Timing rule: --start and --duration count at the output rate: the output begins at "
        "frame round(start * rate) of the decoded (and resampled) audio and has exactly "
        "round(duration * rate) frames, fewer only when the input ends first. Without "
        "--rate, --start seeks in wav, flac and mp3 files rather than decoding all it skips "
        "(an mp3 from 32 packets before the frame, so its samples are those a decode from "
        "the start gives); other inputs are decoded from their start.",
        {{"Resampling",
          "--rate converts with libswresample using the soxr engine (high quality, 20-bit "
          "precision); a 1 kHz sine keeps its level within 0.01 dB. When the input's length "
          "is known, the output has exactly round(frames * out_rate / in_rate) frames."}},
        {{"ts-decode song.mp3 | ts-info -", "decode an mp3 and describe the stream"},
         {"ts-decode --rate 22050 --mono -o song.tspcm song.flac",
          "mono at 22.05 kHz, written atomically to a file"},
         {"ts-decode --start 60 --duration 30 --raw song.opus | sox -t f32 -r 48000 -c 2 - "
          "clip.wav",
          "a 30 s excerpt as headerless float samples for sox"},
         {"curl -s https://example.org/a.ogg | ts-decode > a.tspcm", "decode from a pipe"}},
        {},
        "ts-info(1), ts-gen(1), ts-pcm(5)",
    };
}

struct Options {
    std::string input = "-";
    std::string output = "-";
    ts::cli::RawInput raw_in;
    int stream = -1;
    ts::cli::Shaping shaping;
    std::string format = "f32le";
    bool raw = false;
    bool no_sha1 = false;
    bool no_history = false;
    ts::cli::Verbosity verbosity;
};

int run(const Options &o, const std::string &command) {
    ts::decode::OpenOptions open{o.raw_in, o.stream, !o.no_sha1};
    auto source = ts::decode::open(o.input, open);
    const ts::cli::Shaping &s = o.shaping;
    ts::decode::Shape shape{s.rate, s.out_channels(), s.start, s.length()};
    source = ts::decode::shape(std::move(source), shape);

    ts::pcm::Header header = source->header();
    header.format = *ts::pcm::parse_format(o.format);
    if (!o.no_history)
        header.history.push_back(command);

    ts::io::Output out(o.output, true);
    const std::size_t block = 8192;
    std::vector<float> buf(block * static_cast<std::size_t>(header.channels));
    ts::io::Progress progress("decoding " + source->name(), header.frames,
                              o.verbosity.progress_bar());
    // The header goes out with the first samples, so an input that fails at once leaves
    // stdout empty.
    std::optional<ts::pcm::Writer> writer;
    for (;;) {
        std::size_t n = source->read(buf.data(), block);
        if (!writer)
            writer.emplace(out, header, o.raw);
        if (n == 0)
            break;
        writer->write(buf.data(), n);
        progress.update(writer->frames_written());
    }
    progress.finish();
    writer->finish();
    out.commit();
    ts::log::verbose(source->name() + ": " + std::to_string(writer->frames_written()) +
                     " frames at " + std::to_string(header.rate) + " Hz");
    return ts::exit_ok;
}

} // namespace

int main(int argc, char **argv) {
    ts::cli::Tool tool(spec());
    Options o;
    auto &app = tool.app();
    app.add_option("INPUT", o.input, "media file, URL, or - for stdin")->capture_default_str();
    ts::cli::add_output(app, o.output, "the stream");
    app.add_option("--format", o.format, "sample format of the output")
        ->check(CLI::IsMember(ts::pcm::sample_format_names))
        ->capture_default_str()
        ->group("Output");
    app.add_flag("--raw", o.raw, "write headerless samples (no TSPCM header)")->group("Output");
    ts::cli::add_no_history(app, o.no_history);
    app.add_flag("--no-sha1", o.no_sha1, "do not hash the input file's bytes into the header")
        ->group("Output");
    ts::cli::add_shaping(app, o.shaping, "see the channel rule");
    app.add_option("--stream", o.stream, "decode the Nth audio stream (from 0) instead of the best")
        ->check(CLI::Range(0, 1000))
        ->type_name("N")
        ->group("Input");
    ts::cli::add_raw_input(tool, o.raw_in);
    ts::cli::add_verbosity(tool, o.verbosity);
    std::string command = ts::cli::command_line(argc, argv);
    return tool.run(argc, argv, [&] { return run(o, command); });
}
