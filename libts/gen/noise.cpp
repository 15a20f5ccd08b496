// PCG32, white noise, and pink noise through Paul Kellet's filter.
#include "gen/noise.hpp"

#include <cmath>

namespace ts::gen {
namespace {
// Kellet's refined pink filter: six one-pole lowpasses of the same white input, summed.
constexpr double pole[6] = {0.99886, 0.99332, 0.96900, 0.86650, 0.55000, -0.7616};
constexpr double weight[6] = {0.0555179, 0.0750759, 0.1538520, 0.3104856, 0.5329522, -0.0168980};
constexpr double direct = 0.5362;    // white passed through as is
constexpr double delayed = 0.115926; // white one sample late

// The sum of the squared impulse response: the filter's gain on white noise power.
double pink_power_gain() {
    double state[6] = {};
    double sum = 0;
    for (int n = 0; n < 1 << 16; ++n) { // the slowest pole has decayed by 10^-32 by then
        double in = n == 0 ? 1.0 : 0.0;
        double out = in * direct + (n == 1 ? delayed : 0.0);
        for (int k = 0; k < 6; ++k) {
            state[k] = pole[k] * state[k] + weight[k] * in;
            out += state[k];
        }
        sum += out * out;
    }
    return sum;
}

constexpr int pink_warmup = 1 << 14; // lets the slowest pole reach its steady state
} // namespace

Pcg32::Pcg32(std::uint64_t seed, std::uint64_t stream) : inc_((stream << 1u) | 1u) {
    next();
    state_ += seed;
    next();
}

std::uint32_t Pcg32::next() {
    std::uint64_t old = state_;
    state_ = old * 6364136223846793005ULL + inc_;
    auto xorshifted = static_cast<std::uint32_t>(((old >> 18u) ^ old) >> 27u);
    auto rot = static_cast<std::uint32_t>(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
}

double Pcg32::uniform() {
    return (2.0 * static_cast<double>(next() >> 8) + 1.0) / 16777216.0 - 1.0;
}

double hash_uniform(std::uint64_t key) {
    // SplitMix64's finaliser: every input bit affects every output bit.
    key += 0x9e3779b97f4a7c15ULL;
    key = (key ^ (key >> 30)) * 0xbf58476d1ce4e5b9ULL;
    key = (key ^ (key >> 27)) * 0x94d049bb133111ebULL;
    key ^= key >> 31;
    return (2.0 * static_cast<double>(key >> 40) + 1.0) / 16777216.0 - 1.0;
}

Noise::Noise(std::int64_t frames, NoiseColor color, std::uint64_t seed, double rms)
    : Generator(frames), color_(color), rng_(seed) {
    // Uniform noise in (-1, 1) has variance 1/3.
    double white_rms = std::sqrt(1.0 / 3.0);
    if (color_ == NoiseColor::white) {
        gain_ = rms / white_rms;
    } else {
        gain_ = rms / (white_rms * std::sqrt(pink_power_gain()));
        for (int i = 0; i < pink_warmup; ++i)
            pink(rng_.uniform());
    }
}

double Noise::pink(double white) {
    double out = white * direct + b_[6];
    for (int k = 0; k < 6; ++k) {
        b_[k] = pole[k] * b_[k] + weight[k] * white;
        out += b_[k];
    }
    b_[6] = white * delayed;
    return out;
}

void Noise::render(float *dst, std::size_t count, std::int64_t) {
    if (color_ == NoiseColor::white) {
        for (std::size_t i = 0; i < count; ++i)
            dst[i] = static_cast<float>(gain_ * rng_.uniform());
    } else {
        for (std::size_t i = 0; i < count; ++i)
            dst[i] = static_cast<float>(gain_ * pink(rng_.uniform()));
    }
}

} // namespace ts::gen
