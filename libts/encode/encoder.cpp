#include "encode/encoder.hpp"

#include "decode/media_module.hpp"

namespace ts::encode {

using decode::media_module;

int supported_rate(const Format &format, int rate) {
    return media_module().supported_rate(format, rate);
}

void check(const Settings &settings, int channels, bool streaming) {
    media_module().check(settings, channels, streaming);
}

Encoder::Encoder(io::Output &out, const Settings &settings, int rate, int channels,
                 const std::string &name)
    : impl_(media_module().encoder_new(out, settings, rate, channels, name)) {}

Encoder::~Encoder() { media_module().encoder_free(impl_); }

void Encoder::write(const float *frames, std::size_t count) {
    media_module().encoder_write(impl_, frames, count);
}

void Encoder::finish() { media_module().encoder_finish(impl_); }

std::int64_t Encoder::frames_written() const { return media_module().encoder_frames(impl_); }

std::string Encoder::describe() const { return media_module().encoder_describe(impl_); }

} // namespace ts::encode
