// ts-graph: draw audio (waveform, spectrogram) as PNG, SVG or PDF.
#include "cli/groups.hpp"
#include "cli/tool.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "decode/ffmpeg_source.hpp"
#include "graph/canvas.hpp"
#include "graph/plot.hpp"
#include "graph/spectrogram.hpp"
#include "graph/waveform.hpp"
#include "io/output.hpp"

#include <cmath>
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
        "below and, on spectrograms, frequencies on the left; -W and -H give the size of the "
        "whole image, the plot being the image less these margins (52 px left, 10 right, 22 "
        "above and below). --no-axes draws the bare plot over the whole image, for web "
        "players and overlays: column x then covers the time [x, x+1) * duration / width.\n\n"
        "Memory rule: the input is streamed and reduced per pixel column as it is read, so a "
        "3-hour input is drawn in the same memory as a 3-minute one. When the input's length "
        "is known (from the TSPCM header or the container), sample i goes to column "
        "floor(i * columns / frames). When it is not (a pipe with frames: unknown), samples "
        "go to fine buckets of 2^k samples; when the buckets outnumber 8 x columns (2 x "
        "columns for spectrograms) neighbouring pairs are merged and the bucket size doubles; "
        "at the end each bucket goes to the column holding its centre, so column edges are "
        "exact to within one bucket (at most 1/4 of a column, 1 for spectrograms).\n\n"
        "--start and --end select a time range (seconds from the beginning); the time axis "
        "keeps the input's times.",
        {{"Waveform styles",
          "peaks (the default): the min/max of each column as a vertical bar, antialiased.\n\n"
          "bars: bars of --bar-width pixels every --bar-width + --bar-gap, as high as the "
          "largest peak under them, with --bar-shape rounded (the default) or square ends.\n\n"
          "contour: the peak envelope smoothed by a moving average over about width/120 "
          "columns, filled.\n\n"
          "centroid: the peaks coloured by the spectral centroid of the mono mix (2048-point "
          "hann frames every 1024 samples, energy-weighted per column, interpolated between "
          "frames), on a log scale from 60 Hz to 12 kHz mapped to 30% to 90% of --palette "
          "(default timeside): dark is dull, bright is brilliant.\n\n"
          "Amplitude (--amplitude): linear (full scale fills the lane), db (the centre line is "
          "--db-range dB below full scale, the edges 0 dBFS; default range 48 dB), or zoom "
          "(linear, scaled so "
          "the largest peak reaches the edges). --split-channels draws one lane per channel "
          "from top to bottom; otherwise the mean of the channels is drawn."},
         {"Spectrograms",
          "Frames of --n-fft samples (default 2048) every --step samples (default 512), "
          "windowed (--window, default hann), of the mean of the channels; the power of each bin "
          "is normalised so a full-scale sine reads 0 dB. Each pixel column shows the maximum "
          "(--column max, the default: transients stay visible) or the mean power of the "
          "frames whose centre falls in it; a column that no frame centre falls in (more "
          "columns than frames) repeats its nearest neighbour. Each pixel row covers a band of "
          "the frequency axis (--scale linear, log or mel, the HTK formula 2595 log10(1 + "
          "f/700); default log) from --fmin (default 0, 20 Hz on log) to --fmax (default rate/2) "
          "and shows the largest bin in its band, or interpolates between the two nearest bins "
          "when the band holds none. Levels from --db-floor (default -90 dB) to --db-floor + "
          "--db-range (default 90 dB) span the palette."},
         {"Plots",
          "ts-graph plot RESULTS.jsonl (or - for stdin) draws every framewise, event and "
          "segment result of the file (global results are skipped; --id LIST keeps the results "
          "or analyzers named), one lane each, stacked top to bottom on one time axis from 0 (or "
          "--start) to the end of the longest result (or --end). Framewise curves are drawn "
          "through their frames (frame i at audio.start + i*step/rate, its start) or, with more "
          "frames than pixels, as the min/max envelope of the frames in each pixel column, "
          "scaled from their minimum (bottom) to their maximum (top), both written at the right; "
          "null values leave gaps. Framewise matrices (spectrogram, mel, mfcc, chroma) are "
          "images, the first column at the bottom, the maximum of the frames per pixel column, "
          "coloured by --palette (default viridis) from their minimum to their maximum (or, with "
          "--matrix-scale row, each row from its own). Events "
          "are vertical red markers; segments are spans coloured by label (Tableau 10 "
          "colours, in order of appearance) with a legend at the lane's top right. --audio "
          "INPUT adds a lane of the audio on top: its waveform peaks, or its spectrogram with "
          "--audio-view spectrogram. The height defaults to 120 px per lane plus the margins. "
          "A file with no drawable result is an error (exit status 1)."},
         {"Palettes", ts::graph::palette_help() +
                          "\nThe spectrogram and the centroid style default to timeside; viridis, "
                          "magma and inferno are perceptually uniform (equal steps look equal and "
                          "they print well in grey)."},
         {"Colours",
          "--background and --foreground take #rgb, #rrggbb, #rrggbbaa, a name (black, white, "
          "grey, red, green, blue, navy, steelblue, orange, yellow) or transparent. Defaults: "
          "white background, steelblue waveform, black text. --transparent is --background "
          "transparent."}},
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
          "the centroid and the MFCCs under the waveform"}},
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
    std::string style = "peaks", amplitude = "linear", bar_shape = "rounded";
    bool split = false;
    int bar_width = 3, bar_gap = 1;
    std::optional<double> db_range;
    // spectrogram
    std::string scale = "log", window = "hann", column = "max";
    int n_fft = 2048, step = 512;
    double db_floor = -90;
    std::optional<double> fmin, fmax;
    // plot
    std::vector<std::string> ids;
    std::string audio, audio_view = "waveform", matrix_scale = "global";
    ts::cli::RawInput raw;
    ts::cli::Verbosity verbosity;
};

int run_plot(Options &o);

int run(Options &o, const CLI::App &app) {
    o.verbosity.apply();
    ts::cli::check_raw_input(o.raw);
    const std::string mode = app.get_subcommands().front()->get_name();
    if (mode == "plot")
        return run_plot(o);
    const bool wave = mode == "waveform";
    const int width = o.width.value_or(1200), height = o.height.value_or(wave ? 300 : 400);
    const auto format = ts::graph::choose_format(o.format, o.output);
    const auto bg =
        ts::graph::parse_color(o.transparent ? "transparent" : o.background, "--background");
    const auto fg = ts::graph::parse_color(o.foreground, "--foreground");
    const auto pal = ts::graph::palette(o.palette.empty() ? "timeside" : o.palette);
    if (o.start && o.end && *o.end <= *o.start)
        throw ts::UsageError("--end must be after --start");
    if (o.n_fft < 16 || o.n_fft % 2 || o.step < 1 || o.step > o.n_fft)
        throw ts::UsageError("--n-fft must be even and at least 16, --step from 1 to --n-fft");
    const ts::graph::Area area = ts::graph::plot_area(width, height, !o.no_axes);
    const int columns = static_cast<int>(area.w);

    ts::io::Output out(o.output, true); // refuses a terminal before any work
    ts::decode::quiet_ffmpeg_logs();
    auto source = ts::decode::open(o.input, {o.raw, -1, false});
    const double start = o.start.value_or(0.0);
    ts::decode::Shape shape{0, wave ? 0 : 1, start, o.end ? *o.end - start : -1.0};
    source = ts::decode::shape(std::move(source), shape);
    const int rate = source->header().rate;

    std::optional<ts::graph::WaveformData> wd;
    std::optional<ts::graph::SpectrogramData> sd;
    ts::graph::WaveformOptions wo;
    ts::graph::SpectrogramOptions so;
    if (wave) {
        wo.style = o.style == "bars"       ? ts::graph::WaveStyle::bars
                   : o.style == "contour"  ? ts::graph::WaveStyle::contour
                   : o.style == "centroid" ? ts::graph::WaveStyle::centroid
                                           : ts::graph::WaveStyle::peaks;
        wo.scale = o.amplitude == "db"     ? ts::graph::AmpScale::db
                   : o.amplitude == "zoom" ? ts::graph::AmpScale::zoom
                                           : ts::graph::AmpScale::linear;
        wo.db_range = o.db_range.value_or(48);
        wo.split = o.split;
        wo.bar_width = o.bar_width, wo.bar_gap = o.bar_gap, wo.rounded = o.bar_shape == "rounded";
        wo.palette = pal;
        wd = ts::graph::measure_waveform(*source, columns, wo,
                                         wo.style == ts::graph::WaveStyle::centroid,
                                         o.verbosity.progress_bar());
    } else {
        so.n_fft = o.n_fft, so.step = o.step;
        so.window = *ts::dsp::parse_window(o.window);
        so.scale = o.scale == "linear" ? ts::graph::FreqScale::linear
                   : o.scale == "mel"  ? ts::graph::FreqScale::mel
                                       : ts::graph::FreqScale::log;
        so.fmin = o.fmin.value_or(-1), so.fmax = o.fmax.value_or(-1);
        so.db_floor = o.db_floor, so.db_range = o.db_range.value_or(90);
        so.mean = o.column == "mean";
        so.palette = pal;
        ts::graph::freq_axis(so, rate); // checks --fmin and --fmax before the long read
        sd = ts::graph::measure_spectrogram(*source, columns, so, o.verbosity.progress_bar());
    }
    const std::int64_t frames = wd ? wd->frames : sd->frames;
    if (frames == 0)
        throw ts::Error(source->name() + ": no audio to draw" +
                        (o.start ? " (is --start past the end?)" : ""));

    // Everything is read: only now does the image start, so a bad input leaves no output.
    ts::graph::Canvas canvas(format, width, height, out);
    canvas.fill(bg);
    const ts::graph::Rgba ink = bg.a > 0.5 && bg.r + bg.g + bg.b < 1.2
                                    ? ts::graph::Rgba{0.9, 0.9, 0.9, 1}
                                    : ts::graph::Rgba{0, 0, 0, 1};
    if (wd)
        ts::graph::draw_waveform(canvas.cr(), area, *wd, wo, fg);
    else
        ts::graph::draw_spectrogram(canvas.cr(), area, *sd, so);
    if (!o.no_axes) {
        const double t0 = start;
        ts::graph::draw_time_axis(canvas.cr(), area, t0, t0 + static_cast<double>(frames) / rate,
                                  ink);
        if (sd) {
            auto axis = ts::graph::freq_axis(so, rate);
            ts::graph::draw_frequency_axis(
                canvas.cr(), area, axis.fmin, axis.fmax, so.scale == ts::graph::FreqScale::linear,
                [&](double f) { return axis.to_unit(f); }, ink);
        }
        std::string title = o.title;
        if (title.empty()) {
            title = source->header().source.empty() ? source->name() : source->header().source;
            auto slash = title.rfind('/');
            if (slash != std::string::npos)
                title = title.substr(slash + 1);
        }
        ts::graph::draw_title(canvas.cr(), area, title, ink);
    }
    canvas.finish();
    out.commit();
    ts::log::verbose(source->name() + ": " + std::to_string(frames) + " frames drawn in " +
                     std::to_string(columns) + " columns");
    return ts::exit_ok;
}

void add_options(CLI::App &app, Options &o) {
    const char *img = "Image";
    app.add_option("-W,--width", o.width, "image width in pixels [default: 1200]")
        ->check(CLI::Range(16, 16384).description(""))
        ->type_name("PX")
        ->group(img);
    app.add_option(
           "-H,--height", o.height,
           "image height in pixels [default: 300 waveform, 400 spectrogram, plot 120 per lane "
           "+ 44]")
        ->check(CLI::Range(16, 16384).description(""))
        ->type_name("PX")
        ->group(img);
    app.add_flag("--no-axes", o.no_axes, "draw the bare plot over the whole image")->group(img);
    app.add_flag("--axes", o.axes, "draw the title, time and frequency labels (the default)")
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
    app.add_option("--start", o.start, "draw from S seconds into the input")
        ->check(CLI::Range(0.0, 1e9).description(""))
        ->type_name("S")
        ->group(img);
    app.add_option("--end", o.end, "draw up to S seconds into the input")
        ->check(CLI::Range(0.0, 1e9).description(""))
        ->type_name("S")
        ->group(img);
    ts::cli::add_output(app, o.output, "the image");
    app.add_option("-f,--format", o.format,
                   "image format: png, svg or pdf [default: by the -o extension; png on stdout]")
        ->type_name("FORMAT")
        ->group("Output");
    ts::cli::add_raw_input(app, o.raw);
    ts::cli::add_verbosity(app, o.verbosity);
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
    p->add_option("--matrix-scale", o.matrix_scale,
                  "colour matrices from their global range, or each row from its own (row: "
                  "for MFCCs, whose first coefficient dwarfs the others)")
        ->check(CLI::IsMember({"global", "row"}))
        ->capture_default_str();
    p->add_option("--audio-view", o.audio_view, "the audio lane: waveform or spectrogram")
        ->check(CLI::IsMember({"waveform", "spectrogram"}))
        ->capture_default_str();
    w->add_option("--style", o.style, "peaks, bars, contour or centroid (see Waveform styles)")
        ->check(CLI::IsMember({"peaks", "bars", "contour", "centroid"}))
        ->capture_default_str();
    w->add_option("--amplitude", o.amplitude, "amplitude scale: linear, db or zoom")
        ->check(CLI::IsMember({"linear", "db", "zoom"}))
        ->capture_default_str();
    w->add_option("--db-range", o.db_range,
                  "with --amplitude db: dB below full scale at the "
                  "centre line [default: 48]")
        ->check(CLI::Range(1.0, 200.0).description(""))
        ->type_name("DB");
    w->add_flag("--split-channels", o.split, "one lane per channel instead of their mean");
    w->add_option("--bar-width", o.bar_width, "bars: width of a bar in pixels")
        ->check(CLI::Range(1, 1000).description(""))
        ->capture_default_str()
        ->type_name("PX");
    w->add_option("--bar-gap", o.bar_gap, "bars: gap between bars in pixels")
        ->check(CLI::Range(0, 1000).description(""))
        ->capture_default_str()
        ->type_name("PX");
    w->add_option("--bar-shape", o.bar_shape, "bars: rounded or square ends")
        ->check(CLI::IsMember({"rounded", "square"}))
        ->capture_default_str();
    s->add_option("--scale", o.scale, "frequency axis: linear, log or mel")
        ->check(CLI::IsMember({"linear", "log", "mel"}))
        ->capture_default_str();
    s->add_option("--n-fft", o.n_fft, "frame size in samples (even)")
        ->check(CLI::Range(16, 65536).description(""))
        ->capture_default_str()
        ->type_name("N");
    s->add_option("--step", o.step, "samples between frame starts")
        ->check(CLI::Range(1, 65536).description(""))
        ->capture_default_str()
        ->type_name("N");
    s->add_option("--window", o.window, "hann, hamming, blackman or rect")
        ->check(CLI::IsMember({"hann", "hamming", "blackman", "rect"}))
        ->capture_default_str();
    s->add_option("--db-floor", o.db_floor, "level at the bottom of the palette, in dB")
        ->check(CLI::Range(-400.0, 100.0).description(""))
        ->capture_default_str()
        ->type_name("DB");
    s->add_option("--db-range", o.db_range, "levels spanned by the palette [default: 90]")
        ->check(CLI::Range(1.0, 400.0).description(""))
        ->type_name("DB");
    s->add_option("--fmin", o.fmin, "lowest frequency drawn [default: 0; log: 20]")
        ->check(CLI::Range(0.0, 1e6).description(""))
        ->type_name("HZ");
    s->add_option("--fmax", o.fmax, "highest frequency drawn [default: rate/2]")
        ->check(CLI::Range(0.0, 1e6).description(""))
        ->type_name("HZ");
    s->add_option("--column", o.column, "per pixel column: max or mean power of its frames")
        ->check(CLI::IsMember({"max", "mean"}))
        ->capture_default_str();
    app.require_subcommand(1);
}

int run_plot(Options &o) {
    const int width = o.width.value_or(1200);
    const auto format = ts::graph::choose_format(o.format, o.output);
    const auto bg =
        ts::graph::parse_color(o.transparent ? "transparent" : o.background, "--background");
    const auto fg = ts::graph::parse_color(o.foreground, "--foreground");
    const auto pal = ts::graph::palette(o.palette.empty() ? "viridis" : o.palette);
    if (o.start && o.end && *o.end <= *o.start)
        throw ts::UsageError("--end must be after --start");
    ts::io::Output out(o.output, true);
    auto lanes = ts::graph::read_lanes(o.input, o.ids);
    double t0 = o.start.value_or(0.0), t1 = 0;
    for (const auto &l : lanes)
        t1 = std::max(t1, l.end);
    const std::size_t count = lanes.size() + (o.audio.empty() ? 0 : 1);
    const int height =
        o.height.value_or(std::min(16384, 120 * static_cast<int>(count) + (o.no_axes ? 0 : 44)));
    const ts::graph::Area area = ts::graph::plot_area(width, height, !o.no_axes);
    const double lane_h = area.h / static_cast<double>(count);

    std::optional<ts::graph::WaveformData> wd;
    std::optional<ts::graph::SpectrogramData> sd;
    ts::graph::WaveformOptions wo;
    ts::graph::SpectrogramOptions so;
    so.palette = ts::graph::palette(o.palette.empty() ? "timeside" : o.palette);
    double audio_seconds = 0;
    if (!o.audio.empty()) {
        ts::decode::quiet_ffmpeg_logs();
        auto source = ts::decode::open(o.audio, {o.raw, -1, false});
        const bool spec = o.audio_view == "spectrogram";
        source =
            ts::decode::shape(std::move(source), {0, spec ? 1 : 0, t0, o.end ? *o.end - t0 : -1.0});
        const int columns = static_cast<int>(area.w);
        if (spec)
            sd = ts::graph::measure_spectrogram(*source, columns, so, o.verbosity.progress_bar());
        else
            wd = ts::graph::measure_waveform(*source, columns, wo, false,
                                             o.verbosity.progress_bar());
        const std::int64_t frames = wd ? wd->frames : sd->frames;
        audio_seconds = static_cast<double>(frames) / source->header().rate;
        t1 = std::max(t1, t0 + audio_seconds);
    }
    if (o.end)
        t1 = *o.end;
    if (!(t1 > t0))
        throw ts::Error(o.input + ": the results end before --start");

    ts::graph::Canvas canvas(format, width, height, out);
    canvas.fill(bg);
    const ts::graph::Rgba ink{0, 0, 0, 1};
    double y = area.y;
    if (wd || sd) {
        // the audio covers [t0, t0 + audio_seconds] of the lane's width
        ts::graph::Area a{area.x, y, area.w, lane_h};
        cairo_t *cr = canvas.cr();
        cairo_save(cr);
        cairo_translate(cr, a.x, a.y);
        cairo_scale(cr, audio_seconds / (t1 - t0), 1.0);
        ts::graph::Area local{0, 0, area.w, lane_h};
        if (wd)
            ts::graph::draw_waveform(cr, local, *wd, wo, fg);
        else
            ts::graph::draw_spectrogram(cr, local, *sd, so);
        cairo_restore(cr);
        y += lane_h;
    }
    for (const auto &l : lanes) {
        ts::graph::draw_lane(canvas.cr(), {area.x, y, area.w, lane_h}, l, t0, t1, ink, pal,
                             o.matrix_scale == "row");
        y += lane_h;
    }
    if (!o.no_axes) {
        ts::graph::draw_time_axis(canvas.cr(), area, t0, t1, ink);
        std::string title = o.title.empty() ? (o.input == "-" ? "stdin" : o.input) : o.title;
        ts::graph::draw_title(canvas.cr(), area, title, ink);
    }
    canvas.finish();
    out.commit();
    return ts::exit_ok;
}

} // namespace

int main(int argc, char **argv) {
    ts::cli::Tool tool(spec());
    Options o;
    add_options(tool.app(), o);
    int status = tool.run(argc, argv, [&] { return run(o, tool.app()); });
    ts::graph::release_static_data();
    return status;
}
