// Sine, sweep and constant generators.
#include "gen/tones.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace ts::gen {
namespace {
constexpr double two_pi = 2.0 * std::numbers::pi;

double frac(double x) {
    return x - std::floor(x);
}
} // namespace

Sine::Sine(int rate, std::int64_t frames, double frequency, double phase_degrees, double amplitude)
    : Generator(frames), rate_(rate), frequency_(frequency),
      phase_(phase_degrees * std::numbers::pi / 180.0), amplitude_(amplitude) {}

void Sine::render(float *dst, std::size_t count, std::int64_t first) {
    // f·n/rate in cycles loses its fraction to rounding after hours of a high tone, so whole
    // seconds and the rest of n are turned into cycles apart. Each sample comes from its own
    // index, so the samples do not depend on how the signal is cut into blocks.
    std::int64_t seconds = first / rate_;
    std::int64_t rest = first % rate_;
    double whole = frac(frequency_ * static_cast<double>(seconds));
    for (std::size_t i = 0; i < count; ++i) {
        const double cycles = whole + frequency_ * static_cast<double>(rest) / rate_;
        dst[i] = static_cast<float>(amplitude_ * std::sin(two_pi * frac(cycles) + phase_));
        if (++rest == rate_) {
            rest = 0;
            whole = frac(frequency_ * static_cast<double>(++seconds));
        }
    }
}

Sweep::Sweep(int rate, std::int64_t frames, double from, double to, SweepMode mode,
             double amplitude)
    : Generator(frames), rate_(rate), from_(from), to_(to), mode_(mode), amplitude_(amplitude),
      length_(static_cast<double>(frames) / rate) {}

void Sweep::render(float *dst, std::size_t count, std::int64_t first) {
    const double ratio = to_ / from_;
    const bool log = mode_ == SweepMode::log && from_ != to_;
    const double log_ratio = log ? std::log(ratio) : 0.0;
    for (std::size_t i = 0; i < count; ++i) {
        const double t = static_cast<double>(first + static_cast<std::int64_t>(i)) / rate_;
        const double u = length_ > 0 ? t / length_ : 0.0;
        // Phase in cycles: the integral of f(t) from 0 to t.
        double cycles = log ? from_ * length_ / log_ratio * std::expm1(u * log_ratio)
                            : from_ * t + (to_ - from_) * t * u / 2.0;
        dst[i] = static_cast<float>(amplitude_ * std::sin(two_pi * frac(cycles)));
    }
}

void Constant::render(float *dst, std::size_t count, std::int64_t) {
    std::fill(dst, dst + count, static_cast<float>(level_));
}

} // namespace ts::gen
