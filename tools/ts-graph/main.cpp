// ts-graph: draw audio (waveform, spectrogram) and ts-result files (plot) as PNG, SVG or PDF.
#include "cli/groups.hpp"
#include "cli/tool.hpp"
#include "core/error.hpp"
#include "graph/render.hpp"
#include "io/output.hpp"

#include <optional>

namespace {

ts::cli::Spec spec() {
    return {
        "ts-graph",
        "draw audio and analysis results as images (PNG, SVG, PDF)",
        {"waveform [OPTIONS] [INPUT]", "spectrogram [OPTIONS] [INPUT]",
         "plot [OPTIONS] [--audio INPUT] RESULTS.jsonl"},
        "Reads INPUT (a media file, an http(s) URL, or - for stdin, the default: a TSPCM stream "
        "or media bytes) once and draws it: waveform draws the peaks (minimum and maximum of "
        "the samples in each pixel column), spectrogram the short-time spectrum; plot draws "
        "ts-result JSON Lines (see ts-result(5) and Plots below). The image is "
        "written to -o FILE (atomically: the file appears only when complete) in the format "
        "of its extension (.png, .svg, .pdf) or of -f; on stdout (the default) it is PNG "
        "unless -f says otherwise, and a terminal is refused.\n\n"
        "Axes are drawn by default: a title (--title, default the input's name) above, times "
        "below, and on the left the amplitude of waveforms (full scale 1, or dBFS with "
        "--amplitude db) or the frequency of spectrograms, which also get a colour bar of "
        "their dB levels on the right; --split-channels lanes are named (L, R, C, LFE, Ls, "
        "Rs, ...). -W and -H give the size of the "
        "whole image, the plot being the image less these margins (52 px left, 10 right or 60 "
        "beside a colour bar, 22 "
        "above and below). --no-axes draws the bare plot over the whole image, for web "
        "players and overlays: column x then covers the time [x, x+1) * duration / width.\n\n"
        "Memory rule: the input is streamed and reduced per pixel column as it is read, so a "
        "3-hour input is drawn in the same memory as a 3-minute one. When the input's length "
        "is known (from the TSPCM header or the container), sample i goes to column "
        "floor(i * columns / frames). When it is not (a pipe with frames: unknown), samples "
        "go to fine buckets of 2^k samples; when the buckets outnumber 8 x columns (2 x "
        "columns for spectrograms) neighbouring pairs are merged and the bucket size doubles; "
        "at the end each bucket goes to the column holding its centre, so column edges are "
        "exact to within one bucket (at most 1/4 of a column, 1 for spectrograms). The input "
        "is decoded on a thread of its own, a queue of at most 8 blocks of 8192 frames ahead "
        "of the drawing, so decoding and the per-column computation run on two cores.\n\n"
        "--start and --end select a time range (seconds from the beginning); the time axis "
        "keeps the input's times.",
        {},
        {{"ts-graph waveform song.flac -o song.png", "a 1200x300 waveform with axes"},
         {"ts-graph waveform --style bars --no-axes -W 800 -H 120 song.mp3 -o bars.svg",
          "a bare bar waveform for a web player"},
         {"ts-graph waveform --style centroid --split-channels song.wav -o centroid.png",
          "TimeSide's look: one lane per channel, coloured by brilliance"},
         {"ts-graph spectrogram --scale mel --palette magma song.flac -o spec.pdf",
          "a mel spectrogram in a PDF"},
         {"ts-decode --mono talk.m4a | ts-graph spectrogram --start 60 --end 90 > talk.png",
          "30 s of a pipe"},
         {"ts-analyze -a spectral.centroid,mfcc song.flac | ts-graph plot --audio song.flac - "
          "-o features.png",
          "the centroid and the MFCCs under the waveform"},
         {"ts-analyze -a pitch,notes voice.flac | ts-graph plot --id pitch.f0,notes --audio "
          "voice.flac - -o melody.png",
          "the pitch on a log-frequency axis and the notes as a piano roll"}},
        {},
        "ts-decode(1), ts-analyze(1), ts-pcm(5)",
    };
}

struct Options {
    std::string input = "-", output = "-", format, title, palette;
    std::optional<int> width, height;
    std::string background = "white", foreground = "steelblue";
    bool transparent = false, no_axes = false, axes = false;
    std::optional<double> start, end;
    // waveform
    ts::graph::WaveStyle style = ts::graph::WaveStyle::peaks;
    ts::graph::AmpScale amplitude = ts::graph::AmpScale::linear;
    bool rounded = true, split = false;
    int bar_width = 3, bar_gap = 1;
    std::optional<double> db_range;
    // spectrogram
    ts::graph::FreqScale scale = ts::graph::FreqScale::log;
    ts::dsp::Window window = ts::dsp::Window::hann;
    bool column_mean = false;
    int n_fft = 2048, step = 512;
    double db_floor = -90;
    std::optional<double> fmin, fmax;
    // plot
    std::vector<std::string> ids;
    std::string audio;
    bool audio_spectrogram = false, per_row = false;
    ts::cli::RawInput raw;
    ts::cli::Verbosity verbosity;
};

int run(Options &o, const CLI::App &app) {
    const std::string mode = app.get_subcommands().front()->get_name();
    ts::graph::Frame f;
    f.width = o.width.value_or(1200);
    f.height = o.height;
    f.axes = !o.no_axes;
    f.title = o.title;
    f.format = ts::graph::choose_format(o.format, o.output);
    f.background =
        ts::graph::parse_color(o.transparent ? "transparent" : o.background, "--background");
    f.foreground = ts::graph::parse_color(o.foreground, "--foreground");
    f.start = o.start.value_or(0.0);
    f.end = o.end;
    f.raw = o.raw;
    f.progress = o.verbosity.progress_bar();
    if (o.start && o.end && *o.end <= *o.start)
        throw ts::UsageError("--end must be after --start");
    if (o.n_fft < 16 || o.n_fft % 2 || o.step < 1 || o.step > o.n_fft)
        throw ts::UsageError("--n-fft must be even and at least 16, --step from 1 to --n-fft");

    ts::graph::SpectrogramOptions so;
    so.n_fft = o.n_fft, so.step = o.step;
    so.window = o.window;
    so.scale = o.scale;
    so.fmin = o.fmin.value_or(-1), so.fmax = o.fmax.value_or(-1);
    so.db_floor = o.db_floor, so.db_range = o.db_range.value_or(90);
    so.mean = o.column_mean;
    so.palette = ts::graph::palette(o.palette.empty() ? "timeside" : o.palette);

    ts::io::Output out(o.output, true); // refuses a terminal before any work
    if (mode == "waveform") {
        ts::graph::WaveformOptions wo;
        wo.style = o.style;
        wo.scale = o.amplitude;
        wo.db_range = o.db_range.value_or(48);
        wo.split = o.split;
        wo.bar_width = o.bar_width, wo.bar_gap = o.bar_gap, wo.rounded = o.rounded;
        wo.palette = so.palette;
        ts::graph::render_waveform(o.input, f, wo, out);
    } else if (mode == "spectrogram") {
        ts::graph::render_spectrogram(o.input, f, so, out);
    } else {
        ts::graph::PlotOptions po;
        po.ids = o.ids;
        po.palette = ts::graph::palette(o.palette.empty() ? "viridis" : o.palette);
        po.per_row = o.per_row;
        po.audio = o.audio;
        po.audio_spectrogram = o.audio_spectrogram;
        po.spectrogram = so;
        ts::graph::render_plot(o.input, f, po, out);
    }
    out.commit();
    return ts::exit_ok;
}

using ts::cli::choice;
using ts::cli::number;

void add_options(ts::cli::Tool &tool, Options &o) {
    CLI::App &app = tool.app();
    const char *img = "Image";
    number(&app, "-W,--width", o.width, "image width in pixels [default: 1200]", "PX", 16, 16384)
        ->group(img);
    number(&app, "-H,--height", o.height,
           "image height in pixels [default: 300 waveform, 400 spectrogram, plot 120 per lane "
           "+ 44]",
           "PX", 16, 16384)
        ->group(img);
    auto *no_axes =
        app.add_flag("--no-axes", o.no_axes, "draw the bare plot over the whole image")->group(img);
    app.add_flag("--axes", o.axes,
                 "draw the title, the time and value labels, a spectrogram's colour bar and "
                 "channel names (the default; with --no-axes, a usage error)")
        ->excludes(no_axes)
        ->group(img);
    app.add_option("--title", o.title, "title above the plot [default: the input's name]")
        ->type_name("TEXT")
        ->group(img);
    app.add_option("--background", o.background, "background colour")
        ->capture_default_str()
        ->type_name("COLOUR")
        ->group(img);
    app.add_flag("--transparent", o.transparent, "no background (same as --background transparent)")
        ->group(img);
    app.add_option("--foreground", o.foreground, "waveform colour")
        ->capture_default_str()
        ->type_name("COLOUR")
        ->group(img);
    app.add_option("--palette", o.palette,
                   "colour map of spectrograms and the centroid style: timeside, viridis, magma, "
                   "inferno, grey, grey-inverted [default: timeside]")
        ->type_name("NAME")
        ->group(img);
    number(&app, "--start", o.start,
           "draw from S seconds into the input (plot: every lane, --audio too)", "S", 0.0, 1e9)
        ->group(img);
    number(&app, "--end", o.end,
           "draw up to S seconds into the input (plot: every lane, --audio too)", "S", 0.0, 1e9)
        ->group(img);
    ts::cli::add_output(app, o.output, "the image");
    app.add_option("-f,--format", o.format,
                   "image format: png, svg or pdf [default: by the -o extension; png on stdout]")
        ->type_name("FORMAT")
        ->group("Output");
    ts::cli::add_raw_input(tool, o.raw);
    ts::cli::add_verbosity(tool, o.verbosity);
    app.fallthrough();

    CLI::App *w = app.add_subcommand("waveform", "the peaks of the samples, per pixel column");
    CLI::App *s = app.add_subcommand("spectrogram", "the short-time spectrum");
    CLI::App *p = app.add_subcommand("plot", "ts-result JSON Lines, one lane per result");
    for (CLI::App *sub : {w, s})
        sub->add_option("INPUT", o.input, "media file, URL, or - for stdin")->capture_default_str();
    p->add_option("RESULTS", o.input, "ts-result JSON Lines file, or - for stdin")
        ->capture_default_str();
    p->add_option("--id", o.ids, "draw only these results or analyzers; comma-separated")
        ->type_name("LIST")
        ->delimiter(',')
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->allow_extra_args(false);
    p->add_option("--audio", o.audio, "add a lane of this audio (media file, URL, TSPCM) on top")
        ->type_name("INPUT");
    choice(p, "--matrix-scale", o.per_row, {{"global", false}, {"row", true}},
           "colour matrices from their global range, or each row from its own (row: "
           "for MFCCs, whose first coefficient dwarfs the others)");
    choice(p, "--audio-view", o.audio_spectrogram, {{"waveform", false}, {"spectrogram", true}},
           "the audio lane: waveform or spectrogram");
    choice(w, "--style", o.style, ts::graph::wave_style_names,
           "peaks, bars, contour or centroid (see Waveform styles)");
    choice(w, "--amplitude", o.amplitude, ts::graph::amp_scale_names,
           "amplitude scale: linear, db or zoom");
    number(w, "--db-range", o.db_range,
           "with --amplitude db: dB below full scale at the "
           "centre line [default: 48]",
           "DB", 1.0, 200.0);
    w->add_flag("--split-channels", o.split,
                "one lane per channel, named from the channel layout, instead of their mean");
    number(w, "--bar-width", o.bar_width, "bars: width of a bar in pixels", "PX", 1, 1000);
    number(w, "--bar-gap", o.bar_gap, "bars: gap between bars in pixels", "PX", 0, 1000);
    choice(w, "--bar-shape", o.rounded, {{"rounded", true}, {"square", false}},
           "bars: rounded or square ends");
    choice(s, "--scale", o.scale, ts::graph::freq_scale_names,
           "frequency axis: linear, log or mel");
    number(s, "--n-fft", o.n_fft, "frame size in samples (even)", "N", 16, 65536);
    number(s, "--step", o.step, "samples between frame starts", "N", 1, 65536);
    choice(s, "--window", o.window, ts::dsp::window_names, "hann, hamming, blackman or rect");
    number(s, "--db-floor", o.db_floor, "level at the bottom of the palette, in dB", "DB", -400.0,
           100.0);
    number(s, "--db-range", o.db_range, "levels spanned by the palette [default: 90]", "DB", 1.0,
           400.0);
    number(s, "--fmin", o.fmin, "lowest frequency drawn [default: 0; log: 20]", "HZ", 0.0, 1e6);
    number(s, "--fmax", o.fmax, "highest frequency drawn [default: rate/2]", "HZ", 0.0, 1e6);
    choice(s, "--column", o.column_mean, {{"max", false}, {"mean", true}},
           "per pixel column: max or mean power of its frames");
    app.require_subcommand(1);
}

} // namespace

int main(int argc, char **argv) {
    ts::cli::Spec s = spec();
    s.sections = ts::graph::manual_sections();
    ts::cli::Tool tool(std::move(s));
    Options o;
    add_options(tool, o);
    int status = tool.run(argc, argv, [&] { return run(o, tool.app()); });
    ts::graph::release_static_data();
    return status;
}
