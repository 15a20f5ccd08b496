// K-weighting filters of ITU-R BS.1770-4 for any sample rate, and their streaming runner.
#include "dsp/loudness_filters.hpp"

#include <cmath>
#include <complex>
#include <numbers>
#include <utility>
#include <vector>

namespace ts::dsp {
namespace {

// BS.1770 publishes the two stages only as 48 kHz coefficients. These analog parameters are
// the ones those coefficients come from (the fit that libebur128 and the EBU's own tools
// use): with the bilinear transform pre-warped at the corner, they give the published
// values back at 48 kHz, and the same curve at any other rate.
constexpr double shelf_f0 = 1681.974450955533; // Hz
constexpr double shelf_gain_db = 3.999843853973347;
constexpr double shelf_q = 0.7071752369554196;
constexpr double shelf_vb_exponent = 0.4996667741545416; // band gain = Vh^this
constexpr double hp_f0 = 38.13547087602444;              // Hz
constexpr double hp_q = 0.5003270373238773;

double prewarp(double f0, double rate) {
    return std::tan(std::numbers::pi * f0 / rate);
}

// The high-pass prototype is H(s) = g s^2 / (s^2 + s w0/Q + w0^2) with the passband gain g
// that makes the published numerator exactly 1, -2, 1 at 48 kHz (g = 1.00499…, +0.043 dB, part
// of the +0.69 dB at 1 kHz that the -0.691 of the loudness formula cancels). Keeping g fixed,
// rather than the numerator, keeps the response independent of the rate (a fixed 1, -2, 1
// would drift by 0.02 dB at 96 kHz).
double hp_norm(double rate) {
    const double k = prewarp(hp_f0, rate);
    return 1.0 + k / hp_q + k * k;
}

// Below 48 kHz the bilinear transform squeezes the shelf's curve into the shorter band: at
// 8 kHz it departs from the 48 kHz response by up to 0.28 dB (0.2 LU on speech). So there the
// shelf's five coefficients are fitted (Levenberg-Marquardt, from the bilinear design) to the
// 48 kHz filter's response in dB at 400 frequencies up to the Nyquist frequency: 0.023 dB at
// most at 8 kHz, 0.002 at 16 kHz, under 0.0005 from 22.05 kHz up. The high-pass, far below
// any Nyquist frequency, needs no fit.
Biquad fit_shelf(Biquad f, double rate) {
    constexpr int points = 400, params = 5;
    const Biquad target = k_weighting(48000.0).shelf;
    std::vector<double> freq(points), want(points);
    for (int i = 0; i < points; ++i) {
        freq[i] = 10.0 + (rate / 2 * 0.999 - 10.0) * i / (points - 1);
        want[i] = biquad_gain_db(target, freq[i], 48000.0);
    }
    auto coef = [](Biquad &b, int k) -> double & {
        double *c[] = {&b.b0, &b.b1, &b.b2, &b.a1, &b.a2};
        return *c[k];
    };
    auto residuals = [&](const Biquad &b, std::vector<double> &r) {
        double cost = 0;
        for (int i = 0; i < points; ++i) {
            r[i] = biquad_gain_db(b, freq[i], rate) - want[i];
            cost += r[i] * r[i];
        }
        return cost;
    };
    std::vector<double> r(points), rk(points), jac(points * params);
    double cost = residuals(f, r), lambda = 1e-3;
    for (int iter = 0; iter < 100; ++iter) {
        for (int k = 0; k < params; ++k) {
            Biquad g = f;
            coef(g, k) += 1e-7;
            residuals(g, rk);
            for (int i = 0; i < points; ++i)
                jac[i * params + k] = (rk[i] - r[i]) / 1e-7;
        }
        // (J'J + lambda diag(J'J)) step = -J'r, by Gaussian elimination
        double a[params][params + 1] = {};
        for (int i = 0; i < points; ++i)
            for (int p = 0; p < params; ++p) {
                for (int q = 0; q < params; ++q)
                    a[p][q] += jac[i * params + p] * jac[i * params + q];
                a[p][params] -= jac[i * params + p] * r[i];
            }
        for (int p = 0; p < params; ++p)
            a[p][p] *= 1.0 + lambda;
        for (int p = 0; p < params; ++p) {
            int best = p;
            for (int q = p + 1; q < params; ++q)
                if (std::fabs(a[q][p]) > std::fabs(a[best][p]))
                    best = q;
            std::swap(a[p], a[best]);
            if (a[p][p] == 0)
                return f;
            for (int q = p + 1; q < params; ++q) {
                const double m = a[q][p] / a[p][p];
                for (int c = p; c <= params; ++c)
                    a[q][c] -= m * a[p][c];
            }
        }
        double step[params];
        for (int p = params - 1; p >= 0; --p) {
            double s = a[p][params];
            for (int c = p + 1; c < params; ++c)
                s -= a[p][c] * step[c];
            step[p] = s / a[p][p];
        }
        Biquad g = f;
        for (int k = 0; k < params; ++k)
            coef(g, k) += step[k];
        // a stable filter only: both poles inside the unit circle
        const bool stable = std::fabs(g.a2) < 1.0 && std::fabs(g.a1) < 1.0 + g.a2;
        const double c = stable ? residuals(g, rk) : cost + 1;
        if (c < cost) {
            f = g, cost = c, r.swap(rk);
            lambda *= 0.3;
        } else {
            lambda *= 10;
        }
    }
    return f;
}

} // namespace

KWeighting k_weighting(double rate) {
    KWeighting kw;
    {
        const double k = prewarp(shelf_f0, rate);
        const double vh = std::pow(10.0, shelf_gain_db / 20.0);
        const double vb = std::pow(vh, shelf_vb_exponent);
        const double a0 = 1.0 + k / shelf_q + k * k;
        kw.shelf.b0 = (vh + vb * k / shelf_q + k * k) / a0;
        kw.shelf.b1 = 2.0 * (k * k - vh) / a0;
        kw.shelf.b2 = (vh - vb * k / shelf_q + k * k) / a0;
        kw.shelf.a1 = 2.0 * (k * k - 1.0) / a0;
        kw.shelf.a2 = (1.0 - k / shelf_q + k * k) / a0;
        if (rate < 48000.0)
            kw.shelf = fit_shelf(kw.shelf, rate);
    }
    {
        const double k = prewarp(hp_f0, rate);
        const double a0 = hp_norm(rate);
        const double g = hp_norm(48000.0) / a0;
        kw.highpass.b0 = g;
        kw.highpass.b1 = -2.0 * g;
        kw.highpass.b2 = g;
        kw.highpass.a1 = 2.0 * (k * k - 1.0) / a0;
        kw.highpass.a2 = (1.0 - k / hp_q + k * k) / a0;
    }
    return kw;
}

double biquad_gain_db(const Biquad &f, double freq, double rate) {
    const std::complex<double> z1 = std::polar(1.0, -2.0 * std::numbers::pi * freq / rate);
    const std::complex<double> z2 = z1 * z1;
    const auto h = (f.b0 + f.b1 * z1 + f.b2 * z2) / (1.0 + f.a1 * z1 + f.a2 * z2);
    return 20.0 * std::log10(std::abs(h));
}

double k_weighting_gain_db(const KWeighting &k, double freq, double rate) {
    return biquad_gain_db(k.shelf, freq, rate) + biquad_gain_db(k.highpass, freq, rate);
}

namespace {

// One sample through both stages (transposed direct form II), in double: the high-pass
// pole sits 0.005 from the unit circle, where float states would add measurable error.
struct Stages {
    Biquad a, b;
    double s1, s2, t1, t2;
    double step(double in) {
        const double u = a.b0 * in + s1;
        s1 = a.b1 * in - a.a1 * u + s2;
        s2 = a.b2 * in - a.a2 * u;
        const double y = b.b0 * u + t1;
        t1 = b.b1 * u - b.a1 * y + t2;
        t2 = b.b2 * u - b.a2 * y;
        return y;
    }
};

// After the signal stops, the states decay towards zero and would spend a long stretch as
// denormals (each operation then costs ~100 cycles); 1e-30 is 600 dB down.
void flush_denormals(double &v) {
    if (std::fabs(v) < 1e-30)
        v = 0;
}

} // namespace

double KFilter::process(const float *x, std::size_t stride, std::size_t n) {
    // A local copy, so the compiler keeps the states in registers across the loop.
    Stages f{k_.shelf, k_.highpass, s1_, s2_, t1_, t2_};
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double y = f.step(x[i * stride]);
        sum += y * y;
    }
    s1_ = f.s1, s2_ = f.s2, t1_ = f.t1, t2_ = f.t2;
    flush_denormals(s1_), flush_denormals(s2_), flush_denormals(t1_), flush_denormals(t2_);
    return sum;
}

void KFilter::process_pair(KFilter &a, KFilter &b, const float *xa, const float *xb,
                           std::size_t stride, std::size_t n, double &sum_a, double &sum_b) {
    Stages fa{a.k_.shelf, a.k_.highpass, a.s1_, a.s2_, a.t1_, a.t2_};
    Stages fb{b.k_.shelf, b.k_.highpass, b.s1_, b.s2_, b.t1_, b.t2_};
    double sa = 0, sb = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double ya = fa.step(xa[i * stride]);
        const double yb = fb.step(xb[i * stride]);
        sa += ya * ya;
        sb += yb * yb;
    }
    sum_a += sa;
    sum_b += sb;
    for (auto [f, k] : {std::pair{&fa, &a}, std::pair{&fb, &b}}) {
        k->s1_ = f->s1, k->s2_ = f->s2, k->t1_ = f->t1, k->t2_ = f->t2;
        flush_denormals(k->s1_), flush_denormals(k->s2_);
        flush_denormals(k->t1_), flush_denormals(k->t2_);
    }
}

void KFilter::reset() {
    s1_ = s2_ = t1_ = t2_ = 0;
}

} // namespace ts::dsp
