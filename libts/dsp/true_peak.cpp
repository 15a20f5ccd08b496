// True-peak measurement: polyphase windowed-sinc oversampling, evaluated only where it can
// raise the peak found so far.
#include "dsp/true_peak.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

// The kernel is compiled twice on x86-64, for the baseline and for AVX2 + FMA, and the
// loader picks one for the CPU (GCC function multi-versioning): twice the speed where
// available, and still one portable binary.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define TS_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define TS_SIMD_CLONES
#endif

namespace ts::dsp {
namespace {

constexpr std::size_t chunk_frames = 4096; // samples of one channel per pass
constexpr std::size_t span = 128;          // outputs per skip decision

double sinc(double t) {
    if (t == 0)
        return 1;
    const double x = std::numbers::pi * t;
    return std::sin(x) / x;
}

// Largest |x[i]|, in eight independent lanes so that it vectorises.
inline float abs_max(const float *x, std::size_t n) {
    float lane[8] = {};
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (std::size_t t = 0; t < 8; ++t)
            lane[t] = std::max(lane[t], std::fabs(x[i + t]));
    float m = 0;
    for (; i < n; ++i)
        m = std::max(m, std::fabs(x[i]));
    for (float v : lane)
        m = std::max(m, v);
    return m;
}

// The interpolated values for outputs [0, len) of `x` (output j uses x[j .. j + taps)), and
// their largest absolute value. The phases come in pairs p and factor - p whose filters are
// each other reversed, plus the half-sample phase, which is symmetric; so with the folded
// sums s = x[j+k] + x[j+taps-1-k] and d = x[j+k] - x[j+taps-1-k] (k < taps/2) a pair is
// P +- Q with P = sum u_k s_k, Q = sum v_k d_k (u, v the half sum and difference of the
// pair's taps), and max(|P + Q|, |P - Q|) = |P| + |Q|. This halves the multiplications.
TS_SIMD_CLONES
float interpolated_max(const float *x, std::size_t len, const float *folded, int pairs, bool half,
                       std::size_t taps) {
    const std::size_t h = taps / 2;
    float p[span], q[span], y[span];
    float m = 0;
    for (int pair = 0; pair < pairs; ++pair) {
        const float *u = folded + static_cast<std::size_t>(2 * pair) * h;
        const float *v = u + h;
        std::fill(p, p + len, 0.0f);
        std::fill(q, q + len, 0.0f);
        for (std::size_t k = 0; k < h; ++k) {
            const float *a = x + k, *b = x + taps - 1 - k;
            const float uk = u[k], vk = v[k];
            for (std::size_t j = 0; j < len; ++j) {
                p[j] += uk * (a[j] + b[j]);
                q[j] += vk * (a[j] - b[j]);
            }
        }
        for (std::size_t j = 0; j < len; ++j)
            y[j] = std::fabs(p[j]) + std::fabs(q[j]);
        m = std::max(m, abs_max(y, len));
    }
    if (half) {
        const float *w = folded + static_cast<std::size_t>(2 * pairs) * h;
        std::fill(y, y + len, 0.0f);
        for (std::size_t k = 0; k < h; ++k) {
            const float *a = x + k, *b = x + taps - 1 - k;
            const float wk = w[k];
            for (std::size_t j = 0; j < len; ++j)
                y[j] += wk * (a[j] + b[j]);
        }
        m = std::max(m, abs_max(y, len));
    }
    return m;
}

} // namespace

int true_peak_factor(int rate) {
    return rate < 96000 ? 4 : rate < 192000 ? 2 : 1;
}

Interpolator design_interpolator(int factor, int taps, double beta) {
    Interpolator ip;
    ip.factor = factor;
    ip.taps = factor > 1 ? taps : 0;
    const double half = taps / 2.0;
    const double i0_beta = std::cyl_bessel_i(0.0, beta);
    for (int p = 1; p < factor; ++p) {
        std::vector<double> row(static_cast<std::size_t>(taps));
        double sum = 0;
        for (int k = 0; k < taps; ++k) {
            const double t = half - 1 - k + static_cast<double>(p) / factor;
            const double r = t / half;
            const double w =
                std::cyl_bessel_i(0.0, beta * std::sqrt(std::max(0.0, 1 - r * r))) / i0_beta;
            row[static_cast<std::size_t>(k)] = sinc(t) * w;
            sum += row[static_cast<std::size_t>(k)];
        }
        double abs_sum = 0;
        for (double &c : row) {
            c /= sum; // unit DC gain: a constant signal interpolates to itself
            abs_sum += std::fabs(c);
            ip.coef.push_back(static_cast<float>(c));
        }
        // A little above the exact sum, so float rounding in the filter cannot beat it.
        ip.gain_bound = std::max(ip.gain_bound, static_cast<float>(abs_sum * 1.0001));
    }
    return ip;
}

TruePeak::TruePeak(int rate, int channels)
    : ip_(design_interpolator(true_peak_factor(rate))), channels_(channels),
      history_(static_cast<std::size_t>(std::max(ip_.taps - 1, 0) * channels), 0.0f),
      buf_(chunk_frames + static_cast<std::size_t>(std::max(ip_.taps - 1, 0))) {
    // Fold the phases for interpolated_max: for each pair (p, factor - p), u then v; then
    // the half-sample phase's first half.
    const std::size_t taps = static_cast<std::size_t>(ip_.taps), h = taps / 2;
    auto row = [&](int p) { return ip_.coef.data() + static_cast<std::size_t>(p - 1) * taps; };
    // Phase factor - p is phase p reversed (the sinc and the window are even), so the pair
    // needs only phase p's taps.
    for (int p = 1; 2 * p < ip_.factor; ++p) {
        const float *a = row(p);
        for (std::size_t k = 0; k < h; ++k)
            folded_.push_back(0.5f * (a[k] + a[taps - 1 - k]));
        for (std::size_t k = 0; k < h; ++k)
            folded_.push_back(0.5f * (a[k] - a[taps - 1 - k]));
        ++pairs_;
    }
    half_ = ip_.factor % 2 == 0 && ip_.factor > 1;
    if (half_)
        folded_.insert(folded_.end(), row(ip_.factor / 2), row(ip_.factor / 2) + h);
}

void TruePeak::process(const float *x, std::size_t frames) {
    const std::size_t ch = static_cast<std::size_t>(channels_);
    const std::size_t hist = static_cast<std::size_t>(std::max(ip_.taps - 1, 0));
    for (std::size_t off = 0; off < frames; off += chunk_frames) {
        const std::size_t n = std::min(chunk_frames, frames - off);
        for (std::size_t c = 0; c < ch; ++c) {
            float *h = history_.data() + c * hist;
            std::copy(h, h + hist, buf_.begin());
            const float *src = x + off * ch + c;
            for (std::size_t i = 0; i < n; ++i)
                buf_[hist + i] = src[i * ch];
            run(buf_.data(), n);
            std::copy(buf_.begin() + static_cast<std::ptrdiff_t>(n),
                      buf_.begin() + static_cast<std::ptrdiff_t>(n + hist), h);
        }
    }
}

void TruePeak::flush() {
    const std::size_t hist = static_cast<std::size_t>(std::max(ip_.taps - 1, 0));
    std::vector<float> zeros(hist * static_cast<std::size_t>(channels_), 0.0f);
    process(zeros.data(), hist);
}

// buf holds taps - 1 samples of history then n new ones; output j (for j < n) interpolates
// between buf[j + taps/2 - 1] and the next sample.
void TruePeak::run(const float *buf, std::size_t n) {
    const std::size_t hist = static_cast<std::size_t>(std::max(ip_.taps - 1, 0));
    float peak = std::max(peak_, abs_max(buf + hist, n));
    if (ip_.factor > 1)
        for (std::size_t j0 = 0; j0 < n; j0 += span) {
            const std::size_t len = std::min(span, n - j0);
            // No interpolated value can exceed bound * (largest sample it is made of).
            if (abs_max(buf + j0, len + hist) * ip_.gain_bound <= peak)
                continue;
            peak = std::max(peak, interpolated_max(buf + j0, len, folded_.data(), pairs_, half_,
                                                   static_cast<std::size_t>(ip_.taps)));
        }
    peak_ = peak;
}

} // namespace ts::dsp
