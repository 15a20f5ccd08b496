// Helpers shared by the unit tests: the message of an error, text search, a file's bytes,
// audio held in memory as a source.
#pragma once

#include "core/error.hpp"
#include "decode/source.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

namespace ts::test {

// The message of the ts::Error that f throws; any other exception fails the test case.
template <class F> std::string error_of(F &&f) {
    try {
        f();
    } catch (const ts::Error &e) {
        return e.what();
    }
    return "(no ts::Error thrown)";
}

inline bool contains(const std::string &text, const std::string &part) {
    return text.find(part) != std::string::npos;
}

// The whole content of a file.
inline std::string read_file(const std::string &path) {
    std::FILE *f = std::fopen(path.c_str(), "rb");
    REQUIRE(f != nullptr);
    std::string out;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
        out.append(buf, n);
    std::fclose(f);
    return out;
}

// Audio held in memory, handed out in chunks of at most max_chunk frames.
class MemorySource : public ts::decode::Source {
  public:
    MemorySource(int rate, int channels, std::vector<float> samples, bool known_length = true,
                 std::size_t max_chunk = std::numeric_limits<std::size_t>::max())
        : samples_(std::move(samples)), max_chunk_(max_chunk) {
        header_.rate = rate;
        header_.channels = channels;
        header_.frames = known_length ? static_cast<std::int64_t>(frames()) : -1;
        header_.source = "memory";
    }
    const ts::pcm::Header &header() const override { return header_; }
    const std::string &name() const override { return name_; }
    std::size_t read(float *dst, std::size_t max_frames) override {
        const auto ch = static_cast<std::size_t>(header_.channels);
        std::size_t n = std::min({max_frames, max_chunk_, frames() - pos_});
        std::copy_n(samples_.begin() + static_cast<long>(pos_ * ch), n * ch, dst);
        pos_ += n;
        return n;
    }
    std::size_t frames() const {
        return samples_.size() / static_cast<std::size_t>(header_.channels);
    }

  private:
    ts::pcm::Header header_;
    std::string name_ = "memory input";
    std::vector<float> samples_;
    std::size_t pos_ = 0;
    std::size_t max_chunk_;
};

} // namespace ts::test
