// The STFT parameters the spectral analyzers share (n_fft, step, window), declared alike in
// each so that equal values subscribe to one shared STFT, and the magnitude normalisation
// they all use.
#pragma once

#include "analyze/analyzer.hpp"
#include "core/error.hpp"

#include <string>
#include <vector>

namespace ts::analyze {

inline std::vector<ParamSpec> stft_param_specs(int n_fft, int step) {
    return {
        {"n_fft",
         ParamType::integer,
         std::to_string(n_fft),
         16,
         65536,
         {},
         "FFT size in samples, even: the frame length"},
        {"step",
         ParamType::integer,
         std::to_string(step),
         1,
         1048576,
         {},
         "hop between frame starts, in samples"},
        {"window",
         ParamType::choice,
         "hann",
         0,
         0,
         {"hann", "hamming", "blackman", "rect"},
         "analysis window (periodic)"},
    };
}

struct StftShape {
    int n_fft = 2048;
    int step = 512;
    dsp::Window window = dsp::Window::hann;
    // 2 / sum(window): |X_k| times this is 1.0 at the bin of a full-scale sine centred on a
    // bin, whatever n_fft and window.
    double gain = 1.0;
    int bins() const { return n_fft / 2 + 1; }
};

// Reads n_fft, step and window; an odd n_fft is a usage error.
inline StftShape stft_shape(const std::string &analyzer, const Params &p) {
    StftShape s;
    s.n_fft = static_cast<int>(p.integer("n_fft"));
    s.step = static_cast<int>(p.integer("step"));
    if (s.n_fft % 2 != 0)
        throw UsageError("-p " + analyzer + ".n_fft=" + std::to_string(s.n_fft) + ": must be even");
    s.window = *dsp::parse_window(p.text("window"));
    double sum = 0.0;
    for (float w : dsp::make_window(s.window, s.n_fft))
        sum += w;
    s.gain = 2.0 / sum;
    return s;
}

// The words every spectral analyzer's description shares.
inline const char *stft_words() {
    return "Frames come from the shared STFT of the mono signal: frame i holds the samples "
           "[i*step, i*step + n_fft), multiplied by the window; its time is its start. "
           "Magnitudes are normalised: m_k = |X_k| * 2 / sum(window), so a full-scale sine "
           "centred on bin k gives m_k = 1 whatever n_fft and window, and P_k = m_k^2 is the "
           "power. Bin k is at f_k = k * rate / n_fft Hz, k = 0 .. n_fft/2.";
}

} // namespace ts::analyze
