// ts-gen: deterministic test and demo signals as TSPCM or audio files, with their ground truth.
#include "cli/groups.hpp"
#include "cli/tool.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/signals.hpp"
#include "core/version.hpp"
#include "gen/demo.hpp"
#include "gen/kinds.hpp"
#include "io/output.hpp"
#include "io/progress.hpp"
#include "io/sndfile_writer.hpp"
#include "pcm/writer.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <vector>

namespace {

ts::cli::Spec spec() {
    std::string signals;
    for (const auto &k : ts::gen::kinds())
        signals += std::string(k.definition) + "\n\n";
    return {
        "ts-gen",
        "generate test and demo signals with their ground truth",
        {"sine [--frequency HZ] [--phase DEG] [OPTIONS]",
         "sweep [--from HZ] [--to HZ] [--mode log|lin] [OPTIONS]",
         "noise [--color white|pink] [--seed N] [OPTIONS]", "silence [OPTIONS]",
         "clicks [--tempo BPM] [OPTIONS]", "dc [--level L] [OPTIONS]", "demo [OPTIONS]"},
        "Writes the signal KIND as a TSPCM stream (see ts-pcm(5)) on stdout, or to the file "
        "named by -o: a name ending in .wav, .flac, .aiff, .aif or .ogg gets that audio file, any "
        "other name a TSPCM file. Signals are deterministic: a command gives the same samples on "
        "every machine, so tests can assert exact values, and --truth writes what the signal is "
        "known to contain as JSON.\n\n"
        "The options below work before or after KIND. The signal is computed once per frame and "
        "copied to every channel; it is round(duration*rate) frames long. Levels are in dBFS, "
        "where 0 dBFS is a sample of 1.0. The TSPCM header holds the rate, channels, format, "
        "the exact frame count, generator: KIND and a history line with the command; no source "
        "key, since no file is behind the signal.\n\n"
        "Audio files are written through libsndfile: 16-bit PCM by default; with --format f32le, "
        "32-bit float in wav and aiff (AIFC) and 24-bit PCM in flac, which has no float "
        "samples; ogg is Vorbis (lossy) whatever the format, with a random stream serial number "
        "(the one part of an output that changes from run to run). Integer samples are "
        "round(x*32768), so a 16-bit file decodes back to the signal within 1/65536. A wav over "
        "4 GiB becomes RF64. The command goes into the file's comment tag unless --no-history.",
        {{"Signals", signals}, {"Ground truth", ts::gen::truth_definition()}},
        {{"ts-gen sine --frequency 440 --duration 2 | ts-info -",
          "a 2 s A4 at -20 dBFS, described"},
         {"ts-gen sine --amplitude -6 --channels 2 -o tone.wav", "a 16-bit stereo wav file"},
         {"ts-gen noise --color pink --seed 7 --duration 10 -o pink.flac", "10 s of pink noise"},
         {"ts-gen sweep --rate 48000 --duration 10 --mode lin -o sweep.tspcm", "a linear sweep"},
         {"ts-gen clicks --tempo 96 --duration 30 --truth clicks.json > clicks.tspcm",
          "a click track and its beat times"},
         {"ts-gen demo --truth demo.json -o demo.wav", "the demo piece and its ground truth"},
         {"ts-gen sine --raw --rate 48000 | aplay -t raw -f FLOAT_LE -r 48000 -c 1",
          "play a tone, headerless"}},
        {},
        "ts-decode(1), ts-info(1), ts-pcm(5)",
    };
}

struct Options {
    ts::gen::Params params;
    int channels = 1;
    std::optional<double> duration;
    std::string output = "-";
    std::string format; // empty: f32le for TSPCM, 16-bit in audio files
    std::string truth;
    std::string stray; // a word after KIND that no option took
    std::string mode = "log";
    std::string color = "white";
    bool raw = false;
    bool no_history = false;
    ts::cli::Verbosity verbosity;
};

int run(Options &o, const CLI::App &app, const std::string &command) {
    if (!o.stray.empty())
        throw ts::UsageError("unexpected argument '" + o.stray + "'");
    ts::gen::Params &p = o.params;
    p.kind = *ts::gen::parse_kind(app.get_subcommands().front()->get_name());
    p.mode = o.mode == "lin" ? ts::gen::SweepMode::lin : ts::gen::SweepMode::log;
    p.color = o.color == "pink" ? ts::gen::NoiseColor::pink : ts::gen::NoiseColor::white;
    p.amplitude_given = app.count("--amplitude") > 0;
    const char *name = ts::gen::kind_name(p.kind);
    double seconds =
        o.duration.value_or(p.kind == ts::gen::Kind::demo ? ts::gen::demo_length : 1.0);
    p.frames = ts::gen::frames_for(seconds, p.rate);
    ts::gen::check(p);
    const bool sound_file = ts::io::is_sound_file(o.output);
    if (sound_file && o.raw)
        throw ts::UsageError("--raw writes headerless samples, not an audio file: " + o.output);
    if (o.truth == "-" && o.output == "-")
        throw ts::UsageError("the signal and --truth cannot both go to stdout");

    ts::io::Output out(o.output, true);
    std::optional<ts::io::Output> truth_out;
    if (!o.truth.empty())
        truth_out.emplace(o.truth, false);
    auto gen = ts::gen::make(p);

    const bool floats = o.format.empty() ? !sound_file : o.format == "f32le";
    const std::string history = o.no_history ? std::string() : command;
    std::optional<ts::pcm::Writer> pcm;
    std::optional<ts::io::SndfileWriter> file;
    if (sound_file) {
        file.emplace(out, p.rate, o.channels, floats, p.frames,
                     std::string("ts-gen (timeside ") + ts::version() + ")", history);
    } else {
        ts::pcm::Header header;
        header.rate = p.rate;
        header.channels = o.channels;
        header.format = floats ? ts::pcm::SampleFormat::f32le : ts::pcm::SampleFormat::s16le;
        header.frames = p.frames;
        header.extra.emplace_back("generator", name); // no source: the signal has no file
        if (!history.empty())
            header.history.push_back(history);
        pcm.emplace(out, header, o.raw);
    }
    const std::size_t block = 8192;
    std::vector<float> mono(block), frames(block * static_cast<std::size_t>(o.channels));
    ts::io::Progress progress(std::string("generating ") + name, p.frames,
                              o.verbosity.progress_bar());
    while (std::size_t n = gen->generate(mono.data(), block)) {
        ts::signals::check();
        ts::gen::spread(mono.data(), frames.data(), n, o.channels);
        if (file)
            file->write(frames.data(), n);
        else
            pcm->write(frames.data(), n);
        progress.update(gen->position());
    }
    progress.finish();
    if (file)
        file->finish();
    else
        pcm->finish();
    if (truth_out)
        truth_out->write(ts::gen::truth(p).dump() + "\n");
    out.commit();
    if (truth_out)
        truth_out->commit();
    ts::log::verbose(std::string(name) + ": " + std::to_string(p.frames) + " frames at " +
                     std::to_string(p.rate) + " Hz");
    return ts::exit_ok;
}

using ts::cli::number;

void add_options(ts::cli::Tool &tool, Options &o) {
    CLI::App &app = tool.app();
    ts::gen::Params &p = o.params;
    const char *sig = "Signal";
    number(&app, "--rate", p.rate, "sample rate in Hz", "HZ", 1, ts::pcm::max_rate, true)
        ->group(sig);
    number(&app, "--channels", o.channels, "channels, each carrying the same signal", "N", 1,
           ts::pcm::max_channels, true)
        ->group(sig);
    number(&app, "--duration", o.duration,
           "length in seconds, at most 86400 (24 hours) [default: 1; demo: 30]", "S", 0.0, 86400.0)
        ->group(sig);
    number(&app, "--amplitude", p.amplitude_db, "level in dBFS: the peak, or the RMS for noise",
           "DBFS", -200.0, 0.0, true)
        ->group(sig);
    ts::cli::add_output(app, o.output, "the signal (TSPCM, or an audio file by its extension)");
    app.add_option("--format", o.format,
                   "sample format: f32le or s16le [default: f32le; 16-bit in audio files]")
        ->check(CLI::IsMember(ts::pcm::sample_format_names))
        ->group("Output");
    app.add_flag("--raw", o.raw, "write headerless samples (no TSPCM header)")->group("Output");
    ts::cli::add_no_history(app, o.no_history);
    app.add_option("--truth", o.truth, "write the signal's ground truth as JSON to FILE")
        ->type_name("FILE")
        ->group("Output");
    ts::cli::add_verbosity(tool, o.verbosity);

    // The options above are also found after KIND (fallthrough); below, each kind's own.
    app.fallthrough();
    std::vector<std::string> names;
    for (const auto &k : ts::gen::kinds()) {
        app.add_subcommand(k.name, k.summary);
        names.push_back(k.name);
    }
    app.require_subcommand(1);
    // A word that names no KIND lands here and is refused with the list of kinds, where CLI11
    // alone would only say that a subcommand is required. A number is let through, so that the
    // value of an option that KIND lacks leaves CLI11 to name that option; run() refuses it.
    std::string choices;
    for (const auto &n : names)
        choices += (choices.empty() ? "" : n == names.back() ? " or " : ", ") + n;
    app.add_option("KIND", o.stray, "the signal: one of the commands below")
        ->check(CLI::Validator(
            [choices](std::string &word) {
                double number = 0;
                if (CLI::detail::lexical_cast(word, number))
                    return std::string();
                return "'" + word + "' is unknown; choose " + choices;
            },
            ""));
    CLI::App *sine = app.get_subcommand("sine"), *sweep = app.get_subcommand("sweep");
    number(sine, "--frequency", p.frequency, "frequency in Hz, below rate/2", "HZ", 0.0, 1e7);
    number(sine, "--phase", p.phase, "starting phase in degrees", "DEG", -1e6, 1e6);
    number(sweep, "--from", p.from, "start frequency in Hz", "HZ", 0.0, 1e7);
    number(sweep, "--to", p.to, "end frequency in Hz [default: 20000, or 0.45*rate]", "HZ", 0.0,
           1e7);
    sweep->add_option("--mode", o.mode, "log (equal time per octave) or lin")
        ->check(CLI::IsMember({"log", "lin"}))
        ->capture_default_str();
    CLI::App *noise = app.get_subcommand("noise");
    noise->add_option("--color", o.color, "white or pink")
        ->check(CLI::IsMember({"white", "pink"}))
        ->capture_default_str();
    number(noise, "--seed", p.seed, "seed of the random numbers", "N", 0.0, 1.8e19);
    number(app.get_subcommand("clicks"), "--tempo", p.tempo, "beats per minute", "BPM", 1.0, 1000.0,
           true);
    number(app.get_subcommand("dc"), "--level", p.level, "the value of every sample", "L", -1.0,
           1.0, true);
}

} // namespace

int main(int argc, char **argv) {
    ts::cli::Tool tool(spec());
    Options o;
    add_options(tool, o);
    std::string command = ts::cli::command_line(argc, argv);
    return tool.run(argc, argv, [&] { return run(o, tool.app(), command); });
}
