// Sample-rate conversion of interleaved float frames (libswresample through the media
// module; the soxr engine when FFmpeg has it).
#pragma once

#include <cstddef>

namespace ts::decode {

class Resampler {
  public:
    Resampler(int in_rate, int out_rate, int channels);
    ~Resampler();
    Resampler(const Resampler &) = delete;
    Resampler &operator=(const Resampler &) = delete;
    // Feeds n frames (nullptr, 0 to drain) and writes at most max_out frames; returns the
    // count written. Output is time-aligned with input: frame 0 maps to frame 0.
    std::size_t process(const float *in, std::size_t n, float *out, std::size_t max_out);
    // The engine in use: "soxr" or "swr".
    const char *engine() const { return engine_; }

  private:
    void *rs_ = nullptr;
    const char *engine_ = "swr";
};

} // namespace ts::decode
