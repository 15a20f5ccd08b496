#include "decode/resampler.hpp"

#include "decode/media_module.hpp"

namespace ts::decode {

Resampler::Resampler(int in_rate, int out_rate, int channels)
    : rs_(media_module().resampler_new(in_rate, out_rate, channels, &engine_)) {}

Resampler::~Resampler() { media_module().resampler_free(rs_); }

std::size_t Resampler::process(const float *in, std::size_t n, float *out, std::size_t max_out) {
    return media_module().resampler_process(rs_, in, n, out, max_out);
}

} // namespace ts::decode
