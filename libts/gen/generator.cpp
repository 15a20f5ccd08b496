// The block bookkeeping shared by every generator.
#include "gen/generator.hpp"

#include <algorithm>
#include <cmath>

namespace ts::gen {

double db_to_gain(double db) {
    return std::pow(10.0, db / 20.0);
}

std::int64_t frames_for(double seconds, int rate) {
    return static_cast<std::int64_t>(std::llround(seconds * rate));
}

std::size_t Generator::generate(float *dst, std::size_t count) {
    auto n = static_cast<std::size_t>(
        std::min<std::int64_t>(static_cast<std::int64_t>(count), frames_ - pos_));
    if (n == 0)
        return 0;
    render(dst, n, pos_);
    pos_ += static_cast<std::int64_t>(n);
    return n;
}

void spread(const float *mono, float *interleaved, std::size_t frames, int channels) {
    if (channels == 1) {
        std::copy(mono, mono + frames, interleaved);
        return;
    }
    const auto c = static_cast<std::size_t>(channels);
    for (std::size_t i = 0; i < frames; ++i)
        std::fill(interleaved + i * c, interleaved + (i + 1) * c, mono[i]);
}

} // namespace ts::gen
