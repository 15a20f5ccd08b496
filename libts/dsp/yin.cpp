// YIN and yinfft: the difference functions by FFT, then the shared normalisation and search.
#include "dsp/yin.hpp"

#include "dsp/window.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <numbers>

namespace ts::dsp {
namespace {

// aubio's yinfft weighting: an outer/middle-ear transfer curve (dB at the given frequencies),
// interpolated linearly in dB between the points and held beyond the last one.
constexpr double ear_hz[] = {0,    20,   25,   31.5, 40,   50,   63,    80,    100,   125,  160,  200,
                             250,  315,  400,  500,  630,  800,  1000,  1250,  1600,  2000, 2500, 3150,
                             4000, 5000, 6300, 8000, 9000, 10000, 12500, 15000, 20000, 25100};
constexpr double ear_db[] = {-75.8, -70.1, -60.8, -52.1, -44.2, -37.5, -31.3, -25.6, -20.9,
                             -16.5, -12.6, -9.6,  -7.0,  -4.7,  -3.0,  -1.8,  -0.8,  -0.2,
                             0.0,   0.5,   1.6,   3.2,   5.4,   7.8,   8.1,   5.3,   -2.4,
                             -11.1, -12.8, -12.2, -7.4,  -17.8, -17.8, -17.8};
static_assert(std::size(ear_hz) == std::size(ear_db));

double ear_weight_db(double hz) {
    constexpr std::size_t n = std::size(ear_hz);
    if (hz >= ear_hz[n - 1])
        return ear_db[n - 1];
    std::size_t j = 1;
    while (ear_hz[j] < hz)
        ++j;
    const double a = (hz - ear_hz[j - 1]) / (ear_hz[j] - ear_hz[j - 1]);
    return ear_db[j - 1] + a * (ear_db[j] - ear_db[j - 1]);
}

// The abscissa of the vertex of the parabola through (i-1, y[i-1]), (i, y[i]), (i+1, y[i+1]),
// kept within one sample of i.
template <class T> double vertex(const T *y, int i) {
    const double a = y[i - 1], b = y[i], c = y[i + 1];
    const double den = a - 2.0 * b + c;
    if (!(den > 0.0))
        return i;
    return i + std::clamp(0.5 * (a - c) / den, -1.0, 1.0);
}

// d(t) = sum_{j<w} (x_j - x_{j+t})^2 for t = tau - 1, tau, tau + 1 in one pass.
void raw_differences(const float *x, int w, int tau, double *out) {
    const float *y = x + tau - 1;
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f;
#pragma omp simd reduction(+ : s0, s1, s2)
    for (int j = 0; j < w; ++j) {
        const float a = x[j];
        const float d0 = a - y[j], d1 = a - y[j + 1], d2 = a - y[j + 2];
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
    }
    out[0] = s0;
    out[1] = s1;
    out[2] = s2;
}

// out[t] = d[t] t / sums[t], or 1 where sums[t] is 0, for t in [1, n): branch-free so that it
// vectorises.
void normalise(const float *__restrict d, const float *__restrict sums, float *__restrict out,
               int n) {
#pragma omp simd
    for (int t = 1; t < n; ++t) {
        // sums[t] is 0 only when every d up to t is: then (0 + 1) / (0 + 1).
        const float none = sums[t] > 0.0f ? 0.0f : 1.0f;
        out[t] = (d[t] * static_cast<float>(t) + none) / (sums[t] + none);
    }
}

} // namespace

int Yin::lag_limit(YinMethod method, int block) {
    return method == YinMethod::yin ? block / 2 - 2 : block / 2 - 1;
}

Yin::Yin(YinMethod method, int block, double rate, int min_lag, int max_lag, double threshold,
         bool refine, bool follow)
    : method_(method), refine_(refine), follow_(refine && follow), block_(block), min_lag_(std::max(min_lag, 2)),
      max_lag_(std::min(max_lag, lag_limit(method, block))),
      short_period_(static_cast<int>(std::lround(rate / 1300.0))), threshold_(threshold),
      fft_(block), buf_(static_cast<std::size_t>(block) + 1),
      spec_a_(static_cast<std::size_t>(block / 2 + 1)),
      spec_b_(static_cast<std::size_t>(block / 2 + 1)),
      diff_(static_cast<std::size_t>(block / 2 + 1)), corr_(static_cast<std::size_t>(block / 2 + 1)),
      norm_(static_cast<std::size_t>(std::max(max_lag_ + 2, 1)), 1.0f), fdiff_(norm_.size()),
      sums_(norm_.size()) {
    if (method == YinMethod::yinfft) {
        window_ = make_window(Window::hann, block);
        if (follow_) {
            // Weighted towards the frame's newest samples: Hann times ((i + 1/2) / N)^4.
            late_window_ = window_;
            for (int i = 0; i < block; ++i)
                late_window_[static_cast<std::size_t>(i)] *=
                    static_cast<float>(std::pow((i + 0.5) / block, 4.0));
            late_norm_.assign(norm_.size(), 1.0f);
        }
        const int m = block / 2;
        if (m % 2 == 0) {
            half_fft_.emplace(m);
            for (int j = 0; j <= m / 2; ++j) {
                half_sin_.push_back(static_cast<float>(std::sin(std::numbers::pi * j / m)));
                half_cos_.push_back(static_cast<float>(std::cos(std::numbers::pi * j / m)));
            }
        }
        weight_.resize(static_cast<std::size_t>(block / 2 + 1));
        for (int k = 0; k <= block / 2; ++k)
            weight_[static_cast<std::size_t>(k)] =
                static_cast<float>(std::pow(10.0, ear_weight_db(k * rate / block) / 20.0));
    }
}

void Yin::inverse(const std::complex<float> *y, int count, double *c) {
    const int n = block_, half = n / 2;
    buf_[0] = y[0].real() + y[0].imag();
    buf_[static_cast<std::size_t>(half)] = y[half].real() + y[half].imag();
    for (int k = 1; k < half; ++k) {
        buf_[static_cast<std::size_t>(k)] = y[k].real() + y[k].imag();
        buf_[static_cast<std::size_t>(n - k)] = y[k].real() - y[k].imag();
    }
    fft_.forward(buf_.data(), spec_b_.data());
    const double scale = 1.0 / n;
    for (int i = 0; i < count; ++i)
        c[i] = (static_cast<double>(spec_b_[static_cast<std::size_t>(i)].real()) +
                spec_b_[static_cast<std::size_t>(i)].imag()) *
               scale;
}

// d(tau) = sum_{j<W} (x_j - x_{j+tau})^2 = e(0) + e(tau) - 2 c(tau), W = block/2, with
// e(tau) = sum_{j<W} x_{j+tau}^2 from running sums and c(tau) = sum_{j<W} x_j x_{j+tau} the
// cross-correlation of the first half with the frame: the inverse FFT of conj(A) X, where A is
// the spectrum of the first half padded with zeros (no circular wrap, as j + tau < block).
void Yin::difference_yin(const float *x) {
    const int n = block_, w = n / 2, lags = max_lag_ + 2;
    std::copy(x, x + w, buf_.begin());
    std::fill(buf_.begin() + w, buf_.end(), 0.0f);
    fft_.forward(buf_.data(), spec_a_.data());
    fft_.forward(x, spec_b_.data());
    for (int k = 0; k <= w; ++k)
        spec_a_[static_cast<std::size_t>(k)] =
            std::conj(spec_a_[static_cast<std::size_t>(k)]) * spec_b_[static_cast<std::size_t>(k)];
    inverse(spec_a_.data(), lags, corr_.data());
    double e = 0.0;
    for (int j = 0; j < w; ++j)
        e += static_cast<double>(x[j]) * x[j];
    const double e0 = e;
    for (int tau = 0; tau < lags; ++tau) {
        diff_[static_cast<std::size_t>(tau)] =
            std::max(0.0, e0 + e - 2.0 * corr_[static_cast<std::size_t>(tau)]);
        // slide the energy window one sample on: drop x[tau], take in x[tau + w]
        e += static_cast<double>(x[tau + w]) * x[tau + w] - static_cast<double>(x[tau]) * x[tau];
    }
    diff_[0] = 0.0;
}

// s_j = (y_j + y_{M-j})/2 -/+ sin(pi j/M) (y_j - y_{M-j}) at j and M - j, S = FFT_M(s): then
// G[2k] = 2 Re S_k and G[2k+1] = G[2k-1] - 2 Im S_k, from G[1] = y_0 - y_M + 2 sum_j
// cos(pi j/M) (y_j - y_{M-j}) (Numerical Recipes' cosft1), M = N/2.
void Yin::cosine_transform(const float *y) {
    const int m = block_ / 2;
    if (!half_fft_) { // N/2 odd: the full transform of the mirrored sequence
        for (int k = 1; k < m; ++k)
            buf_[static_cast<std::size_t>(block_ - k)] = y[k];
        if (y != buf_.data())
            std::copy(y, y + m + 1, buf_.begin());
        fft_.forward(buf_.data(), spec_b_.data());
        for (int t = 0; t <= m; ++t)
            diff_[static_cast<std::size_t>(t)] = spec_b_[static_cast<std::size_t>(t)].real();
        return;
    }
    float *s = buf_.data() + m + 1; // after y in buf_, m floats
    double odd = 0.5 * (static_cast<double>(y[0]) - y[m]);
    s[0] = 0.5f * (y[0] + y[m]);
    for (int j = 1; j <= m / 2; ++j) {
        const float mean = 0.5f * (y[j] + y[m - j]), dif = y[j] - y[m - j];
        const float w = half_sin_[static_cast<std::size_t>(j)] * dif;
        s[j] = mean - w;
        s[m - j] = mean + w;
        odd += static_cast<double>(half_cos_[static_cast<std::size_t>(j)]) * dif;
    }
    half_fft_->forward(s, spec_b_.data());
    for (int k = 0; k <= m / 2; ++k)
        diff_[static_cast<std::size_t>(2 * k)] = 2.0 * spec_b_[static_cast<std::size_t>(k)].real();
    double g = 2.0 * odd;
    diff_[1] = g;
    for (int k = 1; k < m / 2; ++k) {
        g -= 2.0 * spec_b_[static_cast<std::size_t>(k)].imag();
        diff_[static_cast<std::size_t>(2 * k + 1)] = g;
    }
}

// aubio's yinfft: the Hann-windowed frame's power spectrum weighted by the ear curve, P_k; its
// inverse transform is a (circular) autocorrelation r, and d(tau) = N (r(0) - r(tau)) =
// sum_k P_k (1 - cos(2 pi k tau / N)) over the whole circle of N bins.
void Yin::difference_yinfft(const float *x, const std::vector<float> &window) {
    const int n = block_, half = n / 2, lags = max_lag_ + 2;
    float *w = buf_.data();
    for (int i = 0; i < n; ++i)
        w[i] = x[i] * window[static_cast<std::size_t>(i)];
    fft_.forward(w, spec_a_.data());
    float *p = buf_.data(); // P_0 .. P_{N/2}
    for (int k = 0; k <= half; ++k)
        p[k] = std::norm(spec_a_[static_cast<std::size_t>(k)]) * weight_[static_cast<std::size_t>(k)];
    float part[8] = {}; // in 8 lanes, so that it vectorises
    int k = 1;
    for (; k + 8 <= half; k += 8)
        for (int j = 0; j < 8; ++j)
            part[j] += p[k + j];
    double inner = 0.0;
    for (; k < half; ++k)
        inner += p[k];
    for (float v : part)
        inner += v;
    const double total = static_cast<double>(p[0]) + p[half] + 2.0 * inner;
    cosine_transform(p);
    for (int tau = 0; tau < lags; ++tau)
        diff_[static_cast<std::size_t>(tau)] =
            std::max(0.0, total - diff_[static_cast<std::size_t>(tau)]);
    diff_[0] = 0.0;
}

// From lag tau down the slope of YIN's time-domain difference to its local minimum (at most
// tau/2 lags away), and the vertex of the parabola through it there. The difference at lag t
// is taken over the frame's newest samples, d_n(t) = sum_{j<N/2} (x_{a+j} - x_{a+j+t})^2 with
// a = max(0, N/2 - t - 1), the same a for the three lags around t.
double Yin::refine(const float *x, int tau) const {
    const int w = block_ / 2, lo = std::max(min_lag_, 1), hi = max_lag_;
    double y[3];
    auto measure = [&] {
        raw_differences(x + (follow_ ? std::max(0, w - tau - 1) : (w - tau) / 2), w, tau, y);
    };
    measure();
    for (int moves = 0; moves < tau / 2; ++moves) {
        if (y[0] < y[1] && tau - 1 >= lo)
            --tau;
        else if (y[2] < y[1] && tau + 1 <= hi)
            ++tau;
        else
            break;
        measure();
    }
    return tau - 1 + vertex(y, 1);
}

// The cumulative mean normalised difference of diff_ into norm_: d'(0) = 1, d'(tau) =
// d(tau) tau / sum_{j=1..tau} d(j); 1 where the sum is 0 (digital silence).
void Yin::normalise_difference() {
    const int lags = max_lag_ + 2;
    float *d = fdiff_.data(), *sums = sums_.data();
    for (int tau = 0; tau < lags; ++tau)
        d[tau] = static_cast<float>(diff_[static_cast<std::size_t>(tau)]);
    // The running sums over lags 1.., in four chunks summed side by side (four independent
    // chains instead of one long one), then each chunk offset by the totals before it.
    const int count = lags - 1, chunk = (count + 3) / 4;
    float acc[4] = {};
    for (int i = 0; i < chunk; ++i)
        for (int c = 0; c < 4; ++c) {
            const int t = 1 + c * chunk + i;
            if (t < lags) {
                acc[c] += d[t];
                sums[t] = acc[c];
            }
        }
    float offset = 0.0f;
    for (int c = 0; c < 4; ++c) {
        const int from = 1 + c * chunk, to = std::min(lags, from + chunk);
        for (int t = from; t < to; ++t)
            sums[t] += offset;
        offset += acc[c];
    }
    norm_[0] = 1.0f;
    normalise(d, sums, norm_.data(), lags);
}

// The first lag in range holding the least d'.
int Yin::global_minimum(const std::vector<float> &norm) const {
    const float *dn = norm.data();
    float low = dn[min_lag_];
#pragma omp simd reduction(min : low)
    for (int t = min_lag_ + 1; t <= max_lag_; ++t)
        low = dn[t] < low ? dn[t] : low;
    int best = min_lag_;
    while (best < max_lag_ && dn[best] != low)
        ++best;
    return best;
}

YinEstimate Yin::estimate(const float *frame) {
    YinEstimate est;
    if (min_lag_ > max_lag_)
        return est;
    if (method_ == YinMethod::yin)
        difference_yin(frame);
    else
        difference_yinfft(frame, window_);

    normalise_difference();
    bool late = false;
    if (!late_window_.empty()) {
        // A frame whose newest samples, weighted so, show another period than the whole
        // frame holds a change of note: the newer note is the frame's.
        const int whole = global_minimum(norm_);
        std::swap(norm_, late_norm_);
        difference_yinfft(frame, late_window_);
        normalise_difference();
        const int newer = global_minimum(norm_);
        late = newer <= block_ / 4 && std::abs(newer - whole) > std::max(1.0, 0.03 * whole);
        if (!late)
            std::swap(norm_, late_norm_);
    }

    // The global minimum in range (the first lag holding it).
    const float *dn = norm_.data();
    int best = global_minimum(norm_);

    const float thr = static_cast<float>(threshold_);
    if (method_ == YinMethod::yin) {
        // The absolute threshold: the first dip below it, followed down to its minimum.
        for (int t = min_lag_; t <= max_lag_; ++t) {
            if (dn[t] < thr) {
                while (t < max_lag_ && dn[t + 1] < dn[t])
                    ++t;
                best = t;
                est.voiced = true;
                break;
            }
        }
        est.aperiodicity = dn[best];
        // The abscissa from the raw difference d, which the normalisation does not bias.
        est.period = vertex(diff_.data(), best);
    } else {
        est.voiced = dn[best] < thr;
        if (est.voiced && best <= short_period_) {
            const int halfp = (best + 1) / 2; // aubio's octave check at high pitches
            if (halfp >= min_lag_ && dn[halfp] < thr)
                best = halfp;
        }
        if (refine_ && est.voiced) {
            // A period shorter than a lag or two can fall between lags, so that a multiple of
            // it scores lower: the shortest sub-multiple tau/k (k = 4, 3, 2) whose d' is
            // below 0.1 (YIN's threshold in the paper) near round(tau/k) is the period, when
            // d' interpolated between the lags there (the parabola's vertex) is as low as at
            // tau: only the lag grid kept it from being chosen. A weak fundamental (a
            // clarinet's, 18 dB under its third harmonic) leaves d'(tau/3) low but well
            // above d'(tau): tau is then the period.
            const double floor_at_best = 2.0 * dn[best] + 1e-3;
            for (int k = 4; k >= 2; --k) {
                const int c = static_cast<int>(std::lround(static_cast<double>(best) / k));
                if (c - 2 < min_lag_ || c + 2 > max_lag_)
                    continue;
                const int m = dn[c - 1] < dn[c] ? (dn[c - 1] < dn[c + 1] ? c - 1 : c + 1)
                                                : (dn[c] < dn[c + 1] ? c : c + 1);
                if (!(dn[m] < 0.1f))
                    continue;
                const double a = dn[m - 1], b = dn[m], e = dn[m + 1], den = a - 2.0 * b + e;
                const double low = den > 0.0 ? b - (a - e) * (a - e) / (8.0 * den) : b;
                if (low <= floor_at_best) {
                    best = m;
                    break;
                }
            }
        }
        est.aperiodicity = dn[best];
        est.period = refine_ ? refine(frame, best) : vertex(dn, best);
    }
    return est;
}

PitchTracker::PitchTracker(YinMethod method, int block, double rate, double fmin, double fmax,
                           double threshold, double silence_db, bool refine, bool follow)
    : yin_(method, block, rate, static_cast<int>(std::floor(rate / fmax)),
           static_cast<int>(std::ceil(rate / fmin)), threshold, refine, follow),
      block_(block), rate_(rate), silence_power_(std::pow(10.0, silence_db / 10.0)) {}

PitchFrame PitchTracker::track(const float *x) {
    PitchFrame out;
    double lane[8] = {};
    const int n = block_;
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; ++j)
            lane[j] += static_cast<double>(x[i + j]) * x[i + j];
    double sum = 0.0;
    for (; i < n; ++i)
        sum += static_cast<double>(x[i]) * x[i];
    for (double v : lane)
        sum += v;
    const double power = sum / n;
    out.power = static_cast<float>(power);
    if (!std::isfinite(power) || !(power >= silence_power_) || power <= 0.0) // NaN, Inf too
        return out;
    const YinEstimate e = yin_.estimate(x);
    out.confidence = static_cast<float>(std::clamp(1.0 - e.aperiodicity, 0.0, 1.0));
    if (e.voiced && e.period > 0.0) {
        out.voiced = true;
        out.f0 = static_cast<float>(rate_ / e.period);
    }
    return out;
}

} // namespace ts::dsp
