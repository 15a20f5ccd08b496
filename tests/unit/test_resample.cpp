// Unit tests: resampling, channel mixing and trimming of a Source (decode/shape.cpp).
#include <doctest/doctest.h>

#include "support.hpp"

#include "pcm/layout.hpp"

#include "core/error.hpp"
#include "decode/resampler.hpp"
#include "decode/source.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

using ts::test::MemorySource;

namespace {

constexpr double pi = 3.14159265358979323846;

std::unique_ptr<ts::decode::Source> memory(int rate, int channels, std::vector<float> samples,
                                           bool known_length = true,
                                           std::size_t max_chunk = 1u << 30) {
    return std::make_unique<MemorySource>(rate, channels, std::move(samples), known_length,
                                          max_chunk);
}

// Everything the source gives, read `chunk` frames at a time.
std::vector<float> read_all(ts::decode::Source &s, std::size_t chunk = 4096) {
    const auto ch = static_cast<std::size_t>(s.header().channels);
    std::vector<float> out, buf(chunk * ch);
    for (int guard = 0; guard < 1000000; ++guard) {
        std::size_t n = s.read(buf.data(), chunk);
        if (n == 0)
            return out;
        REQUIRE(n <= chunk);
        out.insert(out.end(), buf.begin(), buf.begin() + static_cast<long>(n * ch));
    }
    FAIL("the source never ended");
    return out;
}

std::vector<float> sine(int rate, double seconds, double freq, double dbfs, int channels = 1,
                        int channel = 0) {
    const auto frames = static_cast<std::size_t>(std::llround(seconds * rate));
    const double amp = std::pow(10.0, dbfs / 20.0);
    std::vector<float> v(frames * static_cast<std::size_t>(channels), 0.0f);
    for (std::size_t i = 0; i < frames; ++i)
        v[i * static_cast<std::size_t>(channels) + static_cast<std::size_t>(channel)] =
            static_cast<float>(amp * std::sin(2 * pi * freq * static_cast<double>(i) / rate));
    return v;
}

// One channel of interleaved frames [from, to).
std::vector<double> channel_of(const std::vector<float> &v, int channels, int c, std::size_t from,
                               std::size_t to) {
    std::vector<double> out;
    for (std::size_t i = from; i < to; ++i)
        out.push_back(v[i * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)]);
    return out;
}

// Frequency from the first and last upward zero crossings, interpolated between samples.
double frequency(const std::vector<double> &x, int rate) {
    double first = -1, last = -1;
    int crossings = 0;
    for (std::size_t i = 1; i < x.size(); ++i) {
        if (x[i - 1] < 0 && x[i] >= 0) {
            double t = static_cast<double>(i - 1) + x[i - 1] / (x[i - 1] - x[i]);
            if (first < 0)
                first = t;
            last = t;
            ++crossings;
        }
    }
    REQUIRE(crossings > 2);
    return (crossings - 1) / ((last - first) / rate);
}

double rms_db(const std::vector<double> &x) {
    double sum = 0;
    for (double v : x)
        sum += v * v;
    return 10 * std::log10(sum / static_cast<double>(x.size()));
}

std::size_t peak_at(const std::vector<float> &v) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < v.size(); ++i)
        if (std::fabs(v[i]) > std::fabs(v[best]))
            best = i;
    return best;
}

std::int64_t rounded(std::int64_t frames, int out_rate, int in_rate) {
    return std::llround(static_cast<double>(frames) * out_rate / in_rate);
}

ts::decode::Shape rate_only(int rate) {
    ts::decode::Shape s;
    s.rate = rate;
    return s;
}

// The -20 dBFS 1 kHz sine has an RMS of -23.0103 dBFS.
const double sine_rms_db = -20.0 - 10 * std::log10(2.0);

} // namespace

TEST_CASE("resample: a 1 kHz sine keeps its frequency, level and exact length") {
    struct Rates {
        int in, out;
    };
    for (Rates r : {Rates{44100, 48000}, Rates{48000, 44100}, Rates{44100, 22050}}) {
        CAPTURE(r.in);
        CAPTURE(r.out);
        auto src = ts::decode::shape(memory(r.in, 1, sine(r.in, 2.0, 1000, -20)), rate_only(r.out));
        CHECK(src->header().rate == r.out);
        CHECK(src->header().channels == 1);
        CHECK(src->header().frames == rounded(2 * r.in, r.out, r.in));
        CHECK(src->header().source == "memory"); // the other facts pass through
        CHECK(src->name() == "memory input");
        const std::vector<float> out = read_all(*src, 1000);
        CHECK(static_cast<std::int64_t>(out.size()) == 2 * r.out);
        // The middle second: 1000 whole periods at each of these rates.
        const auto mid = channel_of(out, 1, 0, static_cast<std::size_t>(r.out / 2),
                                    static_cast<std::size_t>(r.out / 2 * 3));
        CHECK(std::fabs(frequency(mid, r.out) - 1000.0) < 0.1);
        CHECK(std::fabs(rms_db(mid) - sine_rms_db) < 0.01);
        // In phase with a sine generated directly at the output rate.
        const std::vector<float> direct = sine(r.out, 2.0, 1000, -20);
        double worst = 0;
        for (std::size_t i = static_cast<std::size_t>(r.out / 2);
             i < static_cast<std::size_t>(r.out / 2 * 3); ++i)
            worst = std::max(worst, std::fabs(static_cast<double>(out[i]) - direct[i]));
        CHECK(worst < 0.001); // -60 dB below full scale, -40 dB below the tone
    }
}

TEST_CASE("resample: output length is round(frames * out / in) for awkward lengths") {
    struct Case {
        int in, out;
        std::int64_t frames;
    };
    for (Case c : {Case{44100, 48000, 12345}, Case{48000, 44100, 12345}, Case{44100, 22050, 1},
                   Case{44100, 22050, 12347}, Case{8000, 44100, 999}, Case{44100, 8000, 10001}}) {
        CAPTURE(c.in);
        CAPTURE(c.out);
        CAPTURE(c.frames);
        std::vector<float> in(static_cast<std::size_t>(c.frames) * 2);
        for (std::size_t i = 0; i < in.size(); ++i)
            in[i] = 0.25f * std::sin(0.05f * static_cast<float>(i / 2)) * (i % 2 ? -1.0f : 1.0f);
        auto src = ts::decode::shape(memory(c.in, 2, in, true, 333), rate_only(c.out));
        const std::int64_t expect = rounded(c.frames, c.out, c.in);
        CHECK(src->header().frames == expect);
        const std::vector<float> out = read_all(*src, 517);
        CHECK(static_cast<std::int64_t>(out.size()) == expect * 2);
        // The channels stay apart: the right one is the left one negated.
        double worst = 0;
        for (std::size_t i = 0; i + 1 < out.size(); i += 2)
            worst = std::max(worst, std::fabs(static_cast<double>(out[i]) + out[i + 1]));
        CHECK(worst < 1e-6);
    }
}

TEST_CASE("resample: an impulse keeps its place in time") {
    struct Rates {
        int in, out;
    };
    for (Rates r : {Rates{44100, 48000}, Rates{48000, 44100}, Rates{44100, 22050}}) {
        CAPTURE(r.in);
        CAPTURE(r.out);
        std::vector<float> in(4000, 0.0f);
        in[1000] = 1.0f;
        auto src = ts::decode::shape(memory(r.in, 1, in), rate_only(r.out));
        const std::vector<float> out = read_all(*src);
        REQUIRE(static_cast<std::int64_t>(out.size()) == rounded(4000, r.out, r.in));
        const auto expect = rounded(1000, r.out, r.in);
        const auto at = static_cast<std::int64_t>(peak_at(out));
        CHECK(std::abs(at - expect) <= 1);
        CHECK(std::fabs(out[static_cast<std::size_t>(at)]) > 0.4);
        // Ringing stays near the impulse: nothing sizeable far from it.
        double far = 0;
        for (std::size_t i = 0; i < out.size(); ++i)
            if (std::abs(static_cast<std::int64_t>(i) - expect) > 200)
                far = std::max(far, static_cast<double>(std::fabs(out[i])));
        CHECK(far < 0.01);
    }
}

TEST_CASE("resample: the Resampler itself is time-aligned and complete after draining") {
    ts::decode::Resampler rs(44100, 48000, 1);
    CHECK((std::string(rs.engine()) == "soxr" || std::string(rs.engine()) == "swr"));
    std::vector<float> in(44100, 0.0f);
    in[1000] = 1.0f;
    std::vector<float> out;
    std::vector<float> buf(8192);
    for (std::size_t pos = 0; pos < in.size(); pos += 1000) {
        const std::size_t n = std::min<std::size_t>(1000, in.size() - pos);
        const std::size_t got = rs.process(in.data() + pos, n, buf.data(), buf.size());
        out.insert(out.end(), buf.begin(), buf.begin() + static_cast<long>(got));
    }
    for (int i = 0; i < 100; ++i) {
        const std::size_t got = rs.process(nullptr, 0, buf.data(), buf.size());
        if (got == 0)
            break;
        out.insert(out.end(), buf.begin(), buf.begin() + static_cast<long>(got));
    }
    CHECK(std::abs(static_cast<long>(out.size()) - 48000) <= 2);
    CHECK(std::abs(static_cast<long>(peak_at(out)) - 1088) <= 1);
}

TEST_CASE("resample: stereo channels are resampled each on its own") {
    std::vector<float> in = sine(44100, 2.0, 1000, -20, 2, 0);
    const std::vector<float> right = sine(44100, 2.0, 500, -26, 2, 1);
    for (std::size_t i = 1; i < in.size(); i += 2)
        in[i] = right[i];
    auto src = ts::decode::shape(memory(44100, 2, in, true, 4410), rate_only(48000));
    CHECK(src->header().channels == 2);
    const std::vector<float> out = read_all(*src, 1500);
    REQUIRE(out.size() == 96000u * 2);
    const auto l = channel_of(out, 2, 0, 24000, 72000);
    const auto r = channel_of(out, 2, 1, 24000, 72000);
    CHECK(std::fabs(frequency(l, 48000) - 1000.0) < 0.1);
    CHECK(std::fabs(frequency(r, 48000) - 500.0) < 0.1);
    CHECK(std::fabs(rms_db(l) - sine_rms_db) < 0.01);
    CHECK(std::fabs(rms_db(r) - (sine_rms_db - 6)) < 0.01);
}

TEST_CASE("resample: chunk sizes do not change the output") {
    const std::vector<float> in = sine(44100, 0.5, 1234.5, -6);
    auto a = ts::decode::shape(memory(44100, 1, in), rate_only(48000));
    auto b = ts::decode::shape(memory(44100, 1, in, true, 97), rate_only(48000));
    const std::vector<float> x = read_all(*a, 65536);
    const std::vector<float> y = read_all(*b, 13);
    REQUIRE(x.size() == y.size());
    CHECK(x.size() == 24000u);
    double worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
        worst = std::max(worst, std::fabs(static_cast<double>(x[i]) - y[i]));
    CHECK(worst < 1e-5);
}

TEST_CASE("resample: an input of unknown length is resampled to about the right length") {
    const std::vector<float> in = sine(44100, 1.0, 1000, -20);
    auto src = ts::decode::shape(memory(44100, 1, in, false, 1024), rate_only(48000));
    CHECK(src->header().frames == -1);
    const std::vector<float> out = read_all(*src, 4000);
    CHECK(std::abs(static_cast<long>(out.size()) - 48000) <= 2);
    const auto mid = channel_of(out, 1, 0, 12000, 36000);
    CHECK(std::fabs(frequency(mid, 48000) - 1000.0) < 0.1);
    CHECK(std::fabs(rms_db(mid) - sine_rms_db) < 0.01);
}

TEST_CASE("resample: the same rate leaves the source as it is") {
    auto in = memory(44100, 1, {0.1f, 0.2f, 0.3f});
    const ts::decode::Source *raw = in.get();
    auto src = ts::decode::shape(std::move(in), rate_only(44100));
    CHECK(src.get() == raw);
    CHECK(read_all(*src) == std::vector<float>{0.1f, 0.2f, 0.3f});
}

TEST_CASE("mix: stereo to mono is the mean of the channels") {
    std::vector<float> in;
    for (int i = 0; i < 1000; ++i) {
        in.push_back(0.5f);
        in.push_back(-0.25f);
    }
    ts::decode::Shape s;
    s.channels = 1;
    auto src = ts::decode::shape(memory(8000, 2, in, true, 300), s);
    CHECK(src->header().channels == 1);
    CHECK(src->header().frames == 1000);
    CHECK(src->header().rate == 8000);
    const std::vector<float> out = read_all(*src, 128);
    REQUIRE(out.size() == 1000);
    for (float v : out)
        CHECK(v == 0.125f);
}

TEST_CASE("mix: three channels to mono, and mono to two copies") {
    {
        ts::decode::Shape s;
        s.channels = 1;
        auto src = ts::decode::shape(memory(8000, 3, {0.3f, 0.6f, -0.3f, 1.0f, 1.0f, 1.0f}), s);
        const std::vector<float> out = read_all(*src);
        REQUIRE(out.size() == 2);
        CHECK(out[0] == doctest::Approx(0.2).epsilon(1e-6));
        CHECK(out[1] == doctest::Approx(1.0).epsilon(1e-6));
    }
    {
        ts::decode::Shape s;
        s.channels = 2;
        std::vector<float> in = {0.1f, -0.2f, 0.3f, -0.4f, 0.5f};
        auto src = ts::decode::shape(memory(8000, 1, in, true, 2), s);
        CHECK(src->header().channels == 2);
        CHECK(src->header().frames == 5);
        const std::vector<float> out = read_all(*src, 3);
        REQUIRE(out.size() == 10);
        for (std::size_t i = 0; i < in.size(); ++i) {
            CHECK(out[2 * i] == in[i]);
            CHECK(out[2 * i + 1] == in[i]);
        }
    }
    {
        ts::decode::Shape s;
        s.channels = 6;
        auto src = ts::decode::shape(memory(8000, 1, {0.7f}), s);
        CHECK(read_all(*src) == std::vector<float>(6, 0.7f));
    }
}

TEST_CASE("mix: the ITU stereo downmix of surround layouts") {
    using namespace ts::pcm;
    constexpr float h = 0.70710678f;
    // 5.1: FL FR FC LFE BL BR; L = (FL + h FC + h BL) / (1 + 2h), the LFE left out.
    const auto m = ts::decode::stereo_downmix({FL, FR, FC, LFE, BL, BR});
    REQUIRE(m.size() == 12);
    const float k = 1.0f / (1.0f + 2.0f * h);
    const float left[6] = {k, 0, h * k, 0, h * k, 0}, right[6] = {0, k, h * k, 0, 0, h * k};
    for (int c = 0; c < 6; ++c) {
        CHECK(m[c] == doctest::Approx(left[c]));
        CHECK(m[6 + c] == doctest::Approx(right[c]));
    }
    // 2.1: the fronts as they are (their sums stay 1), the LFE out.
    CHECK(ts::decode::stereo_downmix({FL, FR, LFE}) == std::vector<float>{1, 0, 0, 0, 1, 0});
    // A back centre goes to both sides at -6 dB.
    const auto b = ts::decode::stereo_downmix({FL, FR, FC, BC});
    CHECK(b[3] == doctest::Approx(h * h / (1 + h + h * h)));
    CHECK(b[4 + 3] == doctest::Approx(b[3]));
    // Only an LFE: nothing heard, no downmix.
    CHECK(ts::decode::stereo_downmix({LFE}).empty());

    // Through shape(): 6 channels by their default layout (5.1) to 2; the layout follows.
    ts::decode::Shape s;
    s.channels = 2;
    auto src = ts::decode::shape(memory(8000, 6, {0.5f, 0.25f, 0.4f, 0.9f, 0.2f, 0.1f}), s);
    CHECK(src->header().channels == 2);
    CHECK(src->header().layout == "stereo");
    const auto out = read_all(*src);
    REQUIRE(out.size() == 2);
    CHECK(out[0] == doctest::Approx((0.5f + h * 0.4f + h * 0.2f) * k));
    CHECK(out[1] == doctest::Approx((0.25f + h * 0.4f + h * 0.1f) * k));
}

TEST_CASE("mix: a mapping with no rule is a usage error") {
    ts::decode::Shape s;
    s.channels = 2; // ten channels have no default layout, so no stereo downmix
    CHECK_THROWS_AS(ts::decode::shape(memory(8000, 10, std::vector<float>(100, 0.0f)), s),
                    ts::UsageError);
    s.channels = 3;
    CHECK_THROWS_AS(ts::decode::shape(memory(8000, 2, std::vector<float>(20, 0.0f)), s),
                    ts::UsageError);
    s.channels = 2; // the same count is no mapping at all
    CHECK_NOTHROW(ts::decode::shape(memory(8000, 2, std::vector<float>(20, 0.0f)), s));
}

TEST_CASE("trim: start and duration give exact frame counts from the right sample") {
    // Sample i holds the value i, so every frame says where it came from.
    std::vector<float> ramp(16000);
    for (std::size_t i = 0; i < ramp.size(); ++i)
        ramp[i] = static_cast<float>(i);
    for (bool known : {true, false}) {
        CAPTURE(known);
        ts::decode::Shape s;
        s.start = 0.5;
        s.duration = 0.25;
        auto src = ts::decode::shape(memory(8000, 1, ramp, known, 300), s);
        CHECK(src->header().frames == (known ? 2000 : -1));
        REQUIRE(src->header().start.has_value());
        CHECK(*src->header().start == 0.5);
        const std::vector<float> out = read_all(*src, 333);
        REQUIRE(out.size() == 2000);
        CHECK(out.front() == 4000.0f);
        CHECK(out.back() == 5999.0f);
        for (std::size_t i = 0; i < out.size(); ++i)
            if (out[i] != static_cast<float>(4000 + i))
                FAIL_CHECK("frame " << i << " holds " << out[i]);
    }
}

TEST_CASE("trim: start alone, duration alone, and a duration past the end") {
    std::vector<float> ramp(8000);
    for (std::size_t i = 0; i < ramp.size(); ++i)
        ramp[i] = static_cast<float>(i);
    {
        ts::decode::Shape s;
        s.start = 0.75;
        auto src = ts::decode::shape(memory(8000, 1, ramp), s);
        CHECK(src->header().frames == 2000);
        const auto out = read_all(*src);
        REQUIRE(out.size() == 2000);
        CHECK(out.front() == 6000.0f);
        CHECK(out.back() == 7999.0f);
    }
    {
        ts::decode::Shape s;
        s.duration = 0.1;
        auto src = ts::decode::shape(memory(8000, 1, ramp), s);
        CHECK(src->header().frames == 800);
        const auto out = read_all(*src);
        REQUIRE(out.size() == 800);
        CHECK(out.front() == 0.0f);
        CHECK(out.back() == 799.0f);
    }
    {
        ts::decode::Shape s;
        s.start = 0.9;
        s.duration = 5;
        auto src = ts::decode::shape(memory(8000, 1, ramp), s);
        CHECK(src->header().frames == 800); // what is left
        CHECK(read_all(*src).size() == 800);
    }
    {
        ts::decode::Shape s;
        s.duration = 0;
        auto src = ts::decode::shape(memory(8000, 1, ramp), s);
        CHECK(src->header().frames == 0);
        CHECK(read_all(*src).empty());
    }
}

TEST_CASE("trim: a start past the end is an error") {
    std::vector<float> ramp(8000, 0.5f); // 1 s at 8 kHz
    SUBCASE("known length: when shaping") {
        for (double start : {1.0, 1.5, 100.0}) {
            CAPTURE(start);
            ts::decode::Shape s;
            s.start = start;
            try {
                ts::decode::shape(memory(8000, 1, ramp), s);
                FAIL_CHECK("no error");
            } catch (const ts::Error &e) {
                const std::string msg = e.what();
                CHECK(msg.rfind("memory input: ", 0) == 0);
                CHECK(msg.find("past the end") != std::string::npos);
                CHECK(msg.find("1.000 s") != std::string::npos); // the length, for the user
            }
        }
    }
    SUBCASE("unknown length: when reading") {
        ts::decode::Shape s;
        s.start = 1.5;
        auto src = ts::decode::shape(memory(8000, 1, ramp, false, 1000), s);
        std::vector<float> buf(512);
        try {
            src->read(buf.data(), 512);
            FAIL_CHECK("no error");
        } catch (const ts::Error &e) {
            const std::string msg = e.what();
            CHECK(msg.rfind("memory input: ", 0) == 0);
            CHECK(msg.find("past the end") != std::string::npos);
        }
    }
    SUBCASE("just before the end is fine") {
        ts::decode::Shape s;
        s.start = 0.999875; // 7999 frames
        auto src = ts::decode::shape(memory(8000, 1, ramp), s);
        CHECK(read_all(*src).size() == 1);
    }
}

TEST_CASE("shape: mix, resample and trim together, the trim counted at the output rate") {
    // Stereo 44.1 kHz: the left a 1 kHz sine, the right its copy, so the mono mix is the sine.
    std::vector<float> in = sine(44100, 2.0, 1000, -20, 2, 0);
    for (std::size_t i = 0; i + 1 < in.size(); i += 2)
        in[i + 1] = in[i];
    ts::decode::Shape s;
    s.channels = 1;
    s.rate = 48000;
    s.start = 0.5;
    s.duration = 1.0;
    auto src = ts::decode::shape(memory(44100, 2, in, true, 1000), s);
    CHECK(src->header().channels == 1);
    CHECK(src->header().rate == 48000);
    CHECK(src->header().frames == 48000);
    CHECK(*src->header().start == 0.5);
    const std::vector<float> out = read_all(*src, 3000);
    REQUIRE(out.size() == 48000);
    const auto x = channel_of(out, 1, 0, 0, out.size());
    CHECK(std::fabs(frequency(x, 48000) - 1000.0) < 0.1);
    CHECK(std::fabs(rms_db(x) - sine_rms_db) < 0.01);
    // 0.5 s into a 1 kHz sine is a whole number of periods: it starts at a rising zero.
    CHECK(std::fabs(out[0]) < 0.002);
    CHECK(out[12] > 0.09f); // a quarter period later, the crest
}
