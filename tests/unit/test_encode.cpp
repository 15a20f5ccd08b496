// Unit tests: encode — the format table, rate choice, request checks, a 24-bit flac and a
// float wav written by Encoder and read back sample for sample, and the read-ahead source that
// feeds the encoder.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "decode/read_ahead.hpp"
#include "decode/source.hpp"
#include "encode/encoder.hpp"
#include "encode/format.hpp"
#include "io/output.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

using namespace ts::encode;

TEST_CASE("encode: formats by name and by extension") {
    CHECK(std::string(find_format("MP3")->name) == "mp3");
    CHECK(find_format("xyz") == nullptr);
    CHECK(std::string(format_for_path("a/b.Opus")->name) == "opus");
    CHECK(std::string(format_for_path("x.aif")->name) == "aiff");
    CHECK(format_for_path("dir.flac/noext") == nullptr);
    CHECK(format_for_path("x.xyz") == nullptr);
}

TEST_CASE("encode: a rate the codec takes") {
    CHECK(supported_rate(*find_format("opus"), 44100) == 48000);
    CHECK(supported_rate(*find_format("opus"), 16000) == 16000);
    CHECK(supported_rate(*find_format("mp3"), 96000) == 48000);
    CHECK(supported_rate(*find_format("mp3"), 44100) == 44100);
    CHECK(supported_rate(*find_format("wav"), 12345) == 12345);
}

TEST_CASE("encode: impossible requests are usage errors") {
    auto status = [](Settings s, int channels, bool streaming) {
        try {
            check(s, channels, streaming);
        } catch (const ts::Error &e) {
            return e.status();
        }
        return 0;
    };
    auto req = [](const char *f, int bitrate = 0, std::optional<double> q = {}, int bits = 0) {
        return Settings{find_format(f), bitrate, q, bits, {}};
    };
    CHECK(status(req("mp3"), 2, true) == 0);
    CHECK(status(req("mp3"), 8, false) == ts::exit_usage);
    CHECK(status(req("opus", 1000), 2, false) == ts::exit_usage);
    CHECK(status(req("opus", 0, 5.0), 2, false) == ts::exit_usage);
    CHECK(status(req("flac", 0, {}, 32), 2, false) == ts::exit_usage);
    CHECK(status(req("wav", 0, {}, 32), 2, false) == 0);
    CHECK(status(req("wav"), 2, true) == ts::exit_usage);
    CHECK(status(req("m4a"), 2, true) == 0);
}

namespace {

std::vector<float> round_trip(const char *format, int bits, const std::vector<float> &x, int ch) {
    std::string path = "/tmp/ts-unit-encode-" + std::to_string(getpid()) + "." + format;
    {
        ts::io::Output out(path, true);
        Settings s{find_format(format), 0, {}, bits, {{"title", "unit"}}};
        Encoder enc(out, s, 48000, ch, path);
        enc.write(x.data(), x.size() / ch);
        enc.finish();
        CHECK(enc.frames_written() == static_cast<std::int64_t>(x.size() / ch));
        out.commit();
    }
    auto src = ts::decode::open(path, {});
    CHECK(src->header().rate == 48000);
    CHECK(src->header().channels == ch);
    std::vector<float> y(x.size() + 1000);
    std::size_t n = 0, got;
    while ((got = src->read(y.data() + n * ch, (y.size() / ch) - n)) > 0)
        n += got;
    y.resize(n * ch);
    std::remove(path.c_str());
    return y;
}

} // namespace

TEST_CASE("encode: lossless round trips") {
    const int ch = 3, frames = 10000;
    std::vector<float> x(frames * ch);
    for (int i = 0; i < frames; ++i)
        for (int c = 0; c < ch; ++c) // on the 24-bit grid, below 16-bit clipping
            x[i * ch + c] = std::round(std::sin(0.01 * i * (c + 1)) * 0.99 * 8388608.0) / 8388608.0;
    CHECK(round_trip("flac", 24, x, ch) == x);
    CHECK(round_trip("wav", 32, x, ch) == x);
    auto y16 = round_trip("aiff", 16, x, ch);
    REQUIRE(y16.size() == x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        CHECK(std::abs(y16[i] - x[i]) <= 0.5f / 32768 + 1e-9f);
}

namespace {

// A ramp of `frames` stereo frames (frame i holds i and -i) in reads of odd sizes, failing with
// "ramp: bad frame" at frame `fail_at` when that is below `frames`.
class Ramp : public ts::decode::Source {
  public:
    Ramp(long frames, long fail_at) : frames_(frames), fail_at_(fail_at) {
        header_.rate = 8000;
        header_.channels = 2;
        header_.frames = frames;
    }
    const ts::pcm::Header &header() const override { return header_; }
    const std::string &name() const override { return name_; }
    int bits() const override { return 16; }
    std::size_t read(float *dst, std::size_t max_frames) override {
        std::size_t n = std::min<std::size_t>(max_frames, 777);
        n = std::min<std::size_t>(n, static_cast<std::size_t>(frames_ - pos_));
        if (fail_at_ < frames_ && pos_ + static_cast<long>(n) > fail_at_) {
            if (pos_ == fail_at_)
                throw ts::Error("ramp: bad frame");
            n = static_cast<std::size_t>(fail_at_ - pos_);
        }
        for (std::size_t i = 0; i < n; ++i, ++pos_) {
            dst[2 * i] = static_cast<float>(pos_);
            dst[2 * i + 1] = -static_cast<float>(pos_);
        }
        return n;
    }

  private:
    ts::pcm::Header header_;
    std::string name_ = "ramp";
    long frames_, fail_at_, pos_ = 0;
};

} // namespace

TEST_CASE("read ahead: the same samples, the same error at the same point, early stops") {
    using ts::decode::read_ahead;
    std::vector<float> buf(2 * 1000);
    { // every frame in order, then 0 (and 0 again)
        auto s = read_ahead(std::make_unique<Ramp>(100000, 100000), 512, 3);
        CHECK(s->header().frames == 100000);
        CHECK(s->header().channels == 2);
        CHECK(s->bits() == 16);
        CHECK(s->name() == "ramp");
        long next = 0;
        bool in_order = true;
        while (std::size_t n = s->read(buf.data(), 1000))
            for (std::size_t i = 0; i < n; ++i, ++next)
                in_order &= buf[2 * i] == static_cast<float>(next) &&
                            buf[2 * i + 1] == -static_cast<float>(next);
        CHECK(in_order);
        CHECK(next == 100000);
        CHECK(s->read(buf.data(), 1000) == 0);
    }
    { // the frames before the error, then the error with its message
        auto s = read_ahead(std::make_unique<Ramp>(100000, 54321), 512, 3);
        long got = 0;
        std::string error;
        try {
            while (std::size_t n = s->read(buf.data(), 1000))
                got += static_cast<long>(n);
        } catch (const ts::Error &e) {
            error = e.what();
        }
        CHECK(got == 54321);
        CHECK(error == "ramp: bad frame");
    }
    { // destroyed with the producer waiting for room, or never read
        auto s = read_ahead(std::make_unique<Ramp>(1000000, 1000000), 64, 2);
        CHECK(s->read(buf.data(), 10) == 10);
        auto t = read_ahead(std::make_unique<Ramp>(1000000, 1000000), 64, 2);
    }
    { // sha1() stops reading ahead; reading goes on without a gap
        auto s = read_ahead(std::make_unique<Ramp>(5000, 5000), 64, 2);
        CHECK(s->read(buf.data(), 100) == 100);
        CHECK(s->sha1().empty());
        long next = 100, total = 100;
        bool in_order = true;
        while (std::size_t n = s->read(buf.data(), 1000))
            for (std::size_t i = 0; i < n; ++i, ++next, ++total)
                in_order &= buf[2 * i] == static_cast<float>(next);
        CHECK(in_order);
        CHECK(total == 5000);
    }
}
