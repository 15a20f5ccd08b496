// Sample-rate conversion over libswresample (soxr engine when built in): the media module's
// side of decode/resampler.hpp's Resampler.
#pragma once

#include <cstddef>

namespace ts::decode {

// A converter of interleaved float frames; engine set to "soxr" or "swr". Throws ts::Error.
void *swr_resampler_new(int in_rate, int out_rate, int channels, const char **engine);
std::size_t swr_resampler_process(void *rs, const float *in, std::size_t n, float *out,
                                  std::size_t max_out);
void swr_resampler_free(void *rs);

} // namespace ts::decode
