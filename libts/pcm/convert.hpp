// Sample conversions between the TSPCM formats and float.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ts::pcm {

// s16 → float: x / 32768 (exact, as FFmpeg's swresample does).
void s16_to_float(const std::int16_t *in, float *out, std::size_t n);
// float → s16: round to nearest, clipped to [-32768, 32767]. NaN becomes 0.
void float_to_s16(const float *in, std::int16_t *out, std::size_t n);

} // namespace ts::pcm
