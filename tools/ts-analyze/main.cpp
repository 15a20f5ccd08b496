// ts-analyze: run analyzers over audio in one pass and write ts-result JSON Lines.
#include "analyze/catalog.hpp"
#include "analyze/engine.hpp"
#include "analyze/preset.hpp"
#include "cli/groups.hpp"
#include "cli/tool.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/version.hpp"
#include "io/output.hpp"
#include "serialize/serialize.hpp"

#include <iostream>

namespace {

ts::cli::Spec spec() {
    return {
        "ts-analyze",
        "analyze audio in one pass and write ts-result JSON Lines",
        {"[OPTIONS] -a NAME[,NAME...] [INPUT...]", "[OPTIONS] --preset NAME [INPUT...]",
         "--list [--json]"},
        "Reads each INPUT (a media file, a URL, or - for stdin, the default: a TSPCM stream or "
        "media bytes) once, feeds every analyzer asked for, and writes one JSON line per "
        "result (see ts-result(5)). Analyzers that need the same frames or the same STFT "
        "(same size, step and window) share one. Several inputs give their results in turn, "
        "told apart by audio.source; an input that fails is reported and the others are "
        "still analyzed (the exit status is then 1). -f FORMAT (or the extension of -o FILE: "
        ".json, .yaml, .h5, .csv, .jams, ...) writes the results in another format through "
        "ts-serialize(1)'s writers, directly, with no JSON step: the way to put a long "
        "spectrogram into HDF5. --result ID keeps the results whose id matches ID, a shell "
        "pattern (mfcc*, level.*), as in ts-serialize(1); repeatable. A format that holds one "
        "result (csv, npy, audacity, lab, dat, ...) refuses, before any input is read, "
        "analyzers that give several: -a onsets gives onsets.odf (the onset strength) and "
        "onsets (the times), and --result onsets keeps the times; or -o DIR/ writes one file "
        "per result. It refuses several inputs too, but for csv: one result id from several "
        "inputs (or channels, with --mix each) makes one table, its first column the source. --compact, --bits and --dat-version are ts-serialize's writer options (json "
        "on one line; dat and audiowaveform-json 8-bit values, the dat version). With neither "
        "-a nor --preset, the minimal "
        "preset runs (level, dc, integrated loudness).\n\n"
        "Analyzers work on the mono mix-down (the mean of the channels) unless --mix each "
        "asks for one result set per channel (audio.channel says which). level, stats and "
        "loudness read every channel, as their standards define (audio.mix is \"all\").\n\n"
        "-a NAME.OUTPUT keeps one output of an analyzer; -p NAME.KEY=VALUE sets a parameter. "
        "Every result carries its parameters, defaults included, in params. ts-analyze --list "
        "shows the analyzers, their outputs and parameters; --list --json gives the same for "
        "programs.\n\n"
        "Two doors let analyzers of your own in (see ANALYZERS in ts-analyze(1)): -a "
        "vamp:LIBRARY:PLUGIN[:OUTPUT] runs an installed VAMP plugin (--list shows those found "
        "in $VAMP_PATH and the usual folders), and -a 'exec:PROGRAM [ARGS]' runs a program that "
        "reads the audio as TSPCM on its stdin and prints ts-result lines (the rest of the -a "
        "value is the command, commas included).\n\n"
        "Framewise results: frame i covers the samples [i*step, i*step + block) and its time "
        "is its start, audio.start + i*step/rate. Only whole frames are analyzed: an input "
        "shorter than one block gives empty framewise arrays (waveform is the exception: it "
        "covers every sample, its last bucket shorter). Values that do not exist (the "
        "level of digital silence, -inf dB) are written as null, and the output's "
        "description says when.\n\n"
        "Memory does not grow with the input's length when writing JSON Lines or HDF5: "
        "framewise series (spectral, mfcc, chroma, mel, spectrogram, rms, zcr, waveform) go "
        "to an unlinked temporary file in $TMPDIR (default /tmp) as they are made, 4 bytes a "
        "value, and are written from it once the input is read. A TMPDIR that cannot hold "
        "them is an error (exit status 1) that names it; other formats hold the series in "
        "memory.",
        {{"Presets",
          "--preset NAME loads presets/NAME.yaml (searched in $TS_PRESET_PATH, beside the "
          "tools, then in the installed data folder); --preset FILE.yaml a file. A preset "
          "lists analyzers (as -a values) and params (NAME.KEY: VALUE); -a and -p on the "
          "command line add to it and override it:\n\n"
          "  # loudness.yaml: broadcast loudness (EBU R128)\n"
          "  analyzers: [loudness, level]\n"
          "  params:\n"
          "    loudness.true_peak: true"}},
        {{"ts-analyze -a level,loudness song.flac", "levels and loudness of one file"},
         {"ts-decode song.mp3 | ts-analyze -a spectral.centroid -p spectral.n_fft=4096",
          "the spectral centroid with a longer FFT"},
         {"ts-analyze --preset music *.flac > results.jsonl", "the music preset over many files"},
         {"ts-analyze -a vamp:vamp-example-plugins:percussiononsets:onsets "
          "-p vamp:vamp-example-plugins:percussiononsets.threshold=6 drums.wav",
          "onsets by a VAMP plugin, with one of its parameters set"},
         {"ts-analyze -a 'exec:python3 examples/analyzers/crest_factor.py --block 4096' song.flac",
          "an analyzer of your own, in Python"},
         {"ts-analyze -a spectrogram,mfcc long.flac -o long.h5", "straight into HDF5"},
         {"ts-analyze -a onsets --result onsets -f csv song.wav > onsets.csv",
          "the onset times as a CSV table"},
         {"ts-analyze -a waveform -p waveform.pixels_per_second=100 --bits 8 song.mp3 -o song.dat",
          "audiowaveform data for peaks.js, 8-bit"},
         {"ts-analyze --list --json | jq '.[].id'", "the analyzers, for programs"}},
        {},
        "ts-decode(1), ts-result(5), ts-pcm(5)",
    };
}

struct Options {
    std::vector<std::string> inputs;
    std::string output = "-", format;
    std::vector<std::string> analyzers, params;
    std::string preset;
    std::string mix = "mono";
    bool list = false, json = false, no_sha1 = false;
    ts::cli::ResultSelection results;
    ts::cli::WriterOptions writer;
    ts::cli::RawInput raw;
    ts::cli::Verbosity verbosity;
};

std::string join(const std::vector<std::string> &v) {
    std::string s;
    for (const auto &x : v)
        s += (s.empty() ? "" : ", ") + x;
    return s;
}

int run(Options &o) {
    if (o.list) {
        std::string text = o.json ? ts::analyze::list_json().dump(2) + "\n"
                                  : ts::analyze::list_text();
        ts::io::Output out(o.output, false);
        out.write(text);
        out.commit();
        return ts::exit_ok;
    }
    std::vector<std::string> analyzers, params;
    if (o.preset.empty() && o.analyzers.empty())
        o.preset = "minimal"; // a quick summary when nothing is asked for
    if (!o.preset.empty()) {
        auto p = ts::analyze::load_preset(o.preset);
        analyzers = p.analyzers;
        params = p.params;
    }
    analyzers.insert(analyzers.end(), o.analyzers.begin(), o.analyzers.end());
    params.insert(params.end(), o.params.begin(), o.params.end());
    auto requests = ts::analyze::make_requests(analyzers, params);
    if (o.inputs.empty())
        o.inputs.push_back("-");

    // JSON Lines by default; -f, or a known extension of -o, writes another format through
    // ts-serialize's writers, with no JSON step in between.
    const ts::serialize::FormatInfo *format = ts::serialize::find_format("jsonl");
    if (!o.format.empty())
        format = ts::serialize::find_format(o.format);
    else if (ts::serialize::Sink::is_folder(o.output))
        throw ts::UsageError("-o " + o.output + ": a folder needs -f FORMAT");
    else if (o.output != "-")
        if (const auto *f = ts::serialize::format_for_path(o.output))
            format = f;
    // What a format that holds one result cannot take is refused before any input is
    // opened: several results asked for, or several inputs giving one each.
    bool complete = true;
    std::vector<std::string> ids, kept;
    ids = ts::analyze::result_ids(requests, &complete);
    for (const auto &id : ids)
        if (o.results.keeps(id))
            kept.push_back(id);
    if (!o.results.empty() && complete && kept.empty())
        throw ts::UsageError(o.results.text() + ": matches none of the results asked for (" +
                             join(ids) + ")");
    if (format->single && !ts::serialize::Sink::is_folder(o.output)) {
        if (kept.size() > 1)
            throw ts::UsageError(ts::serialize::several_results(
                *format, "the analyzers give " + std::to_string(kept.size()), kept));
        if (o.inputs.size() > 1 && !format->table) // csv: one table, a source column
            throw ts::UsageError(format->name + " holds one result, and " +
                                 std::to_string(o.inputs.size()) +
                                 " inputs give one each: write one file per result with -o DIR/");
    }
    ts::serialize::Options serialize_options;
    serialize_options.version = ts::version();
    serialize_options.compact = o.writer.compact;
    serialize_options.dat_bits = o.writer.bits;
    serialize_options.dat_version = o.writer.dat_version;
    ts::serialize::Sink sink(*format, o.output, serialize_options);
    ts::analyze::RunOptions run_options;
    run_options.each_channel = o.mix == "each";
    run_options.progress = o.verbosity.progress_bar();
    run_options.spill = format->streams_series; // memory flat in the input's length
    int status = ts::exit_ok;
    for (const auto &input : o.inputs) {
        std::vector<ts::result::Result> results;
        try {
            ts::decode::OpenOptions open_options{o.raw, -1, !o.no_sha1};
            open_options.sha1_background = true; // audio.sha1 is written after the audio
            auto source = ts::decode::open(input, open_options);
            ts::analyze::RunStats stats;
            results = ts::analyze::run(*source, requests, run_options, &stats);
            ts::log::verbose(source->name() + ": " + std::to_string(stats.frames) +
                             " frames read once in " + std::to_string(stats.reads) + " reads for " +
                             std::to_string(requests.size()) + " analyzer(s), " +
                             std::to_string(stats.framers) + " framer(s), " +
                             std::to_string(stats.stfts) + " STFT(s)");
        } catch (const ts::UsageError &) {
            throw;
        } catch (const ts::Error &e) {
            ts::log::error(e);
            status = ts::exit_failure;
            continue;
        }
        // One result at a time, each freed once written: the text of a long input's
        // framewise results is never held whole.
        for (auto &r : results) {
            if (o.results.keeps(r.id))
                sink.write(std::move(r));
            r = ts::result::Result();
        }
    }
    if (status == ts::exit_ok && sink.written() == 0 && sink.skipped() == 0 && !o.results.empty())
        throw ts::Error("no result matches --result"); // as ts-serialize says
    // When every input failed there is nothing to keep: no output file is left behind.
    if (status == ts::exit_ok || sink.written() > 0)
        sink.finish();
    return status;
}

} // namespace

int main(int argc, char **argv) {
    ts::cli::Spec s = spec();
    s.sections.insert(s.sections.begin(), {"Analyzers", ts::analyze::manual_text()});
    ts::cli::Tool tool(std::move(s));
    Options o;
    auto &app = tool.app();
    app.add_option("INPUT", o.inputs, "media files, URLs, or - for stdin (the default)");
    const char *g = "Analysis";
    app.add_option("-a,--analyzers", o.analyzers,
                   "analyzers to run: NAME or NAME.OUTPUT, comma-separated (exec: takes the rest); repeatable")
        ->type_name("LIST")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->allow_extra_args(false)
        ->group(g);
    app.add_option("-p,--param", o.params, "set a parameter: NAME.KEY=VALUE; repeatable")
        ->type_name("NAME.KEY=VALUE")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->allow_extra_args(false)
        ->group(g);
    std::vector<std::string> format_names;
    for (const auto &f : ts::serialize::formats())
        format_names.push_back(f.name);
    app.add_option("-f,--format", o.format,
                   "write the results in this format (see ts-serialize(1)) [default: from -o's extension, else jsonl]")
        ->check(CLI::IsMember(format_names))
        ->type_name("FORMAT");
    app.add_option("--preset", o.preset, "load a preset by name or YAML file")
        ->type_name("NAME|FILE")
        ->group(g);
    app.add_option("--mix", o.mix, "mono: analyze the mix-down; each: every channel apart")
        ->check(CLI::IsMember({"mono", "each"}))
        ->capture_default_str()
        ->group(g);
    app.add_flag("--list", o.list, "list the analyzers, their outputs and parameters")->group(g);
    app.add_flag("--json", o.json, "with --list: as JSON, for programs")->group(g);
    ts::cli::add_result_selection(app, o.results);
    ts::cli::add_writer_options(app, o.writer);
    ts::cli::add_output(app, o.output, "the results");
    app.add_flag("--no-sha1", o.no_sha1,
                 "do not hash the input file's bytes (audio.sha1 is then null); saves a read")
        ->group("Output");
    ts::cli::add_raw_input(tool, o.raw);
    ts::cli::add_verbosity(tool, o.verbosity);
    return tool.run(argc, argv, [&] { return run(o); });
}
