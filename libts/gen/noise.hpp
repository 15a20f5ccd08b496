// Seeded white and pink noise, the same samples for a given seed on every machine.
#pragma once

#include "gen/generator.hpp"

#include <cstdint>

namespace ts::gen {

// PCG32 (O'Neill, XSH-RR). Written here rather than taken from <random>: the standard
// distributions are not specified exactly, so their samples differ between libraries.
class Pcg32 {
  public:
    explicit Pcg32(std::uint64_t seed, std::uint64_t stream = 0xda3e39cb94b95bdbULL);
    std::uint32_t next();
    // Uniform in (-1, 1), symmetric about 0: (2k + 1)/2^24 - 1 for a 24-bit k.
    double uniform();

  private:
    std::uint64_t state_ = 0;
    std::uint64_t inc_;
};

// A stateless hash of a 64-bit key to a uniform value in (-1, 1), for noise that must be
// computable at any index (drum voices of the demo).
double hash_uniform(std::uint64_t key);

enum class NoiseColor { white, pink };

// White: uniform samples in [-r·√3, r·√3], whose RMS is r. Pink: the same white noise through
// Paul Kellet's refined filter (within ±0.05 dB of -3 dB/octave above rate/4800), scaled by the
// filter's exact power gain so that its RMS is r too.
class Noise : public Generator {
  public:
    Noise(std::int64_t frames, NoiseColor color, std::uint64_t seed, double rms);

  protected:
    void render(float *dst, std::size_t count, std::int64_t first) override;

  private:
    double pink(double white);

    NoiseColor color_;
    Pcg32 rng_;
    double gain_;
    double b_[7] = {};
};

} // namespace ts::gen
