// Unit tests: analyze — parameters, the engine's framer and shared STFT, request parsing,
// and every analyzer on degenerate inputs (empty, one frame, silence).
#include <doctest/doctest.h>

#include "support.hpp"

#include "analyze/engine.hpp"
#include "analyze/params.hpp"
#include "analyze/pitch_params.hpp"
#include "analyze/registry.hpp"
#include "analyze/request.hpp"
#include "core/error.hpp"
#include "decode/source.hpp"
#include "result/series.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

using namespace ts::analyze;

namespace {

std::vector<ParamSpec> specs() {
    ParamSpec method{"method", ParamType::choice, "b", 0, 0, {"a", "b", "c"}, "which"};
    ParamSpec threshold{"threshold", ParamType::number, "0.3", 0, 100, {}, "how high"};
    threshold.default_from = "method";
    threshold.defaults_by = {{"a", "4"}, {"b", "0.3"}};
    return {method, threshold};
}

} // namespace

TEST_CASE("params: a default by another parameter's value") {
    // Not given: the default listed for the method, given or by default.
    CHECK(Params("x", specs(), {}).number("threshold") == 0.3);
    CHECK(Params("x", specs(), {{"method", "a"}}).number("threshold") == 4.0);
    CHECK(Params("x", specs(), {{"method", "a"}}).json()["threshold"] == 4.0);
    // A value not listed takes default_value.
    CHECK(Params("x", specs(), {{"method", "c"}}).number("threshold") == 0.3);
    // Given: used whatever the method.
    CHECK(Params("x", specs(), {{"method", "a"}, {"threshold", "0.5"}}).number("threshold") == 0.5);
    // The listed default is validated like a given value.
    auto bad = specs();
    bad[1].defaults_by = {{"a", "-1"}};
    CHECK_THROWS_AS(Params("x", bad, {{"method", "a"}}), ts::UsageError);
    CHECK(default_for(specs()[1], "a") == "4");
    CHECK(default_for(specs()[1], "z") == "0.3");
}

namespace {

// A stereo signal in memory: a chirp on the left, a decaying tone on the right.
class ToneSource : public ts::decode::Source {
  public:
    explicit ToneSource(std::size_t frames) : frames_(frames) {
        header_.rate = 22050;
        header_.channels = 2;
        header_.frames = static_cast<std::int64_t>(frames);
    }
    const ts::pcm::Header &header() const override { return header_; }
    const std::string &name() const override { return name_; }
    std::size_t read(float *dst, std::size_t max_frames) override {
        const std::size_t n = std::min(max_frames, frames_ - pos_);
        for (std::size_t i = 0; i < n; ++i, ++pos_) {
            const double t = static_cast<double>(pos_) / header_.rate;
            dst[2 * i] = static_cast<float>(0.5 * std::sin(2 * 3.14159265 * (200 + 300 * t) * t));
            dst[2 * i + 1] = static_cast<float>(0.3 * std::exp(-t) * std::sin(2 * 3.14159265 * 880 * t));
        }
        return n;
    }

  private:
    ts::pcm::Header header_;
    std::string name_ = "tone";
    std::size_t frames_, pos_ = 0;
};

} // namespace

TEST_CASE("engine: series kept in a spill file equal those kept in memory") {
    auto requests = ts::analyze::make_requests(
        {"spectral,mfcc,chroma,mel,spectrogram,rms,zcr,waveform"},
        {"mfcc.deltas=true", "waveform.pixels_per_second=1000"});
    ts::analyze::RunOptions memory, spill;
    spill.spill = true;
    ToneSource a(22050 * 20), b(22050 * 20);
    auto in_memory = ts::analyze::run(a, requests, memory);
    auto spilled = ts::analyze::run(b, requests, spill);
    REQUIRE(in_memory.size() == spilled.size());
    std::size_t count = 0;
    for (std::size_t i = 0; i < spilled.size(); ++i) {
        auto &m = in_memory[i];
        auto &s = spilled[i];
        CHECK(m.id == s.id);
        CHECK(!m.spilled);
        // Over 16384 values a series goes to the file; the file holds the same values.
        CHECK(static_cast<bool>(s.spilled) == (m.series.size() > ts::result::SeriesBuffer::limit));
        count += s.spilled ? 1 : 0;
        CHECK(s.series_size() == m.series.size());
        CHECK(s.frame_count() == m.frame_count());
        ts::result::load_series(s);
        CHECK(s.series == m.series);
        std::string jm, js;
        ts::result::write_jsonl(m, "1", jm);
        ts::result::write_jsonl(s, "1", js);
        CHECK(jm == js);
    }
    CHECK(count >= 4); // mfcc, mel, spectrogram, waveform
}

TEST_CASE("engine: a spill file that cannot be made is a clear error") {
    const char *old = std::getenv("TMPDIR");
    const std::string saved = old ? old : "";
    setenv("TMPDIR", "/nonexistent-ts-dir", 1);
    auto requests = ts::analyze::make_requests({"spectrogram"}, {});
    ts::analyze::RunOptions spill;
    spill.spill = true;
    ToneSource a(22050 * 2);
    CHECK_THROWS_WITH_AS(ts::analyze::run(a, requests, spill),
                         doctest::Contains("a temporary file for framewise results in /nonexistent-ts-dir"),
                         ts::Error);
    if (old)
        setenv("TMPDIR", saved.c_str(), 1);
    else
        unsetenv("TMPDIR");
}

namespace {

using ts::test::MemorySource;

// What a probe analyzer saw: the frames (index and first sample) and the spectra (index and
// the bin of the largest magnitude).
struct Seen {
    std::vector<std::pair<std::int64_t, float>> frames;
    std::vector<std::pair<std::int64_t, int>> peaks;
};

// A request for an analyzer made here: it subscribes to frames of (block, step), or with
// n_fft to an STFT of (n_fft, step, hann), and records what it is fed into `seen`.
Request probe(const std::string &name, Seen &seen, int block, int step, int n_fft = 0) {
    class Probe : public Analyzer {
      public:
        Probe(Seen &seen, int block, int step, int n_fft)
            : seen_(seen), block_(block), step_(step), n_fft_(n_fft) {}
        void setup(Context &ctx) override {
            if (n_fft_)
                ctx.on_spectrum(n_fft_, step_, ts::dsp::Window::hann,
                                [this](const Spectrum &s, std::int64_t i) {
                                    int best = 0;
                                    for (int k = 1; k < s.size; ++k)
                                        if (s.magnitude[k] > s.magnitude[best])
                                            best = k;
                                    seen_.peaks.emplace_back(i, best);
                                });
            else
                ctx.on_frames(block_, step_, [this](const float *x, std::int64_t i) {
                    seen_.frames.emplace_back(i, x[0]);
                });
        }
        std::vector<ts::result::Result> finish(std::int64_t) override { return {}; }

      private:
        Seen &seen_;
        int block_, step_, n_fft_;
    };
    auto d = std::make_shared<Definition>();
    d->id = name;
    d->make = [&seen, block, step, n_fft](const Params &, const std::vector<std::string> &) {
        return std::make_unique<Probe>(seen, block, step, n_fft);
    };
    Request r;
    r.analyzer = name;
    r.definition = d;
    return r;
}

std::vector<float> ramp(int n) {
    std::vector<float> x(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        x[static_cast<std::size_t>(i)] = static_cast<float>(i);
    return x;
}

} // namespace

TEST_CASE("engine: the framer gives whole overlapping frames across reads") {
    Seen seen;
    MemorySource source(8000, 1, ramp(10));
    RunOptions options;
    options.block = 3; // frames straddle the reads
    RunStats stats;
    run(source, {probe("p", seen, 4, 2)}, options, &stats);
    // Frames [0,4), [2,6), [4,8), [6,10): frame i starts at sample 2i; none past the end.
    REQUIRE(seen.frames.size() == 4);
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(seen.frames[i].first == static_cast<std::int64_t>(i));
        CHECK(seen.frames[i].second == static_cast<float>(2 * i));
    }
    CHECK(stats.frames == 10);
    CHECK(stats.reads >= 4);
    CHECK(stats.framers == 1);

    Seen short_input; // shorter than one block: no frame
    MemorySource three(8000, 1, ramp(3));
    run(three, {probe("p", short_input, 4, 2)}, {});
    CHECK(short_input.frames.empty());
}

TEST_CASE("engine: analyzers with the same STFT parameters share one transform") {
    // A 1 kHz sine at 8 kHz: with n_fft 64 its peak is at bin 1000 * 64 / 8000 = 8.
    std::vector<float> x(8000);
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<float>(std::sin(2 * M_PI * 1000.0 * static_cast<double>(i) / 8000));
    Seen a, b, c;
    MemorySource source(8000, 1, x);
    RunStats stats;
    run(source, {probe("a", a, 0, 32, 64), probe("b", b, 0, 32, 64), probe("c", c, 0, 16, 64)}, {},
        &stats);
    CHECK(stats.stfts == 2);   // (64, 32) shared by a and b; (64, 16) for c
    CHECK(stats.framers == 2); // their framers, one each
    // (8000 - 64) / 32 + 1 = 249 frames, every one peaking at bin 8.
    REQUIRE(a.peaks.size() == 249);
    CHECK(a.peaks == b.peaks);
    CHECK(c.peaks.size() == 497);
    for (const auto &[i, bin] : a.peaks)
        CHECK(bin == 8);
}

TEST_CASE("requests: -a lists, outputs, -p, repeats merged") {
    auto rs = make_requests({"level.peak,loudness", "level.rms"}, {"loudness.gate=-20"});
    REQUIRE(rs.size() == 2);
    CHECK(rs[0].analyzer == "level");
    CHECK(rs[0].outputs == std::vector<std::string>{"peak", "rms"});
    CHECK(rs[1].analyzer == "loudness");
    CHECK(rs[1].outputs.empty()); // all of them
    CHECK(rs[1].params.at("gate") == "-20");
    bool complete = false;
    const auto ids = result_ids(rs, &complete);
    CHECK(complete);
    CHECK(ids.front() == "level.peak");
    CHECK(ids.size() == 2 + 5);

    using ts::test::contains;
    using ts::test::error_of;
    CHECK(contains(error_of([] { make_requests({"lvel"}, {}); }), "level")); // did you mean
    CHECK(contains(error_of([] { make_requests({"level.pek"}, {}); }), "peak"));
    CHECK(contains(error_of([] { make_requests({"level"}, {"loudness.gate=-20"}); }),
                   "not asked for"));
    CHECK(contains(error_of([] { make_requests({"loudness"}, {"loudness.gate=5"}); }), "gate"));
    CHECK(contains(error_of([] { make_requests({"level"}, {"level"}); }), "NAME.KEY=VALUE"));
    CHECK(contains(error_of([] { make_requests({"level,,dc"}, {}); }), "empty name"));
    CHECK_THROWS_AS(make_requests({"level"}, {"level.nothing=1"}), ts::UsageError);
}

TEST_CASE("requests: exec: takes the rest of its -a value; vamp: names a plugin") {
    auto rs = make_requests({"level,exec:sh -c 'echo a,b'"}, {});
    REQUIRE(rs.size() == 2);
    CHECK(rs[0].analyzer == "level");
    REQUIRE(rs[1].definition != nullptr); // a dynamic analyzer, commas kept in its command
    CHECK(rs[1].analyzer.rfind("exec:", 0) == 0);
    CHECK(rs[1].analyzer.find("echo a,b") != std::string::npos);
    bool complete = true;
    result_ids(rs, &complete);
    CHECK_FALSE(complete); // an exec: program names its results when it runs
    // A plugin that is not installed is an error naming it, not a crash.
    CHECK_THROWS_AS(make_requests({"vamp:no-such-library:no-such-plugin"}, {}), ts::Error);
}

TEST_CASE("analyzers: empty input, one frame and silence") {
    for (const auto &d : registry()) {
        CAPTURE(d.id);
        const auto n = output_ids(d).size();
        for (int frames : {0, 1, 48000}) {
            CAPTURE(frames);
            MemorySource source(48000, 1, std::vector<float>(static_cast<std::size_t>(frames)));
            std::vector<ts::result::Result> out;
            CHECK_NOTHROW(out = run(source, make_requests({d.id}, {}), {}));
            CHECK(out.size() == n); // every output, even with nothing to say
        }
    }
    // What silence reads: no level, no loudness, no peak-to-loudness ratio; no offset.
    MemorySource silence(48000, 2, std::vector<float>(2 * 48000));
    std::map<std::string, ts::result::Result> by_id;
    for (auto &r : run(silence, make_requests({"level,loudness,plr,dc"}, {}), {}))
        by_id[r.id] = r;
    CHECK(std::isnan(by_id.at("level.peak").value.at(0)));
    CHECK(std::isnan(by_id.at("level.rms").value.at(0)));
    CHECK(std::isnan(by_id.at("loudness.integrated").value.at(0)));
    CHECK(std::isnan(by_id.at("loudness.true_peak").value.at(0)));
    CHECK(std::isnan(by_id.at("plr").value.at(0)));
    CHECK(by_id.at("dc").value.at(0) == 0.0);
    CHECK(by_id.at("loudness.momentary").series.size() == 10 - 3); // 400 ms windows, 100 ms hops
}

namespace {
// A sum of harmonics of f (amplitudes amp[h-1]) from sample a to b, scaled by env(t), added
// to x; t in seconds from a.
template <class Env>
void add_tone(std::vector<float> &x, int rate, double f, std::vector<double> amp, double from,
              double to, Env env) {
    const auto a = static_cast<std::size_t>(from * rate), b = static_cast<std::size_t>(to * rate);
    for (std::size_t i = a; i < b && i < x.size(); ++i) {
        const double t = static_cast<double>(i - a) / rate;
        const double tt = static_cast<double>(i) / rate;
        double v = 0;
        for (std::size_t h = 0; h < amp.size(); ++h)
            v += amp[h] * std::sin(2 * M_PI * f * static_cast<double>(h + 1) * tt);
        x[i] += static_cast<float>(env(t) * v);
    }
}

std::vector<double> onset_times(const std::vector<float> &x, int rate,
                                std::vector<std::string> params) {
    MemorySource source(rate, 1, x);
    for (auto &r : run(source, make_requests({"onsets"}, params), {}))
        if (r.id == "onsets")
            return r.time;
    return {};
}
} // namespace

TEST_CASE("onsets: a note-off into a quieter release of another timbre is no onset") {
    const int rate = 44100;
    std::vector<float> x(static_cast<std::size_t>(2.6 * rate), 0.0f);
    auto attack = [](double t) { return std::min(1.0, t / 0.005); };
    // A held tone of odd harmonics (220 Hz) from 0.2 s; at 0.7 s it turns within a sample
    // into its release: 8 dB lower (0.4 of the amplitude), the even harmonics in place of
    // the odd ones above the fundamental, fading over 0.3 s.
    add_tone(x, rate, 220, {0.2, 0, 0.1, 0, 0.06, 0, 0.04}, 0.2, 0.7, attack);
    add_tone(x, rate, 220, {0.08, 0.06, 0, 0.03, 0, 0.02}, 0.7, 1.2,
             [](double t) { return std::exp(-t / 0.1); });
    // A decaying note (330 Hz) at 1.5 s, struck again at 2.0 s at half the first amplitude
    // (-6 dB), when the first has fallen by 14 dB.
    auto decay = [&](double t) { return attack(t) * std::exp(-t / 0.3); };
    add_tone(x, rate, 330, {0.3, 0.15, 0.1, 0.05}, 1.5, 2.0, decay);
    add_tone(x, rate, 330, {0.15, 0.075, 0.05, 0.025}, 2.0, 2.6, decay);
    auto near = [](const std::vector<double> &t, double at) {
        return std::count_if(t.begin(), t.end(), [&](double v) { return std::abs(v - at) < 0.05; });
    };
    const auto with = onset_times(x, rate, {});
    CAPTURE(with);
    CHECK(with.size() == 3);
    CHECK(near(with, 0.2) == 1);
    CHECK(near(with, 0.7) == 0); // the release
    CHECK(near(with, 1.5) == 1);
    CHECK(near(with, 2.0) == 1); // the quieter repeated note
    // Without the rule the release's new partials are an onset.
    const auto without = onset_times(x, rate, {"onsets.release=0"});
    CAPTURE(without);
    CHECK(near(without, 0.7) == 1);
    CHECK(without.size() == 4);
}

TEST_CASE("onsets: a tone that stops and starts again has one onset a start") {
    const int rate = 44100;
    std::vector<float> x(static_cast<std::size_t>(2.0 * rate), 0.0f);
    // 440 Hz with three harmonics, cut off within a sample at 0.8 s (the cut's splatter
    // reaches every band) and starting again at 1.2 s with a 5 ms attack; under it, from the
    // input's start, a steady hum at 100 Hz 26 dB down, so the input never falls silent.
    auto attack = [](double t) { return std::min(1.0, t / 0.005); };
    const std::vector<double> amp{0.3, 0.15, 0.1, 0.05};
    add_tone(x, rate, 440, amp, 0.3, 0.8, attack);
    add_tone(x, rate, 440, amp, 1.2, 2.0, attack);
    add_tone(x, rate, 100, {0.015}, 0.0, 2.0, [](double) { return 1.0; });
    const auto t = onset_times(x, rate, {});
    CAPTURE(t);
    REQUIRE(t.size() == 3);
    CHECK(t[0] < 0.03);                   // the hum
    CHECK(std::abs(t[1] - 0.3) < 0.01);   // the tone
    CHECK(std::abs(t[2] - 1.2) < 0.01);   // and its restart; nothing at the cut
    // Without the release rule the cut is an onset.
    const auto without = onset_times(x, rate, {"onsets.release=0"});
    CAPTURE(without);
    REQUIRE(without.size() == 4);
    CHECK(std::abs(without[2] - 0.8) < 0.01);
}

TEST_CASE("pitch: the running median of f0 leaves out excursions, not unvoiced edges") {
    const auto voiced = [](float f) { return f > 0.0f; };
    // radius 2: a note with an octave error (880) and a frame on the note before (392), then
    // a change of note (440 to 660) and an unvoiced frame
    std::vector<float> f{440, 440, 880, 440, 392, 440, 440, 660, 660, 660, 660, 0, 660, 660};
    running_median(f, 2, voiced);
    const std::vector<float> want{440, 440, 440, 440, 440, 440, 440, 660, 660, 660, 660, 0, 660, 660};
    CHECK(f == want);
    // frames within the radius of an unvoiced one, or of an end, keep their value
    std::vector<float> g{300, 500, 300, 0, 300, 500, 300, 300, 300};
    running_median(g, 1, voiced);
    CHECK(g == std::vector<float>{300, 300, 300, 0, 300, 300, 300, 300, 300});
    std::vector<float> e{300, 500, 300, 0, 500, 300, 500, 300};
    running_median(e, 1, voiced);
    CHECK(e == std::vector<float>{300, 300, 300, 0, 500, 500, 300, 300});
    // radius 0, or fewer values than one window: unchanged
    std::vector<float> h{1, 9, 1};
    running_median(h, 0, voiced);
    CHECK(h == std::vector<float>{1, 9, 1});
    running_median(h, 2, voiced);
    CHECK(h == std::vector<float>{1, 9, 1});
}
