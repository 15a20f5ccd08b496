// Onset detection functions (aubio's set, after Bello et al. 2005 and Dixon 2006) computed
// frame by frame from an STFT, and the adaptive-threshold peak picker over them.
#pragma once

#include <bit>
#include <complex>
#include <cstdint>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ts::dsp {

enum class OdfMethod { energy, hfc, complex, phase, specflux, specdiff, kl, mkl };

std::optional<OdfMethod> parse_odf_method(std::string_view name);
const std::vector<std::string> &odf_method_names();
// One line per method: the formula, for the analyzers' documentation.
const char *odf_method_formula(OdfMethod m);

// ln y for y >= 1 (finite), to within 2e-7: y = 2^e m with m in [sqrt(1/2), sqrt(2)), and
// ln m = 2 atanh(t), t = (m - 1) / (m + 1), |t| < 0.172, by its series to t^9. Written by
// hand, branch-free, so that the loops over bins vectorise (libm's log1pf took a third of
// the onsets analyzer's time).
inline float ln_at_least_1(float y) {
    const auto i = std::bit_cast<std::int32_t>(y);
    const std::int32_t e = (i - 0x3f3504f3) >> 23; // 0x3f3504f3: sqrt(1/2)
    const float m = std::bit_cast<float>(i - e * (1 << 23));
    const float t = (m - 1.0f) / (m + 1.0f), t2 = t * t;
    const float series =
        t * (2.0f + t2 * (2.0f / 3 + t2 * (2.0f / 5 + t2 * (2.0f / 7 + t2 * (2.0f / 9)))));
    return static_cast<float>(e) * 0.693147181f + series;
}

// The floor added to the previous magnitude in the kl and mkl ratios (-80 dB re full scale).
constexpr float odf_kl_floor = 1e-4f;

// Feed it the frames of one STFT in order; it keeps the one or two previous frames its
// method compares with. Frames before the first are taken as silent (magnitudes 0, phases 0).
class OnsetFunction {
  public:
    // bins = n_fft/2 + 1; gain scales |X_k| to the normalised magnitude m_k.
    OnsetFunction(OdfMethod method, int bins, float gain);
    // The ODF value of the next frame from its complex bins (magnitudes as |bins|, given).
    float next(const float *magnitude, const std::complex<float> *bins);

  private:
    OdfMethod method_;
    float gain_;
    double prev_sum_ = 0.0;                    // energy, hfc: the previous frame's sum
    std::vector<float> prev_;                  // previous normalised magnitudes
    std::vector<std::complex<float>> u1_, u2_; // unit phasors one and two frames back
};

struct PeakRule {
    double threshold = 0.3; // times the window's mean, above its median
    int half_window = 4;    // frames each side of the candidate for the median and mean
    int min_gap = 2;        // frames between two onsets, at least
    int after = -1;         // frames after the candidate in the window (-1: half_window)
    double smooth = 0.0;    // a: the ODF is first smoothed by (a, 1, a) / (1 + 2a)
};

// Indices i where odf[i] is a local maximum (>= left, > right), odf[i] > 0, odf[i] >
// median(W) + threshold * mean(W) with W = odf[i-h .. i+after] clipped to the array, loud[i]
// is true, and i is at least min_gap after the previous onset (the higher of two too-close
// peaks wins); odf is first smoothed when rule.smooth > 0.
std::vector<std::size_t> pick_onsets(const std::vector<float> &odf, const std::vector<bool> &loud,
                                     const PeakRule &rule);

} // namespace ts::dsp
