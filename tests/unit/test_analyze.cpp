// Unit tests: analyze (parameters whose default depends on another parameter).
#include <doctest/doctest.h>

#include "analyze/engine.hpp"
#include "analyze/params.hpp"
#include "decode/source.hpp"
#include "result/series.hpp"
#include "core/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
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
