// The click track generator.
#include "gen/clicks.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace ts::gen {
namespace {
constexpr double click_length = 0.010; // seconds
constexpr double click_decay = 0.0015; // time constant, seconds
} // namespace

Clicks::Clicks(int rate, std::int64_t frames, double tempo, double amplitude)
    : Generator(frames), rate_(rate), tempo_(tempo), frequency_(std::min(2000.0, rate / 4.0)) {
    // At most half a beat, so that fast tempos still leave a gap before the next click.
    const double half_beat = 30.0 / tempo;
    auto length = static_cast<std::size_t>(
        std::max<std::int64_t>(1, frames_for(std::min(click_length, half_beat), rate)));
    click_.resize(length);
    for (std::size_t i = 0; i < length; ++i) {
        double t = static_cast<double>(i) / rate;
        click_[i] = static_cast<float>(amplitude * std::exp(-t / click_decay) *
                                       std::cos(2.0 * std::numbers::pi * frequency_ * t));
    }
}

std::int64_t Clicks::beat_frame(std::int64_t k) const {
    return static_cast<std::int64_t>(std::llround(static_cast<double>(k) * 60.0 * rate_ / tempo_));
}

void Clicks::render(float *dst, std::size_t count, std::int64_t first) {
    std::fill(dst, dst + count, 0.0f);
    const auto end = first + static_cast<std::int64_t>(count);
    const auto length = static_cast<std::int64_t>(click_.size());
    // The first beat whose click may reach into this block.
    auto k = static_cast<std::int64_t>(
        std::floor(static_cast<double>(first - length) * tempo_ / (60.0 * rate_)));
    for (k = std::max<std::int64_t>(0, k - 1);; ++k) {
        const std::int64_t start = beat_frame(k);
        if (start >= end)
            break;
        const std::int64_t from = std::max(start, first);
        const std::int64_t to = std::min(start + length, end);
        for (std::int64_t n = from; n < to; ++n)
            dst[n - first] = click_[static_cast<std::size_t>(n - start)];
    }
}

} // namespace ts::gen
