// Mel scale conversions and the sparse mel filterbank (the formulas of librosa.filters.mel).
#include "dsp/mel_filterbank.hpp"

#include <algorithm>
#include <cmath>

namespace ts::dsp {
namespace {

// Slaney's scale: linear part and log part meet at 1 kHz.
constexpr double f_sp = 200.0 / 3.0;
constexpr double min_log_hz = 1000.0;
constexpr double min_log_mel = min_log_hz / f_sp; // 15
const double log_step = std::log(6.4) / 27.0;

} // namespace

double hz_to_mel(double hz, MelScale scale) {
    if (scale == MelScale::htk)
        return 2595.0 * std::log10(1.0 + hz / 700.0);
    if (hz < min_log_hz)
        return hz / f_sp;
    return min_log_mel + std::log(hz / min_log_hz) / log_step;
}

double mel_to_hz(double mel, MelScale scale) {
    if (scale == MelScale::htk)
        return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
    if (mel < min_log_mel)
        return f_sp * mel;
    return min_log_hz * std::exp(log_step * (mel - min_log_mel));
}

MelFilterbank::MelFilterbank(int bands, int n_fft, double rate, double fmin, double fmax,
                             MelScale scale, bool slaney_norm) {
    const double mel_lo = hz_to_mel(fmin, scale), mel_hi = hz_to_mel(fmax, scale);
    edges_.resize(static_cast<std::size_t>(bands) + 2);
    for (std::size_t i = 0; i < edges_.size(); ++i)
        edges_[i] = mel_to_hz(mel_lo + (mel_hi - mel_lo) * static_cast<double>(i) /
                                           static_cast<double>(bands + 1),
                              scale);
    const int n_bins = n_fft / 2 + 1;
    const double bin_hz = rate / n_fft;
    bands_.resize(static_cast<std::size_t>(bands));
    for (int b = 0; b < bands; ++b) {
        const double lo = edges_[static_cast<std::size_t>(b)];
        const double mid = edges_[static_cast<std::size_t>(b) + 1];
        const double hi = edges_[static_cast<std::size_t>(b) + 2];
        const double norm = slaney_norm ? 2.0 / (hi - lo) : 1.0;
        MelBand &band = bands_[static_cast<std::size_t>(b)];
        // Same arithmetic as librosa: max(0, min((f - lo) / (mid - lo), (hi - f) / (hi - mid))).
        for (int k = 0; k < n_bins; ++k) {
            const double f = k * bin_hz;
            const double w = std::max(0.0, std::min((f - lo) / (mid - lo), (hi - f) / (hi - mid)));
            if (w <= 0.0)
                continue;
            if (band.weights.empty())
                band.first = k;
            // Keep the run contiguous: zeros inside it (none for a triangle) stay as zeros.
            band.weights.resize(static_cast<std::size_t>(k - band.first) + 1, 0.0f);
            band.weights.back() = static_cast<float>(w * norm);
        }
    }
}

void MelFilterbank::apply(const float *power, float *out) const {
    for (std::size_t b = 0; b < bands_.size(); ++b) {
        const MelBand &band = bands_[b];
        const float *p = power + band.first;
        const float *w = band.weights.data();
        const std::size_t n = band.weights.size();
        float sum = 0.0f;
        for (std::size_t i = 0; i < n; ++i)
            sum += w[i] * p[i];
        out[b] = sum;
    }
}

} // namespace ts::dsp
