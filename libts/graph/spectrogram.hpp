// Spectrogram images: STFT powers reduced per pixel column in one streaming pass, then
// mapped to rows on a linear, log or mel frequency axis and coloured by a palette.
#pragma once

#include "decode/source.hpp"
#include "dsp/window.hpp"
#include "graph/canvas.hpp"
#include "graph/color.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ts::graph {

enum class FreqScale { linear, log, mel };
// Their names, as ts-graph's --scale takes them.
inline const std::vector<std::pair<std::string, FreqScale>> freq_scale_names = {
    {"linear", FreqScale::linear}, {"log", FreqScale::log}, {"mel", FreqScale::mel}};

struct SpectrogramOptions {
    int n_fft = 2048, step = 512;
    dsp::Window window = dsp::Window::hann;
    FreqScale scale = FreqScale::log;
    double fmin = -1, fmax = -1; // -1: defaults (0, or 20 Hz on log; rate/2)
    double db_floor = -90;       // the palette's bottom
    double db_range = 90;        // the palette spans [floor, floor + range]
    bool mean = false;           // per column: the mean power of its frames, else the max
    Palette palette;
};

struct SpectrogramData {
    int columns = 0, bins = 0, rate = 0, n_fft = 0;
    std::int64_t frames = 0;
    std::vector<float> power; // columns x bins
    std::vector<char> filled;
};

// Reads a mono source to its end; memory is bounded by columns x bins.
SpectrogramData measure_spectrogram(decode::Source &source, int columns,
                                    const SpectrogramOptions &o, bool progress);

// The frequency range actually drawn, and the map from Hz to 0..1 (bottom to top).
struct FreqAxis {
    FreqScale scale;
    double fmin, fmax;
    double to_unit(double hz) const;
    double from_unit(double u) const;
};
FreqAxis freq_axis(const SpectrogramOptions &o, int rate);

void draw_spectrogram(cairo_t *cr, const Area &a, const SpectrogramData &d,
                      const SpectrogramOptions &o);

} // namespace ts::graph
