// Plain loops the compiler vectorises; no per-sample calls.
#include "pcm/convert.hpp"

#include <cmath>

namespace ts::pcm {

void s16_to_float(const std::int16_t *in, float *out, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<float>(in[i]) * (1.0f / 32768.0f);
}

void float_to_s16(const float *in, std::int16_t *out, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        float v = in[i] * 32768.0f;
        v = v != v ? 0.0f : v;
        v = v > 32767.0f ? 32767.0f : (v < -32768.0f ? -32768.0f : v);
        out[i] = static_cast<std::int16_t>(std::lrintf(v));
    }
}

} // namespace ts::pcm
