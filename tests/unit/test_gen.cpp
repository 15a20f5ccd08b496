// Unit tests: gen (the ts-gen signals and the demo's ground truth) and the libsndfile writer.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "gen/clicks.hpp"
#include "gen/demo.hpp"
#include "gen/kinds.hpp"
#include "gen/noise.hpp"
#include "gen/tones.hpp"
#include "io/output.hpp"
#include "io/sndfile_writer.hpp"

#include <nlohmann/json.hpp>
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numbers>
#include <set>
#include <string>
#include <unistd.h>
#include <vector>

using namespace ts::gen;

namespace {

std::vector<float> render(Generator &g, std::size_t block = 4096) {
    std::vector<float> x(static_cast<std::size_t>(g.frames()));
    std::size_t done = 0;
    while (std::size_t n = g.generate(x.data() + done, std::min(block, x.size() - done)))
        done += n;
    CHECK(done == x.size());
    CHECK(g.generate(x.data(), 1) == 0);
    return x;
}

std::vector<float> render(const Params &p, std::size_t block = 4096) {
    auto g = make(p);
    return render(*g, block);
}

double peak_db(const std::vector<float> &x, std::size_t from = 0, std::size_t to = SIZE_MAX) {
    double peak = 0;
    for (std::size_t i = from; i < std::min(to, x.size()); ++i)
        peak = std::max(peak, static_cast<double>(std::fabs(x[i])));
    return 20.0 * std::log10(peak);
}

double rms_db(const std::vector<float> &x) {
    double sum = 0;
    for (float v : x)
        sum += static_cast<double>(v) * v;
    return 10.0 * std::log10(sum / static_cast<double>(x.size()));
}

// Times of upward zero crossings, linearly interpolated between samples.
std::vector<double> rising_crossings(const std::vector<float> &x, int rate, std::size_t from = 0,
                                     std::size_t to = SIZE_MAX) {
    std::vector<double> t;
    for (std::size_t i = std::max<std::size_t>(from, 1); i < std::min(to, x.size()); ++i)
        if (x[i - 1] < 0 && x[i] >= 0)
            t.push_back((static_cast<double>(i) - 1 + x[i - 1] / (x[i - 1] - x[i])) / rate);
    return t;
}

double crossing_frequency(const std::vector<double> &t) {
    return static_cast<double>(t.size() - 1) / (t.back() - t.front());
}

// Mean power of x around frequency f (a few bins of a Hann-windowed DFT, averaged over
// segments): enough to read a spectral slope without an FFT library.
double band_power(const std::vector<float> &x, double f, int rate, std::size_t segment = 4096) {
    const double two_pi = 2.0 * std::numbers::pi;
    double total = 0;
    int count = 0;
    for (std::size_t start = 0; start + segment <= x.size(); start += segment) {
        for (int b = -2; b <= 2; ++b) {
            const double fb = f + b * static_cast<double>(rate) / segment;
            double re = 0, im = 0;
            for (std::size_t n = 0; n < segment; ++n) {
                double w = 0.5 - 0.5 * std::cos(two_pi * static_cast<double>(n) / segment);
                double ph = two_pi * fb * static_cast<double>(n) / rate;
                re += w * x[start + n] * std::cos(ph);
                im -= w * x[start + n] * std::sin(ph);
            }
            total += re * re + im * im;
            ++count;
        }
    }
    return total / count;
}

// Least-squares slope of band power in dB against octaves.
double slope_db_per_octave(const std::vector<float> &x, int rate) {
    std::vector<double> oct, db;
    for (double f = 125; f <= 8000; f *= 2) {
        oct.push_back(std::log2(f));
        db.push_back(10.0 * std::log10(band_power(x, f, rate)));
    }
    const double n = static_cast<double>(oct.size());
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < oct.size(); ++i) {
        mx += oct[i] / n;
        my += db[i] / n;
    }
    double sxy = 0, sxx = 0;
    for (std::size_t i = 0; i < oct.size(); ++i) {
        sxy += (oct[i] - mx) * (db[i] - my);
        sxx += (oct[i] - mx) * (oct[i] - mx);
    }
    return sxy / sxx;
}

Params params(Kind kind, double seconds = 1.0, int rate = 44100) {
    Params p;
    p.kind = kind;
    p.rate = rate;
    p.frames = frames_for(seconds, rate);
    return p;
}

} // namespace

TEST_CASE("a sine at -20 dBFS peaks at -20.00 dBFS with an RMS of -23.01 dBFS") {
    auto x = render(params(Kind::sine));
    CHECK(x.size() == 44100);
    CHECK(std::fabs(peak_db(x) + 20.0) < 0.01);
    CHECK(std::fabs(rms_db(x) + 23.0103) < 0.01);
}

TEST_CASE("a sine has the asked frequency and phase") {
    for (double f : {440.0, 1000.0, 3150.5}) {
        Params p = params(Kind::sine, 2.0, 48000);
        p.frequency = f;
        auto t = rising_crossings(render(p), p.rate);
        CHECK(std::fabs(crossing_frequency(t) - f) < 0.01);
        CHECK(t.front() == doctest::Approx(1.0 / f)); // the second cycle: the first starts at 0
    }
    Params p = params(Kind::sine);
    auto zero = render(p);
    CHECK(zero[0] == 0.0f);
    CHECK(zero[1] > 0.0f);
    p.phase = 90;
    p.amplitude_db = 0;
    auto x = render(p);
    CHECK(x[0] == doctest::Approx(1.0));
}

// Exposes render() so that a test can start far into a signal without generating up to there.
struct FarSine : Sine {
    using Sine::render;
    using Sine::Sine;
};

TEST_CASE("a sine stays in phase after ten hours") {
    FarSine sine(44100, 0, 1000.0, 0.0, 1.0);
    const std::int64_t first = 44100LL * 36000 + 7;
    std::vector<float> x(1000);
    sine.render(x.data(), x.size(), first);
    for (std::size_t i = 0; i < x.size(); ++i) {
        // The exact phase from integers: (n · 1000 mod 44100) / 44100 cycles.
        const std::int64_t n = first + static_cast<std::int64_t>(i);
        const double cycles = static_cast<double>((n * 1000) % 44100) / 44100.0;
        CHECK(x[i] == doctest::Approx(std::sin(2.0 * std::numbers::pi * cycles)).epsilon(1e-6));
    }
}

TEST_CASE("samples do not depend on the block size") {
    for (const auto &k : kinds()) {
        std::string name = k.name;
        CAPTURE(name);
        Params p = params(k.kind, k.kind == Kind::demo ? 31.0 : 0.3, 22050);
        p.color = NoiseColor::pink;
        auto big = render(p, 8192);
        auto odd = render(p, 37);
        CHECK(big == odd);
    }
}

TEST_CASE("a sweep's instantaneous frequency follows its law") {
    for (auto mode : {SweepMode::log, SweepMode::lin}) {
        Params p = params(Kind::sweep, 4.0);
        p.from = 100;
        p.to = 1600;
        p.mode = mode;
        auto x = render(p);
        CHECK(std::fabs(peak_db(x) + 20.0) < 0.01);
        for (double u : {0.1, 0.5, 0.9}) {
            // Frequency over 50 ms around t = u·T, against the law at that time.
            const double t = u * 4.0;
            auto c = rising_crossings(x, p.rate, static_cast<std::size_t>((t - 0.025) * p.rate),
                                      static_cast<std::size_t>((t + 0.025) * p.rate));
            const double want =
                mode == SweepMode::log ? 100.0 * std::pow(16.0, u) : 100.0 + 1500.0 * u;
            CHECK(crossing_frequency(c) == doctest::Approx(want).epsilon(0.01));
        }
    }
    Params low = params(Kind::sweep, 1.0, 8000);
    CHECK(sweep_to(low) == doctest::Approx(3600.0));
    CHECK_NOTHROW(check(low));
    low.to = 4000;
    CHECK_THROWS_AS(check(low), ts::UsageError);
}

TEST_CASE("PCG32 gives the reference sequence") {
    // pcg32-demo's first outputs for pcg32_srandom(42, 54).
    Pcg32 rng(42, 54);
    for (std::uint32_t want :
         {0xa15c02b7u, 0x7b47f409u, 0xba1d3330u, 0x83d2f293u, 0xbfa4784bu, 0xcbed606eu})
        CHECK(rng.next() == want);
}

TEST_CASE("noise is the same for a seed, different for another, at the asked RMS") {
    for (auto color : {NoiseColor::white, NoiseColor::pink}) {
        Params p = params(Kind::noise, 2.0);
        p.color = color;
        auto a = render(p);
        auto b = render(p);
        CHECK(a == b);
        p.seed = 2;
        auto c = render(p);
        CHECK(a != c);
        CHECK(std::fabs(rms_db(a) + 20.0) < (color == NoiseColor::white ? 0.2 : 0.5));
    }
    Params p = params(Kind::noise, 1.0);
    p.amplitude_db = -6;
    auto x = render(p);
    CHECK(std::fabs(rms_db(x) + 6.0) < 0.2);
    // Uniform noise: the peak is 4.77 dB above the RMS, never more.
    CHECK(peak_db(x) <= -6.0 + 4.7713);
    CHECK(peak_db(x) > -6.0 + 4.7);
}

TEST_CASE("pink noise falls 3 dB per octave, white noise is flat") {
    Params p = params(Kind::noise, 10.0);
    auto white = render(p);
    p.color = NoiseColor::pink;
    auto pink = render(p);
    CHECK(std::fabs(slope_db_per_octave(white, p.rate)) < 1.0);
    CHECK(std::fabs(slope_db_per_octave(pink, p.rate) + 3.0) < 1.0);
}

TEST_CASE("clicks at 120 BPM land on multiples of 0.5 s") {
    Params p = params(Kind::clicks, 10.0);
    auto x = render(p);
    CHECK(std::fabs(peak_db(x) + 20.0) < 0.01);
    // An onset: the first sample above half the peak after 100 ms below it.
    const float threshold = 0.5f * 0.1f;
    std::vector<double> onsets;
    std::int64_t last = -p.rate;
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (std::fabs(x[i]) >= threshold) {
            if (static_cast<std::int64_t>(i) - last > p.rate / 10)
                onsets.push_back(static_cast<double>(i) / p.rate);
            last = static_cast<std::int64_t>(i);
        }
    }
    REQUIRE(onsets.size() == 20);
    for (std::size_t k = 0; k < onsets.size(); ++k)
        CHECK(std::fabs(onsets[k] - 0.5 * static_cast<double>(k)) < 0.001);
    auto t = truth(p);
    CHECK(t["tempo"] == 120.0);
    CHECK(t["beats"].size() == 20);
    CHECK(t["beats"][3] == 1.5);

    // A tempo that does not divide the rate: every beat on its rounded frame.
    Clicks odd(44100, 44100 * 5, 97.0, 1.0);
    std::vector<float> y(44100 * 5);
    odd.generate(y.data(), y.size());
    for (std::int64_t k = 1; k < 8; ++k) { // beat 0 is at frame 0
        auto at =
            static_cast<std::size_t>(std::llround(static_cast<double>(k) * 60.0 * 44100 / 97));
        CHECK(y[at] == 1.0f);
        CHECK(y[at - 1] == 0.0f);
    }
}

TEST_CASE("silence and dc are constant") {
    auto zero = render(params(Kind::silence, 0.5));
    CHECK(std::all_of(zero.begin(), zero.end(), [](float v) { return v == 0.0f; }));
    Params p = params(Kind::dc, 0.5);
    p.level = -0.25;
    auto dc = render(p);
    CHECK(std::all_of(dc.begin(), dc.end(), [](float v) { return v == -0.25f; }));
}

TEST_CASE("out-of-range frequencies and misplaced amplitudes are usage errors") {
    Params p = params(Kind::sine, 1.0, 8000);
    p.frequency = 5000;
    CHECK_THROWS_AS(check(p), ts::UsageError);
    p.frequency = 4000; // Nyquist itself samples a sine at its zeros
    CHECK_THROWS_AS(check(p), ts::UsageError);
    p.frequency = 3999;
    CHECK_NOTHROW(check(p));
    p.amplitude_given = true;
    CHECK_NOTHROW(check(p));
    p.kind = Kind::dc;
    CHECK_THROWS_AS(check(p), ts::UsageError);
}

TEST_CASE("the demo's truth is consistent") {
    Params p = params(Kind::demo, demo_length);
    auto t = truth(p);
    CHECK(t["duration"] == 30.0);
    CHECK(t["rate"] == 44100);
    CHECK(t["tempo"] == 120);
    CHECK(t["key"] == "A minor");
    REQUIRE(t["beats"].size() == 60);
    for (std::size_t i = 0; i < t["beats"].size(); ++i)
        CHECK(t["beats"][i].get<double>() == doctest::Approx(0.5 * static_cast<double>(i)));
    CHECK(t["silence"] == nlohmann::json::parse("[[19.82, 22.0]]"));

    // Melody: A natural minor plus the leading tone G#, notes of a beat or more (less the
    // gap before the next onset), monophonic, none in the gap.
    const std::set<int> a_minor = {9, 11, 0, 2, 4, 5, 7, 8};
    bool leading_tone = false;
    double end = 0;
    for (const auto &n : t["notes"]) {
        const int midi = n["midi"];
        const double onset = n["onset"], duration = n["duration"];
        CHECK(a_minor.count(midi % 12) == 1);
        leading_tone |= midi % 12 == 8;
        CHECK(duration >= 0.45);
        CHECK(onset >= end);
        CHECK((onset + duration <= 20.0 || onset >= 22.0));
        CHECK(n["frequency"].get<double>() ==
              doctest::Approx(440.0 * std::pow(2.0, (midi - 69) / 12.0)));
        end = onset + duration;
    }
    CHECK(leading_tone);
    CHECK(t["notes"].size() >= 30);

    // Onsets: sorted, at least 30 ms apart, on the eighth-note grid, every note among them.
    const auto &onsets = t["onsets"];
    for (std::size_t i = 1; i < onsets.size(); ++i)
        CHECK(onsets[i].get<double>() - onsets[i - 1].get<double>() >= 0.03);
    for (const auto &o : onsets)
        CHECK(std::fmod(o.get<double>(), 0.25) == 0.0);
    for (const auto &n : t["notes"])
        CHECK(std::find(onsets.begin(), onsets.end(), n["onset"]) != onsets.end());
    CHECK(t["drums"]["kick"][1] == 1.0);
    CHECK(t["drums"]["snare"][0] == 0.5);
}

TEST_CASE("the demo's audio: a true silent gap, peaks below -1 dBFS, sound elsewhere") {
    Params p = params(Kind::demo, demo_length);
    auto x = render(p);
    REQUIRE(x.size() == 1323000);
    const std::size_t gap_from = 20 * 44100, gap_to = 22 * 44100;
    CHECK(std::all_of(x.begin() + gap_from, x.begin() + gap_to, [](float v) { return v == 0; }));
    CHECK(peak_db(x) < -1.0);
    CHECK(peak_db(x) > -6.0);
    // Sound everywhere else: no 100 ms window is silent, except as the music stops before the
    // gap and at the end.
    for (std::size_t w = 0; w + 4410 <= x.size(); w += 4410)
        if (w + 4410 <= 19 * 44100 || (w >= gap_to && w + 4410 <= 29 * 44100)) {
            CAPTURE(w);
            CHECK(peak_db(x, w, w + 4410) > -30.0);
        }
    // The lead dominates: during the note at 6.0 s (A4, two beats), most of the energy is in
    // its fundamental.
    std::vector<float> note(x.begin() + 6 * 44100 + 2205, x.begin() + 6 * 44100 + 2205 + 32768);
    const double total = band_power(note, 440.0, 44100, 4096);
    CHECK(total > 4.0 * band_power(note, 110.0, 44100, 4096));
}

TEST_CASE("a longer demo loops, and its truth with it") {
    Params p = params(Kind::demo, 65.0, 8000);
    auto x = render(p);
    REQUIRE(x.size() == 65 * 8000);
    CHECK(std::equal(x.begin(), x.begin() + 5 * 8000, x.begin() + 30 * 8000));
    auto t = truth(p);
    CHECK(t["beats"].size() == 130);
    CHECK(t["silence"] == nlohmann::json::parse("[[19.82, 22.0], [49.82, 52.0]]"));
    CHECK(t["notes"].back()["onset"].get<double>() < 65.0);
    CHECK(t["rate"] == 8000);
}

TEST_CASE("the sndfile writer makes a wav that reads back within half a 16-bit step") {
    char dir[] = "/tmp/ts-test-gen-XXXXXX";
    REQUIRE(mkdtemp(dir) != nullptr);
    const std::string path = std::string(dir) + "/x.wav";
    Params p = params(Kind::sine, 0.5, 48000);
    p.amplitude_db = -1;
    auto x = render(p);
    std::vector<float> stereo(2 * x.size());
    spread(x.data(), stereo.data(), x.size(), 2);
    {
        ts::io::Output out(path, true);
        ts::io::SndfileWriter w(out, 48000, 2, false, static_cast<std::int64_t>(x.size()), "test",
                                "a comment");
        w.write(stereo.data(), x.size());
        w.finish();
        CHECK(access(path.c_str(), F_OK) != 0); // not there before commit
        out.commit();
    }
    SF_INFO info{};
    SNDFILE *f = sf_open(path.c_str(), SFM_READ, &info);
    REQUIRE(f != nullptr);
    CHECK(info.samplerate == 48000);
    CHECK(info.channels == 2);
    CHECK(info.frames == static_cast<sf_count_t>(x.size()));
    CHECK(info.format == (SF_FORMAT_WAV | SF_FORMAT_PCM_16));
    std::vector<short> back(stereo.size());
    CHECK(sf_readf_short(f, back.data(), info.frames) == info.frames);
    sf_close(f);
    double worst = 0;
    for (std::size_t i = 0; i < stereo.size(); ++i)
        worst = std::max(worst, std::fabs(back[i] / 32768.0 - stereo[i]));
    CHECK(worst <= 0.5 / 32768 + 1e-9);
    CHECK(ts::io::is_sound_file("a/B.FLAC"));
    CHECK(ts::io::is_sound_file("x.aif"));
    CHECK_FALSE(ts::io::is_sound_file("x.wav/y"));
    CHECK_FALSE(ts::io::is_sound_file("x.tspcm"));
    unlink(path.c_str());
    rmdir(dir);
}
