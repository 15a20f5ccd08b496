// Unit tests: loudness (K-weighting design, true-peak interpolation).
#include <doctest/doctest.h>

#include "dsp/loudness_filters.hpp"
#include "dsp/true_peak.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

using ts::dsp::k_weighting;
using ts::dsp::k_weighting_gain_db;

TEST_CASE("K-weighting at 48 kHz equals the coefficients published in BS.1770-4") {
    const auto k = k_weighting(48000);
    const double eps = 1e-6;
    CHECK(std::fabs(k.shelf.b0 - 1.53512485958697) < eps);
    CHECK(std::fabs(k.shelf.b1 - -2.69169618940638) < eps);
    CHECK(std::fabs(k.shelf.b2 - 1.19839281085285) < eps);
    CHECK(std::fabs(k.shelf.a1 - -1.69065929318241) < eps);
    CHECK(std::fabs(k.shelf.a2 - 0.73248077421585) < eps);
    CHECK(std::fabs(k.highpass.b0 - 1.0) < eps);
    CHECK(std::fabs(k.highpass.b1 - -2.0) < eps);
    CHECK(std::fabs(k.highpass.b2 - 1.0) < eps);
    CHECK(std::fabs(k.highpass.a1 - -1.99004745483398) < eps);
    CHECK(std::fabs(k.highpass.a2 - 0.99007225036621) < eps);
}

TEST_CASE("K-weighting has the same response at every rate") {
    const auto k48 = k_weighting(48000);
    // The curve: about -14 dB at 20 Hz (high-pass), +0.70 dB at 1 kHz, +4 dB up high (shelf).
    CHECK(k_weighting_gain_db(k48, 1000, 48000) == doctest::Approx(0.70).epsilon(0.01));
    CHECK(k_weighting_gain_db(k48, 10000, 48000) == doctest::Approx(4.0).epsilon(0.02));
    CHECK(k_weighting_gain_db(k48, 20, 48000) < -10.0);
    for (int rate : {44100, 88200, 96000, 192000}) {
        const auto k = k_weighting(rate);
        for (double f : {20.0, 50.0, 100.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0, 15000.0}) {
            CAPTURE(rate);
            CAPTURE(f);
            CHECK(std::fabs(k_weighting_gain_db(k, f, rate) - k_weighting_gain_db(k48, f, 48000)) <
                  0.01);
        }
    }
}

TEST_CASE("KFilter streams: the result does not depend on how the input is cut") {
    const auto k = k_weighting(44100);
    std::vector<float> x(10000);
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<float>(std::sin(0.05 * static_cast<double>(i)) * 0.5);
    ts::dsp::KFilter whole(k), parts(k);
    const double a = whole.process(x.data(), 1, x.size());
    const double b = parts.process(x.data(), 1, 3333) + parts.process(x.data() + 3333, 1, 6667);
    CHECK(a == doctest::Approx(b).epsilon(1e-12));
}

TEST_CASE("KFilter::process_pair equals two process() calls") {
    const auto k = k_weighting(48000);
    std::vector<float> x(2 * 5000);
    for (std::size_t i = 0; i < 5000; ++i) {
        x[2 * i] = static_cast<float>(std::sin(0.03 * static_cast<double>(i)));
        x[2 * i + 1] = static_cast<float>(0.3 * std::cos(0.2 * static_cast<double>(i)));
    }
    ts::dsp::KFilter a(k), b(k), c(k), d(k);
    double sa = 0, sb = 0;
    ts::dsp::KFilter::process_pair(a, b, x.data(), x.data() + 1, 2, 2000, sa, sb);
    ts::dsp::KFilter::process_pair(a, b, x.data() + 4000, x.data() + 4001, 2, 3000, sa, sb);
    CHECK(sa == doctest::Approx(c.process(x.data(), 2, 5000)).epsilon(1e-12));
    CHECK(sb == doctest::Approx(d.process(x.data() + 1, 2, 5000)).epsilon(1e-12));
}

TEST_CASE("true-peak interpolator: error of each phase below 0.01 dB up to 0.4 x rate") {
    for (int factor : {4, 2}) {
        const auto ip = ts::dsp::design_interpolator(factor);
        double worst = 0;
        for (double f = 0.001; f <= 0.4; f += 0.001)
            for (int p = 1; p < factor; ++p) {
                std::complex<double> h = 0;
                for (int k = 0; k < ip.taps; ++k)
                    h += static_cast<double>(
                             ip.coef[static_cast<std::size_t>((p - 1) * ip.taps + k)]) *
                         std::polar(1.0, 2 * std::numbers::pi * f * k);
                // The ideal is the signal half way through the taps, p/factor further on.
                const double at = ip.taps / 2 - 1 + static_cast<double>(p) / factor;
                worst =
                    std::max(worst, std::abs(h - std::polar(1.0, 2 * std::numbers::pi * f * at)));
            }
        CAPTURE(factor);
        CHECK(20 * std::log10(1 + worst) < 0.01);
    }
}

namespace {

// Largest interpolated value of a sine at `f` (cycles per sample) and `phase`, with a fade
// in and out so that the start and the end add no ringing.
double sine_true_peak(int rate, double f, double phase, int channels = 1) {
    const std::size_t n = 20000, fade = 2000;
    std::vector<float> x(n * static_cast<std::size_t>(channels), 0.0f);
    for (std::size_t i = 0; i < n; ++i) {
        double g = 1.0;
        if (i < fade)
            g = 0.5 - 0.5 * std::cos(std::numbers::pi * static_cast<double>(i) / fade);
        if (i >= n - fade)
            g = 0.5 - 0.5 * std::cos(std::numbers::pi * static_cast<double>(n - 1 - i) / fade);
        x[i * static_cast<std::size_t>(channels) + static_cast<std::size_t>(channels - 1)] =
            static_cast<float>(g *
                               std::cos(2 * std::numbers::pi * f * static_cast<double>(i) + phase));
    }
    ts::dsp::TruePeak tp(rate, channels);
    tp.process(x.data(), n);
    tp.flush();
    return 20 * std::log10(tp.peak());
}

} // namespace

TEST_CASE("true peak: oversampling factor and interpolator") {
    CHECK(ts::dsp::true_peak_factor(44100) == 4);
    CHECK(ts::dsp::true_peak_factor(48000) == 4);
    CHECK(ts::dsp::true_peak_factor(96000) == 2);
    CHECK(ts::dsp::true_peak_factor(192000) == 1);
    const auto ip = ts::dsp::design_interpolator(4);
    REQUIRE(ip.coef.size() == 3 * 24);
    for (int p = 0; p < 3; ++p) {
        double sum = 0;
        for (int k = 0; k < 24; ++k)
            sum += ip.coef[static_cast<std::size_t>(p * 24 + k)];
        CHECK(sum == doctest::Approx(1.0).epsilon(1e-6));
    }
    // Phase 2 of 4 (half a sample) is symmetric.
    for (int k = 0; k < 12; ++k)
        CHECK(ip.coef[static_cast<std::size_t>(24 + k)] ==
              doctest::Approx(ip.coef[static_cast<std::size_t>(24 + 23 - k)]));
}

TEST_CASE("true peak of sines whose samples miss the crest") {
    // fs/4 at 45 degrees: the samples are +-0.707 (-3.01 dB), the wave reaches 1.0; at 4x the
    // interpolated points fall exactly on the crests.
    CHECK(std::fabs(sine_true_peak(48000, 0.25, std::numbers::pi / 4)) < 0.02);
    // In the last of two channels too.
    CHECK(std::fabs(sine_true_peak(44100, 0.25, std::numbers::pi / 4, 2)) < 0.02);
    // Other frequencies: never above the true 0 dB by more than the filter's ripple, and never
    // below by more than 4x sampling can miss (cos(pi f / 4)).
    for (double f : {0.05, 0.1, 0.2, 0.3, 0.37, 0.41}) {
        for (double ph : {0.0, 0.3, 0.7, 1.1}) {
            CAPTURE(f);
            CAPTURE(ph);
            const double tp = sine_true_peak(44100, f, ph);
            CHECK(tp < 0.02);
            CHECK(tp > 20 * std::log10(std::cos(std::numbers::pi * f / 4)) - 0.02);
        }
    }
    // 2x at 96 kHz: a sine at a quarter of the rate and 45 degrees reads at least the 2x
    // points (cos(pi/8) = -0.69 dB).
    const double tp96 = sine_true_peak(96000, 0.25, std::numbers::pi / 4);
    CHECK(tp96 > -0.7);
    CHECK(tp96 < 0.02);
    // A constant interpolates to itself (after a smooth start: a step would ring).
    std::vector<float> dc(5000, 0.5f);
    for (std::size_t i = 0; i < 2000; ++i)
        dc[i] = static_cast<float>(
            0.25 - 0.25 * std::cos(std::numbers::pi * static_cast<double>(i) / 2000));
    ts::dsp::TruePeak tp(44100, 1);
    tp.process(dc.data(), dc.size());
    CHECK(tp.peak() == doctest::Approx(0.5).epsilon(1e-5));
}
