// Spectral peaks and their deviation from the equal-tempered grid, shared by the tuning and
// key analyzers.
#pragma once

#include "analyze/analyzer.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace ts::analyze {

// The parameters of a peak-based analyzer (tuning, key): its STFT and which peaks count.
inline std::vector<ParamSpec> peak_param_specs() {
    return {
        {"n_fft", ParamType::integer, "4096", 16, 65536, {}, "FFT size in samples, even"},
        {"step", ParamType::integer, "512", 1, 1048576, {}, "hop between frame starts, samples"},
        {"fmin", ParamType::number, "60", 0, 1e6, {}, "lowest peak frequency used, Hz"},
        {"fmax", ParamType::number, "5000", 1, 1e6, {}, "highest peak frequency used, Hz"},
        {"range", ParamType::number, "60", 1, 200, {},
         "peaks kept within this many dB of the frame's largest"},
    };
}

// Calls fn(f, w) for every local maximum k of the frame's magnitudes with f_k in [fmin,
// fmax] and |X_k| above the frame's largest such magnitude less range_db: f is the peak's
// frequency by Grandke's interpolation (exact for one sine under a hann window), w = |X_k|^2.
template <class Fn>
void for_each_peak(const Spectrum &s, double fmin, double fmax, double range_db, Fn &&fn) {
    const float *m = s.magnitude;
    const int k0 = std::max(2, static_cast<int>(std::ceil(fmin * s.n_fft / s.rate)));
    const int k1 = std::min(s.size - 3, static_cast<int>(std::floor(fmax * s.n_fft / s.rate)));
    float top = 0;
    for (int k = k0; k <= k1; ++k)
        top = std::max(top, m[k]);
    if (top <= 0)
        return;
    const float floor = top * static_cast<float>(std::pow(10.0, -range_db / 20.0));
    for (int k = k0; k <= k1; ++k) {
        if (!(m[k] > floor && m[k] > m[k - 1] && m[k] >= m[k + 1]))
            continue;
        const bool right = m[k + 1] > m[k - 1];
        const double a = (right ? m[k + 1] : m[k - 1]) / m[k];
        const double delta = (right ? 1 : -1) * (2 * a - 1) / (a + 1);
        const double f = (k + delta) * s.rate / s.n_fft;
        if (f > 0)
            fn(f, static_cast<double>(m[k]) * m[k]);
    }
}

// The power-weighted circular mean of the peaks' deviations from the 440 Hz equal-tempered
// grid: each peak adds the unit vector at angle 2π·(s − round(s)), s its semitones from 440 Hz.
struct GridDeviation {
    double re = 0, im = 0, weight = 0;
    void add(double semis, double w) {
        const double dev = semis - std::round(semis); // semitones in [-0.5, 0.5]
        re += w * std::cos(2 * std::numbers::pi * dev);
        im += w * std::sin(2 * std::numbers::pi * dev);
        weight += w;
    }
};

} // namespace ts::analyze
