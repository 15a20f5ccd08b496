// Whole images: read and measure the input, then draw and write the image.
#include "graph/render.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "decode/source.hpp"
#include "graph/axes.hpp"
#include "graph/plot.hpp"
#include "graph/prefetch.hpp"
#include "io/output.hpp"

#include <algorithm>
#include <memory>

namespace ts::graph {
namespace {

std::unique_ptr<decode::Source> open_range(const std::string &input, const Frame &f, bool mono) {
    auto source = decode::open(input, {f.raw, -1, false});
    decode::Shape shape{0, mono ? 1 : 0, f.start, f.end ? *f.end - f.start : -1.0};
    // Decoded on a thread of its own: the drawing's computation runs beside it.
    return std::make_unique<Prefetch>(decode::shape(std::move(source), shape));
}

// Text on a dark background is light, else black.
Rgba ink_for(const Rgba &bg) {
    return bg.a > 0.5 && bg.r + bg.g + bg.b < 1.2 ? Rgba{0.9, 0.9, 0.9, 1} : Rgba{0, 0, 0, 1};
}

std::string default_title(const decode::Source &source) {
    std::string title = source.header().source.empty() ? source.name() : source.header().source;
    auto slash = title.rfind('/');
    return slash == std::string::npos ? title : title.substr(slash + 1);
}

// waveform or spectrogram: one of wo, so is given.
void render_audio(const std::string &input, const Frame &f, const WaveformOptions *wo,
                  const SpectrogramOptions *so, io::Output &out) {
    const int height = f.height.value_or(wo ? 300 : 400);
    const Area area = plot_area(f.width, height, f.axes, so ? colour_bar_margin : 10);
    const int columns = static_cast<int>(area.w);
    auto source = open_range(input, f, so != nullptr);
    const int rate = source->header().rate;
    std::optional<WaveformData> wd;
    std::optional<SpectrogramData> sd;
    if (wo) {
        wd = measure_waveform(*source, columns, *wo, wo->style == WaveStyle::centroid, f.progress);
    } else {
        freq_axis(*so, rate); // checks --fmin and --fmax before the long read
        sd = measure_spectrogram(*source, columns, *so, f.progress);
    }
    const std::int64_t frames = wd ? wd->frames : sd->frames;
    if (frames == 0)
        throw Error(source->name() + ": no audio to draw" +
                    (f.start > 0 ? " (is --start past the end?)" : ""));

    Canvas canvas(f.format, f.width, height, out);
    canvas.fill(f.background);
    const Rgba ink = ink_for(f.background);
    if (wd)
        draw_waveform(canvas.cr(), area, *wd, *wo, f.foreground);
    else
        draw_spectrogram(canvas.cr(), area, *sd, *so);
    if (f.axes) {
        cairo_t *cr = canvas.cr();
        draw_time_axis(cr, area, f.start, f.start + static_cast<double>(frames) / rate, ink);
        const std::string title = f.title.empty() ? default_title(*source) : f.title;
        draw_title(cr, area, title, ink);
        if (sd) {
            auto axis = freq_axis(*so, rate);
            draw_frequency_axis(
                cr, area, axis.fmin, axis.fmax, so->scale == FreqScale::linear,
                [&](double hz) { return axis.to_unit(hz); }, ink);
            draw_colour_bar(cr, area, so->palette, so->db_floor, so->db_range,
                            area.x + text_width(cr, title, 12), ink);
        } else {
            draw_amplitude_axis(cr, area, wd->lanes, wo->scale, wo->db_range,
                                waveform_zoom(*wd, *wo), ink);
            if (wo->split) {
                auto names = channel_names(wd->lanes, source->header().layout);
                std::string list;
                for (const auto &n : names)
                    list += " " + n;
                log::verbose(source->name() + ": channels" + list);
                draw_channel_names(cr, area, names, ink, f.background);
            }
        }
    }
    canvas.finish();
    log::verbose(source->name() + ": " + std::to_string(frames) + " frames drawn in " +
                 std::to_string(columns) + " columns");
}

} // namespace

void render_waveform(const std::string &input, const Frame &f, const WaveformOptions &o,
                     io::Output &out) {
    render_audio(input, f, &o, nullptr, out);
}

void render_spectrogram(const std::string &input, const Frame &f, const SpectrogramOptions &o,
                        io::Output &out) {
    render_audio(input, f, nullptr, &o, out);
}

void render_plot(const std::string &results, const Frame &f, const PlotOptions &o,
                 io::Output &out) {
    auto lanes = read_lanes(results, o.ids);
    double t0 = f.start, t1 = 0;
    for (const auto &l : lanes)
        t1 = std::max(t1, l.end);
    const std::size_t count = lanes.size() + (o.audio.empty() ? 0 : 1);
    const int height =
        f.height.value_or(std::min(16384, 120 * static_cast<int>(count) + (f.axes ? 44 : 0)));
    const Area area = plot_area(f.width, height, f.axes);
    const double lane_h = area.h / static_cast<double>(count);

    std::optional<WaveformData> wd;
    std::optional<SpectrogramData> sd;
    WaveformOptions wo;
    double audio_seconds = 0;
    if (!o.audio.empty()) {
        auto source = open_range(o.audio, f, o.audio_spectrogram);
        const int columns = static_cast<int>(area.w);
        if (o.audio_spectrogram)
            sd = measure_spectrogram(*source, columns, o.spectrogram, f.progress);
        else
            wd = measure_waveform(*source, columns, wo, false, f.progress);
        const std::int64_t frames = wd ? wd->frames : sd->frames;
        audio_seconds = static_cast<double>(frames) / source->header().rate;
        t1 = std::max(t1, t0 + audio_seconds);
    }
    if (f.end)
        t1 = *f.end;
    if (!(t1 > t0))
        throw Error((results == "-" ? "stdin" : results) + ": the results end before --start");

    Canvas canvas(f.format, f.width, height, out);
    canvas.fill(f.background);
    const Rgba ink = ink_for(f.background);
    double y = area.y;
    if (wd || sd) {
        // the audio covers [t0, t0 + audio_seconds] of the lane's width
        cairo_t *cr = canvas.cr();
        cairo_save(cr);
        cairo_translate(cr, area.x, y);
        cairo_scale(cr, audio_seconds / (t1 - t0), 1.0);
        const Area local{0, 0, area.w, lane_h};
        if (wd)
            draw_waveform(cr, local, *wd, wo, f.foreground);
        else
            draw_spectrogram(cr, local, *sd, o.spectrogram);
        cairo_restore(cr);
        y += lane_h;
    }
    for (const auto &l : lanes) {
        draw_lane(canvas.cr(), {area.x, y, area.w, lane_h}, l, t0, t1, ink, o.palette, o.per_row,
                  f.axes);
        y += lane_h;
    }
    if (f.axes) {
        draw_time_axis(canvas.cr(), area, t0, t1, ink);
        draw_title(canvas.cr(), area,
                   f.title.empty() ? (results == "-" ? "stdin" : results) : f.title, ink);
    }
    canvas.finish();
}

std::vector<std::pair<std::string, std::string>> manual_sections() {
    return {
        {"Waveform styles",
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
         "the largest peak reaches the edges). With axes, the amplitude is labelled left of "
         "each lane: in steps of 1, 2 or 5 x 10^k of full scale, or of dBFS "
         "(steps of 1, 2, 3, 6, 12, 24 dB, the centre line labelled minus --db-range), about 18 px "
         "apart.\n\n"
         "--split-channels draws one lane per channel "
         "from top to bottom; otherwise the mean of the channels is drawn. With axes, each "
         "lane is named at its top left from the channel layout of the input (the layout "
         "key of its TSPCM header, ts-pcm(5): the container's, a WAV's channel mask, FLAC's "
         "own): FL, FR, FC, LFE as L, R, "
         "C, LFE; SL, SR as Ls, Rs; BL, BR as Ls, Rs, or Lb, Rb when side channels are there "
         "too; BC as Cs; FLC, FRC as Lc, Rc; other channels by FFmpeg's names (TC, TFL, ...). "
         "When the layout is unknown (headerless samples, a plain WAV of more than two "
         "channels, a TSPCM stream without a layout key) one channel is named mono, two L and "
         "R, more 1, 2, 3, ..."},
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
         "--db-range (default 90 dB) span the palette. With axes, a colour bar right of the "
         "plot shows the palette over those levels, labelled in dB (1-2-5 steps about 24 px "
         "apart, and both ends), and the palette is named above the plot's right end (when "
         "the title leaves room)."},
        {"Plots",
         "ts-graph plot RESULTS.jsonl (or - for stdin) draws every framewise, event and "
         "segment result of the file (global results are skipped; --id LIST keeps the results "
         "or analyzers named), one lane each, stacked top to bottom on one time axis from 0 (or "
         "--start) to the end of the longest result (or --end); --start and --end crop every "
         "lane, the audio lane and the axis alike. Framewise curves are drawn "
         "through their frames (frame i at audio.start + i*step/rate, its start) or, with more "
         "frames in view than pixels, as the min/max envelope of the frames in each pixel "
         "column, scaled from the minimum (bottom) to the maximum (top) of the frames in view, "
         "both written at the top right; "
         "null values leave gaps. Framewise matrices (spectrogram, mel, mfcc, chroma) are "
         "images, the first column at the bottom, the maximum of the frames per pixel column, "
         "coloured by --palette (default viridis) from the minimum to the maximum of the frames "
         "in view (or, with "
         "--matrix-scale row, each row from its own). Pitch tracks (framewise results in Hz of "
         "the pitch analyzer, or of an output named f0 or *pitch*) are drawn on a log "
         "frequency axis from two semitones below their lowest voiced value in view to two "
         "above their highest (an octave at least), labelled in Hz left of the lane with light "
         "lines across; a frame whose value is null, NaN, 0 or negative, or that the "
         "analyzer's voiced output (X.voiced for X.f0 of the same audio, in the file, drawn or "
         "not) calls "
         "unvoiced (0), is a gap, and a step of more than a semitone from one frame to the "
         "next is not joined (a new note). Notes (segment results in MIDI: the notes "
         "analyzer) are drawn as a piano roll: a bar per note at its rounded pitch over its "
         "time span, rows from one semitone below the lowest note in view to one above the "
         "highest (13 rows at least), sharps' rows shaded and a line under each C, note names "
         "(C4 = MIDI 60, A4 = 69) left of the lane: the notes played, then the Cs, then the "
         "other naturals as room allows. Each lane's name (and unit) is written in a "
         "band along its top, above the data. Events "
         "are vertical red markers; segments are spans coloured by label (Tableau 10 "
         "colours, in order of appearance) with a legend at the lane's top right. --audio "
         "INPUT adds a lane of the audio on top: its waveform peaks, or its spectrogram with "
         "--audio-view spectrogram. The height defaults to 120 px per lane plus the margins. "
         "A file with no drawable result is an error (exit status 1)."},
        {"Palettes", palette_help() +
                         "\nThe spectrogram and the centroid style default to timeside; viridis, "
                         "magma and inferno are perceptually uniform (equal steps look equal and "
                         "they print well in grey)."},
        {"Colours",
         "--background and --foreground take #rgb, #rrggbb, #rrggbbaa, a name (black, white, "
         "grey, red, green, blue, navy, steelblue, orange, yellow) or transparent. Defaults: "
         "white background, steelblue waveform, black text. --transparent is --background "
         "transparent."},
    };
}

} // namespace ts::graph
