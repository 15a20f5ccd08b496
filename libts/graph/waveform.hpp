// Waveform images: per-column peaks (and RMS, spectral centroid) measured in one streaming
// pass, then drawn in one of four styles.
#pragma once

#include "decode/source.hpp"
#include "graph/canvas.hpp"
#include "graph/color.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ts::graph {

enum class WaveStyle { peaks, bars, contour, centroid };
enum class AmpScale { linear, db, zoom };
// Their names, as ts-graph's --style and --amplitude take them.
inline const std::vector<std::pair<std::string, WaveStyle>> wave_style_names = {
    {"peaks", WaveStyle::peaks},
    {"bars", WaveStyle::bars},
    {"contour", WaveStyle::contour},
    {"centroid", WaveStyle::centroid}};
inline const std::vector<std::pair<std::string, AmpScale>> amp_scale_names = {
    {"linear", AmpScale::linear}, {"db", AmpScale::db}, {"zoom", AmpScale::zoom}};

struct WaveformOptions {
    WaveStyle style = WaveStyle::peaks;
    AmpScale scale = AmpScale::linear;
    double db_range = 48; // AmpScale::db: the level at the centre line, below 0 dBFS
    bool split = false;   // one lane per channel, else the mean of the channels
    int bar_width = 3, bar_gap = 1;
    bool rounded = true;
    Palette palette; // centroid colours
};

// What a waveform drawing needs, per column: for each lane min, max, sum of squares and
// sample count; then the energy-weighted sum of spectral centroids and the energy.
struct WaveformData {
    int columns = 0, lanes = 0, rate = 0;
    std::int64_t frames = 0;
    std::vector<float> values; // columns x slots()
    std::vector<char> filled;
    std::size_t slots() const { return 4 * static_cast<std::size_t>(lanes) + 2; }
};

// Reads the source to its end. Memory is bounded by `columns` (see Columns), not by length.
WaveformData measure_waveform(decode::Source &source, int columns, const WaveformOptions &o,
                              bool centroid, bool progress);

// The factor samples are scaled by: with --amplitude zoom 1 / the largest peak, else 1.
double waveform_zoom(const WaveformData &d, const WaveformOptions &o);

void draw_waveform(cairo_t *cr, const Area &a, const WaveformData &d, const WaveformOptions &o,
                   const Rgba &foreground);

} // namespace ts::graph
