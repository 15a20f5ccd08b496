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

// d(t) = sum_{j<w} (x_j - x_{j+t})^2.
double difference(const float *x, int w, int t) {
    const float *y = x + t;
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int j = 0; j < w; ++j) {
        const float d = x[j] - y[j];
        s += d * d;
    }
    return s;
}

// sum_{j<q} (u_j - u_{j+tau})^2 / sum_{j<q} (u_j^2 + u_{j+tau}^2) (0 when that is 0), and that
// denominator into energy.
float quarter_aperiodicity(const float *u, int q, int tau, float &energy) {
    const float *v = u + tau;
    float num = 0.0f, den = 0.0f;
#pragma omp simd reduction(+ : num, den)
    for (int j = 0; j < q; ++j) {
        const float d = u[j] - v[j];
        num += d * d;
        den += u[j] * u[j] + v[j] * v[j];
    }
    energy = den;
    return den > 0.0f ? num / den : 0.0f;
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
        const int late_max = std::min({max_lag, block / 4, lag_limit(method, block / 2)});
        if (follow_ && block >= 16 && block % 4 == 0 && std::max(min_lag, 2) <= late_max) {
            // The frame's newest half, weighted towards its newest samples: the second half
            // of the Hann window times ((i + 1/2) / N)^4, lags up to N/4 - 1 (none when the
            // lag range starts above that: a small block, a high fmin).
            late_ = std::make_unique<Yin>(method, block / 2, rate, min_lag,
                                          std::min(max_lag, block / 4), threshold);
            for (int i = 0; i < block / 2; ++i)
                late_->window_[static_cast<std::size_t>(i)] =
                    window_[static_cast<std::size_t>(i + block / 2)] *
                    static_cast<float>(std::pow((i + block / 2 + 0.5) / block, 4.0));
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
// tau/2 lags away), and the vertex of the parabola through it there. The difference is taken
// from a start a fixed for the walk, d_a(t) = sum_{j<N/2} (x_{a+j} - x_{a+j+t})^2, so that a
// step measures one lag more: a = (N/2 - tau)/2 (the frame's centre) or, newest, a = N/2 -
// tau - 1 (its newest samples); one sample earlier at each step up that would leave the frame.
double Yin::refine(const float *x, int tau, bool newest) const {
    const int w = block_ / 2, lo = std::max(min_lag_, 1), hi = max_lag_;
    int a = std::max(0, newest ? w - tau - 1 : (w - tau) / 2);
    double y[3];
    raw_differences(x + a, w, tau, y);
    for (int moves = 0; moves < tau / 2; ++moves) {
        if (y[0] < y[1] && tau - 1 >= lo) {
            --tau;
            y[2] = y[1];
            y[1] = y[0];
            y[0] = difference(x + a, w, tau - 1);
        } else if (y[2] < y[1] && tau + 1 <= hi) {
            ++tau;
            if (a + w + tau + 1 > block_) {
                a = std::max(0, block_ - w - tau - 1);
                raw_differences(x + a, w, tau, y);
            } else {
                y[0] = y[1];
                y[1] = y[2];
                y[2] = difference(x + a, w, tau + 1);
            }
        } else {
            break;
        }
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

Yin::Ends Yin::ends(const float *x, int tau) const {
    const int q = block_ / 4;
    Ends out;
    out.old_aperiodicity = quarter_aperiodicity(x, q, tau, out.old_energy);
    out.new_aperiodicity = quarter_aperiodicity(x + block_ - q - tau, q, tau, out.new_energy);
    return out;
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

    // The global minimum in range (the first lag holding it).
    const float *dn = norm_.data();
    int best = global_minimum(norm_);
    int lo = min_lag_, hi = max_lag_;
    bool newest = false, change = false;
    if (late_ && dn[best] < threshold_) {
        // The frame's ends at the whole frame's lag: a note that is not ending (the newest
        // quarter holds at least a fifth of the oldest one's energy, 7 dB under it at most)
        // is measured on the newest samples; and when they are also less periodic at that lag
        // than the oldest ones, by more than 0.3, the period changed inside the frame.
        const Ends e = ends(frame, best);
        newest = e.new_energy >= 0.2f * e.old_energy;
        change = newest && e.new_aperiodicity > e.old_aperiodicity + 0.3f;
        // Two notes can share a period, e.g. 220 Hz for 440 and 660 Hz, that leaves both ends
        // periodic: the newest quarter periodic at tau/2 or tau/3 (below 0.1) where the oldest
        // is not (0.3 more) holds a change too. Only where the whole frame's d' there is below
        // 1 (a single note's is near 2 half its period away): the time saved.
        const int q = block_ / 4;
        for (int k = 2; k <= 3 && newest && !change; ++k) {
            const int t = static_cast<int>(std::lround(static_cast<double>(best) / k));
            if (t >= lo && dn[t] < 1.0f) {
                float en = 0.0f, eo = 0.0f;
                const float rn = quarter_aperiodicity(frame + block_ - q - t, q, t, en);
                change = rn < 0.1f && quarter_aperiodicity(frame, q, t, eo) > rn + 0.3f;
            }
        }
    }
    if (change) {
        // The newest half, weighted towards its end: when it shows another period than the
        // whole frame, the newer note is the frame's.
        Yin &l = *late_;
        l.difference_yinfft(frame + block_ / 2, l.window_);
        l.normalise_difference();
        const int newer = l.global_minimum(l.norm_);
        if (std::abs(newer - best) > std::max(1.0, 0.03 * best)) {
            dn = l.norm_.data();
            best = newer;
            lo = l.min_lag_;
            hi = l.max_lag_;
        }
    }

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
        bool salient = false;
        if (est.voiced && best <= short_period_) {
            const int halfp = (best + 1) / 2; // aubio's octave check at high pitches
            if (halfp >= lo && dn[halfp] < thr)
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
            // The lowest d' among the lags next to round(best / k); -1 out of range.
            const auto sub_multiple = [&](int k) {
                const int c = static_cast<int>(std::lround(static_cast<double>(best) / k));
                if (c - 2 < lo || c + 2 > hi)
                    return -1;
                return dn[c - 1] < dn[c] ? (dn[c - 1] < dn[c + 1] ? c - 1 : c + 1)
                                         : (dn[c] < dn[c + 1] ? c : c + 1);
            };
            const double floor_at_best = 2.0 * dn[best] + 1e-3;
            for (int k = 4; k >= 2; --k) {
                const int m = sub_multiple(k);
                if (m < 0 || !(dn[m] < 0.1f))
                    continue;
                const double a = dn[m - 1], b = dn[m], e = dn[m + 1], den = a - 2.0 * b + e;
                const double low = den > 0.0 ? b - (a - e) * (a - e) / (8.0 * den) : b;
                if (low <= floor_at_best) {
                    best = m;
                    break;
                }
            }
            // A frame holding two notes (the one before still ringing) can leave their common
            // period lowest, e.g. 349 Hz under 1047 and 1397 Hz (3:4): the sub-multiple tau/k
            // (k = 4, 3, 2) is the period when it is voiced too and the salience of its first
            // three harmonics, sum_h |X(h f)| / h with f = N / period in bins (the greatest
            // magnitude within a bin of h f), is more than 2.5 times tau's. Those of tau/k are
            // harmonics of tau; tau's others, where a single note has its fundamental and
            // second harmonic, are then weak. A weak fundamental 18 dB under its third
            // harmonic scores 2.2 (kept).
            if (!change) {
                auto salience = [&](double period) {
                    const double f = block_ / period;
                    double s = 0.0;
                    for (int h = 1; h <= 3 && h * f + 1 < block_ / 2; ++h) {
                        const int b = static_cast<int>(std::lround(h * f));
                        float m = 0.0f;
                        for (int j = b - 1; j <= b + 1; ++j)
                            m = std::max(m, std::abs(spec_a_[static_cast<std::size_t>(j)]));
                        s += m / h;
                    }
                    return s;
                };
                const double here = salience(vertex(dn, best));
                for (int k = 4; k >= 2; --k) {
                    const int m = sub_multiple(k);
                    if (m >= 0 && dn[m] < thr && salience(vertex(dn, m)) > 2.5 * here) {
                        best = m;
                        salient = true;
                        break;
                    }
                }
            }
        }
        est.aperiodicity = dn[best];
        est.period = refine_ && !salient ? refine(frame, best, newest) : vertex(dn, best);
        if (salient) {
            // The sub-multiple's period from its fundamental's spectral peak (the vertex of
            // the parabola through the log magnitudes around the greatest bin within two of
            // N / period): d' of two notes is skewed by the other one.
            const int b0 = static_cast<int>(std::lround(block_ / est.period));
            int b = b0;
            for (int j = std::max(b0 - 2, 1); j <= std::min(b0 + 2, block_ / 2 - 1); ++j)
                if (std::abs(spec_a_[static_cast<std::size_t>(j)]) >
                    std::abs(spec_a_[static_cast<std::size_t>(b)]))
                    b = j;
            if (b >= 1 && b + 1 <= block_ / 2) {
                double y[3];
                for (int j = 0; j < 3; ++j)
                    y[j] = std::log(std::abs(spec_a_[static_cast<std::size_t>(b - 1 + j)]) + 1e-30);
                const double den = y[0] - 2.0 * y[1] + y[2];
                const double f =
                    b + (den < 0.0 ? std::clamp(0.5 * (y[0] - y[2]) / den, -0.5, 0.5) : 0.0);
                est.period = block_ / f;
            }
        }
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
    // In 16 float lanes (each sums block/16 squares: float is exact enough for a level, and
    // it vectorises twice as wide as double), then in double.
    float lane[16] = {};
    const int n = block_;
    int i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 16; ++j)
            lane[j] += x[i + j] * x[i + j];
    double sum = 0.0;
    for (; i < n; ++i)
        sum += static_cast<double>(x[i]) * x[i];
    for (float v : lane)
        sum += v;
    const double power = sum / n;
    out.power = static_cast<float>(power);
    analysed_ = false;
    if (!std::isfinite(power) || !(power >= silence_power_) || power <= 0.0) // NaN, Inf too
        return out;
    analysed_ = true;
    const YinEstimate e = yin_.estimate(x);
    out.confidence = static_cast<float>(std::clamp(1.0 - e.aperiodicity, 0.0, 1.0));
    if (e.voiced && e.period > 0.0) {
        out.voiced = true;
        out.f0 = static_cast<float>(rate_ / e.period);
    }
    return out;
}

} // namespace ts::dsp
