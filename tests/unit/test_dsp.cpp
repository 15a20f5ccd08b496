// Unit tests: dsp (windows, FFT, mel filterbank, DCT), against values computed by hand or with
// numpy from librosa's formulas.
#include <doctest/doctest.h>

#include "dsp/dct.hpp"
#include "dsp/fft.hpp"
#include "dsp/mel_filterbank.hpp"
#include "dsp/odf_superflux.hpp"
#include "dsp/onset.hpp"
#include "dsp/window.hpp"

#include <cmath>
#include <complex>
#include <numbers>
#include <numeric>
#include <vector>

using namespace ts::dsp;
using doctest::Approx;

namespace {

double sum(const std::vector<float> &v) {
    return std::accumulate(v.begin(), v.end(), 0.0);
}

std::vector<float> sine(int n, double cycles, double amplitude = 1.0) {
    std::vector<float> x(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        x[static_cast<std::size_t>(i)] =
            static_cast<float>(amplitude * std::sin(2 * std::numbers::pi * cycles * i / n));
    return x;
}

} // namespace

TEST_CASE("periodic windows have their known sums") {
    // Periodic (DFT-even) windows: the cosine terms sum to zero over a whole period.
    CHECK(sum(make_window(Window::hann, 2048)) == Approx(1024.0).epsilon(1e-6));
    CHECK(sum(make_window(Window::hamming, 2048)) == Approx(0.54 * 2048).epsilon(1e-6));
    CHECK(sum(make_window(Window::blackman, 2048)) == Approx(0.42 * 2048).epsilon(1e-6));
    CHECK(sum(make_window(Window::rect, 512)) == Approx(512.0));
    auto h = make_window(Window::hann, 8);
    CHECK(h[0] == 0.0f);
    CHECK(h[4] == Approx(1.0));
    CHECK(h[2] == Approx(0.5));
    CHECK(parse_window("blackman") == Window::blackman);
    CHECK_FALSE(parse_window("kaiser").has_value());
}

TEST_CASE("the FFT of a sine peaks at its bin with magnitude N/2") {
    const int n = 1024;
    RealFft fft(n);
    CHECK(fft.bins() == 513);
    auto x = sine(n, 37.0); // exactly 37 cycles in the frame: bin 37, no leakage
    std::vector<std::complex<float>> out(static_cast<std::size_t>(fft.bins()));
    fft.forward(x.data(), out.data());
    std::size_t peak = 0;
    for (std::size_t k = 0; k < out.size(); ++k)
        if (std::abs(out[k]) > std::abs(out[peak]))
            peak = k;
    CHECK(peak == 37);
    CHECK(std::abs(out[37]) == Approx(n / 2.0).epsilon(1e-5));
    CHECK(std::abs(out[36]) < 1e-2);
    CHECK(std::abs(out[0]) < 1e-2);

    // With a hann window the peak is sum(window) / 2 = N/4, and the neighbours half of it.
    auto w = make_window(Window::hann, n);
    for (int i = 0; i < n; ++i)
        x[static_cast<std::size_t>(i)] *= w[static_cast<std::size_t>(i)];
    fft.forward(x.data(), out.data());
    CHECK(std::abs(out[37]) == Approx(n / 4.0).epsilon(1e-5));
    CHECK(std::abs(out[38]) == Approx(n / 8.0).epsilon(1e-4));
}

TEST_CASE("both FFT backends (av_tx for powers of two, KissFFT otherwise) equal a direct DFT") {
    for (int n : {8, 1024, 4096, 1000, 6}) {
        CAPTURE(n);
        RealFft fft(n);
        std::vector<float> x(static_cast<std::size_t>(n));
        std::uint32_t state = 12345;
        for (auto &v : x) { // a fixed pseudo-random signal in [-1, 1)
            state = state * 1664525u + 1013904223u;
            v = static_cast<float>(state >> 8) / 8388608.0f - 1.0f;
        }
        std::vector<std::complex<float>> out(static_cast<std::size_t>(fft.bins()));
        fft.forward(x.data(), out.data());
        double worst = 0;
        for (int k = 0; k < fft.bins(); ++k) {
            std::complex<double> ref = 0;
            for (int i = 0; i < n; ++i)
                ref += static_cast<double>(x[static_cast<std::size_t>(i)]) *
                       std::polar(1.0, -2.0 * M_PI * k * i / n);
            worst = std::max(worst, std::abs(ref - std::complex<double>(out[static_cast<std::size_t>(k)])));
        }
        CHECK(worst < 1e-5 * n);
        // The input is left as it was.
        state = 12345;
        state = state * 1664525u + 1013904223u;
        CHECK(x[0] == static_cast<float>(state >> 8) / 8388608.0f - 1.0f);
    }
}

TEST_CASE("mel scales: slaney and htk") {
    CHECK(hz_to_mel(1000, MelScale::slaney) == Approx(15.0));
    CHECK(hz_to_mel(440, MelScale::slaney) == Approx(6.6));
    CHECK(hz_to_mel(4000, MelScale::slaney) == Approx(35.16376031461665));
    CHECK(mel_to_hz(30, MelScale::slaney) == Approx(2804.6441307389205));
    // 2595 log10(1 + 1000/700): 1000 mel to four digits, by design of the HTK formula.
    CHECK(hz_to_mel(1000, MelScale::htk) == Approx(999.9855371396246));
    CHECK(hz_to_mel(1000, MelScale::htk) == Approx(1000.0).epsilon(1e-4));
    for (double f : {0.0, 200.0, 999.0, 1000.0, 1001.0, 8000.0, 22050.0})
        for (auto s : {MelScale::slaney, MelScale::htk})
            CHECK(mel_to_hz(hz_to_mel(f, s), s) == Approx(f).epsilon(1e-9));
}

TEST_CASE("mel filterbank rows match librosa.filters.mel") {
    // Reference values: librosa.filters.mel(sr=16000, n_fft=512, n_mels=10) re-implemented
    // in numpy (first non-zero bin, last non-zero bin, the weight there and at the middle).
    struct Row {
        int band, first, last, mid_bin;
        double first_w, mid_w;
    };
    SUBCASE("slaney scale, slaney norm (librosa's defaults)") {
        MelFilterbank fb(10, 512, 16000, 0, 8000, MelScale::slaney, true);
        REQUIRE(fb.size() == 10);
        CHECK(fb.centre(0) == Approx(274.21600286));
        CHECK(fb.centre(1) == Approx(548.43200572));
        for (Row r : {Row{0, 1, 17, 9, 0.00041558936911830304, 0.0035532160383060303},
                      Row{4, 36, 62, 49, 0.00013143946137346066, 0.002056934217897688},
                      Row{9, 146, 255, 201, 7.122700224851815e-06, 0.000504777841821054}}) {
            const MelBand &b = fb.band(r.band);
            CAPTURE(r.band);
            CHECK(b.first == r.first);
            CHECK(b.first + static_cast<int>(b.weights.size()) - 1 == r.last);
            CHECK(b.weights.front() == Approx(r.first_w).epsilon(1e-5));
            CHECK(b.weights[static_cast<std::size_t>(r.mid_bin - r.first)] ==
                  Approx(r.mid_w).epsilon(1e-5));
        }
    }
    SUBCASE("htk scale, no norm: triangles peak near 1") {
        MelFilterbank fb(10, 512, 16000, 0, 8000, MelScale::htk, false);
        CHECK(fb.centre(0) == Approx(180.21928115));
        for (Row r : {Row{0, 1, 13, 7, 0.17339987043106583, 0.8299749070285394},
                      Row{4, 34, 66, 50, 0.027461682568603693, 0.8909379282342861},
                      Row{9, 154, 256, 205, 0.007296102327739699, 0.8947270545274794}}) {
            const MelBand &b = fb.band(r.band);
            CAPTURE(r.band);
            CHECK(b.first == r.first);
            CHECK(b.first + static_cast<int>(b.weights.size()) - 1 == r.last);
            CHECK(b.weights.front() == Approx(r.first_w).epsilon(1e-5));
            CHECK(b.weights[static_cast<std::size_t>(r.mid_bin - r.first)] ==
                  Approx(r.mid_w).epsilon(1e-5));
        }
    }
    SUBCASE("apply sums weights times power") {
        MelFilterbank fb(10, 512, 16000, 0, 8000, MelScale::slaney, true);
        std::vector<float> power(257, 0.0f), out(10);
        power[49] = 2.0f;
        fb.apply(power.data(), out.data());
        CHECK(out[4] == Approx(2 * 0.002056934217897688).epsilon(1e-5));
        CHECK(out[0] == 0.0f);
        CHECK(out[9] == 0.0f);
    }
}

TEST_CASE("orthonormal DCT-II") {
    SUBCASE("a constant vector gives only c0 = sqrt(N) v") {
        Dct2 dct(40, 13);
        std::vector<float> x(40, -100.0f), c(13);
        dct.forward(x.data(), c.data());
        CHECK(c[0] == Approx(std::sqrt(40.0) * -100.0));
        for (int k = 1; k < 13; ++k)
            CHECK(std::fabs(c[static_cast<std::size_t>(k)]) < 1e-4);
    }
    SUBCASE("scipy.fft.dct([1, 2, 3, 4], norm='ortho')") {
        Dct2 dct(4, 4);
        std::vector<float> x = {1, 2, 3, 4}, c(4);
        dct.forward(x.data(), c.data());
        CHECK(c[0] == Approx(5.0));
        CHECK(c[1] == Approx(-2.230442497387663));
        CHECK(std::fabs(c[2]) < 1e-6);
        CHECK(c[3] == Approx(-0.1585126677811083));
    }
    SUBCASE("energy is preserved (orthonormal)") {
        Dct2 dct(16, 16);
        std::vector<float> x(16), c(16);
        for (int i = 0; i < 16; ++i)
            x[static_cast<std::size_t>(i)] = static_cast<float>(std::sin(i * 1.7) + 0.1 * i);
        dct.forward(x.data(), c.data());
        double ex = 0, ec = 0;
        for (int i = 0; i < 16; ++i)
            ex += x[static_cast<std::size_t>(i)] * x[static_cast<std::size_t>(i)],
                ec += c[static_cast<std::size_t>(i)] * c[static_cast<std::size_t>(i)];
        CHECK(ec == Approx(ex).epsilon(1e-5));
    }
}

TEST_CASE("onset peak picking: a window reaching back, and smoothing") {
    const std::vector<bool> loud(8, true);
    // A small peak (1) two frames before a large one (8). Centred window of 2 each side:
    // for frame 2, W = {0, 0, 1, 0, 8}, median 0, mean 1.8, and 1 <= 0.6 * 1.8 = 1.08: not an
    // onset. With no frame after (after = 0), W = {0, 0, 1}: 1 > 0.6 * 1/3, an onset.
    // Frame 4 is one either way (centred: 8 > 1.08; W = {1, 0, 8}: 8 > 1 + 0.6 * 3).
    const std::vector<float> odf = {0, 0, 1, 0, 8, 0, 0, 0};
    PeakRule rule;
    rule.threshold = 0.6;
    rule.half_window = 2;
    rule.min_gap = 1;
    CHECK(pick_onsets(odf, loud, rule) == std::vector<std::size_t>{4});
    rule.after = 0;
    CHECK(pick_onsets(odf, loud, rule) == std::vector<std::size_t>{2, 4});
    // Two peaks two frames apart: smoothed by (1, 1, 1) / 3 they become
    // {0, 4/3, 4/3, 8/3, 4/3, 4/3, 0, 0}, one peak at frame 3.
    const std::vector<float> twin = {0, 0, 4, 0, 4, 0, 0, 0};
    PeakRule r2;
    r2.threshold = 0;
    r2.half_window = 3;
    r2.min_gap = 1;
    CHECK(pick_onsets(twin, loud, r2) == std::vector<std::size_t>{2, 4});
    r2.smooth = 1;
    CHECK(pick_onsets(twin, loud, r2) == std::vector<std::size_t>{3});
}

TEST_CASE("superflux: a partial that wavers by a bin is no onset, a new one is") {
    // n_fft 2048 at 44.1 kHz: around bin 40 (861 Hz) the 36 bands an octave are closer than
    // a bin, so each bin is a band of its own and the maximum over 3 bands spans 3 bins.
    SuperFluxShape shape;
    shape.bands_per_octave = 36;
    shape.compression = 3000;
    SuperFlux sf(shape);
    REQUIRE(sf.bands() == 191); // centres from 30 Hz to 17 kHz, 1 a bin at most
    std::vector<float> m(1025, 0.0f);
    CHECK(sf.next(m.data(), 1.0f) == 0.0f); // silence
    m[40] = 0.1f;
    const float rise = sf.next(m.data(), 1.0f); // the partial starts: log10(1 + 300) = 2.48
    CHECK(rise == Approx(std::log10(301.0)).epsilon(1e-4));
    // Vibrato: the partial moves 40, 41, 40, 39, 40, ... at the same level.
    const int path[] = {41, 40, 39, 40, 41, 40, 39};
    for (int k : path) {
        std::fill(m.begin(), m.end(), 0.0f);
        m[static_cast<std::size_t>(k)] = 0.1f;
        CHECK(sf.next(m.data(), 1.0f) == 0.0f);
    }
    // The plain spectral flux reports every move.
    OnsetFunction flux(OdfMethod::specflux, 1025, 1.0f);
    std::fill(m.begin(), m.end(), 0.0f);
    m[40] = 0.1f;
    flux.next(m.data(), nullptr);
    m[40] = 0.0f, m[41] = 0.1f;
    CHECK(flux.next(m.data(), nullptr) == Approx(0.1f));
    // A second partial four octaves up (bin 640) while the first is held: an onset.
    std::fill(m.begin(), m.end(), 0.0f);
    m[40] = 0.1f, m[640] = 0.1f;
    CHECK(sf.next(m.data(), 1.0f) > 1.0f);
    CHECK(sf.next(m.data(), 1.0f) == 0.0f); // held
    // A dropout of one frame: the reference is the maximum of the 3 frames before, so the
    // partial's return is no onset; after a silence of 3 frames it is one again.
    std::vector<float> gap(1025, 0.0f);
    gap[640] = 0.1f;
    sf.next(gap.data(), 1.0f);
    CHECK(sf.next(m.data(), 1.0f) == 0.0f);
    for (int i = 0; i < 3; ++i)
        sf.next(gap.data(), 1.0f);
    CHECK(sf.next(m.data(), 1.0f) == Approx(std::log10(301.0)).epsilon(1e-4));
}

TEST_CASE("superflux peak picking: the window's maximum, above its mean plus the threshold") {
    const std::vector<float> odf = {0, 0, 5, 1, 0, 0, 0, 0, 3, 0, 4, 0};
    std::vector<bool> loud(odf.size(), true);
    SuperFluxPeaks rule;
    rule.threshold = 1;
    rule.mean_before = 2, rule.mean_after = 0;
    rule.max_before = 1, rule.max_after = 2;
    rule.min_gap = 3;
    // Frame 2: the maximum of frames 1..4, 5 >= (0 + 0 + 5) / 3 + 1. Frame 8 is not the
    // maximum of 7..10 (4 follows); frame 10: 4 >= (3 + 0 + 4) / 3 + 1 = 3.33.
    CHECK(pick_superflux(odf, loud, rule) == std::vector<std::size_t>{2, 10});
    rule.threshold = 2; // 4 < 4.33
    CHECK(pick_superflux(odf, loud, rule) == std::vector<std::size_t>{2});
    loud[2] = false;
    CHECK(pick_superflux(odf, loud, rule).empty());
    // Two peaks 3 frames apart: both with min_gap 3, the first only with 4.
    const std::vector<float> two = {0, 6, 0, 0, 5, 0, 0, 0};
    const std::vector<bool> all(two.size(), true);
    rule.threshold = 1;
    CHECK(pick_superflux(two, all, rule) == std::vector<std::size_t>{1, 4});
    rule.min_gap = 4;
    CHECK(pick_superflux(two, all, rule) == std::vector<std::size_t>{1});
}

TEST_CASE("superflux rise rule: a slow attack is reported where its rise begins") {
    RiseRule rule; // 0.3 of the peak, for 2 frames before it at least, 5 frames back at most
    // A sharp attack: one frame before the peak above 0.3 of it (a click's shape).
    const std::vector<float> sharp{0, 0, 5.3f, 10, 1, 0};
    CHECK(rise_start(sharp, 3, -1, rule) == 3);
    // A slow one: 4 frames at 0.3 of the peak or more before it (1 is below 3).
    const std::vector<float> slow{0, 1, 3, 4, 6, 8, 10, 2};
    CHECK(rise_start(slow, 6, -1, rule) == 2);
    rule.fraction = 0.5; // 4 is below 5
    CHECK(rise_start(slow, 6, -1, rule) == 4);
    rule.fraction = 0.3;
    CHECK(rise_start(slow, 6, 3, rule) == 4); // not back to the previous onset's peak (3)
    CHECK(rise_start(slow, 6, 4, rule) == 6); // only 1 frame left: as sharp
    rule.max_back = 3;
    CHECK(rise_start(slow, 6, -1, rule) == 3);
    rule.fraction = 0; // off
    CHECK(rise_start(slow, 6, -1, rule) == 6);
}

TEST_CASE("superflux release rule: a sharp lasting fall is a release, a rise or a slow fall is not") {
    ReleaseRule rule; // fall 4 dB within 2 blocks; spans 6 .. 12 blocks either side
    // -20 dB, then from block 30 on -28 dB: a fall of 8 dB within a block.
    std::vector<float> db(60, -20.0f);
    for (std::size_t k = 30; k < db.size(); ++k)
        db[k] = -28.0f;
    CHECK(is_release(db, 30, rule));
    CHECK(is_release(db, 25, rule));  // the fall is within reach, the after span is at -28
    CHECK(!is_release(db, 15, rule)); // the fall is beyond reach (blocks 2 .. 27)
    CHECK(!is_release(db, 5, rule));  // the before span would leave the input
    rule.fall_db = 8;                 // not more than 8 dB
    CHECK(!is_release(db, 30, rule));
    rule.fall_db = 4;
    // The same 8 dB over 40 blocks (0.2 dB a block): no sharp fall.
    for (std::size_t k = 0; k < db.size(); ++k)
        db[k] = -20.0f - 0.2f * static_cast<float>(std::min<std::size_t>(k, 40));
    CHECK(!is_release(db, 30, rule));
    // A rise of 8 dB (a note that starts) after a sharp dip: not a release.
    std::fill(db.begin(), db.end(), -28.0f);
    db[28] = -40.0f;
    for (std::size_t k = 30; k < db.size(); ++k)
        db[k] = -20.0f;
    CHECK(!is_release(db, 30, rule));
    // A softer note after a gap: -20 dB, a fall to -40 at block 30, then from block 33 a
    // note at -27 (7 dB lower than the one before, 13 dB up from the gap): the fall comes
    // back within 6 blocks, so no release; a fall that comes back by 4 dB only (to -36) is
    // one.
    std::fill(db.begin(), db.end(), -20.0f);
    for (std::size_t k = 30; k < db.size(); ++k)
        db[k] = k < 33 ? -40.0f : -27.0f;
    CHECK(!is_release(db, 30, rule));
    CHECK(!is_release(db, 36, rule)); // the rise at 33 is within 36 - 6 .. 36 + 5
    for (std::size_t k = 33; k < db.size(); ++k)
        db[k] = -36.0f;
    CHECK(is_release(db, 30, rule));
    // The rise comes more than 5 blocks after: block 36's level rises at 42.
    for (std::size_t k = 30; k < db.size(); ++k)
        db[k] = k < 42 ? -40.0f : -27.0f;
    CHECK(is_release(db, 30, rule));
}
