// ts-transcode's encoders, in the media module: the tool's side of its encoding table.
#include "encode/encoder.hpp"

#include "encode/media_encoder.hpp"

#include "core/module.hpp"
#include "ts_config.h"

namespace ts::encode {

const EncodeModule &encode_module() {
    static const auto *m = static_cast<const EncodeModule *>(
        module::load("media", encode_module_abi(TS_VERSION), "encode"));
    return *m;
}

int supported_rate(const Format &format, int rate) {
    return encode_module().supported_rate(format, rate);
}

void check(const Settings &settings, int channels, bool streaming) {
    encode_module().check(settings, channels, streaming);
}

Encoder::Encoder(io::Output &out, const Settings &settings, int rate, int channels,
                 const std::string &name)
    : impl_(encode_module().encoder_new(out, settings, rate, channels, name)) {}

Encoder::~Encoder() { encode_module().encoder_free(impl_); }

void Encoder::write(const float *frames, std::size_t count) {
    encode_module().encoder_write(impl_, frames, count);
}

void Encoder::finish() { encode_module().encoder_finish(impl_); }

std::int64_t Encoder::frames_written() const { return encode_module().encoder_frames(impl_); }

std::string Encoder::describe() const { return encode_module().encoder_describe(impl_); }

} // namespace ts::encode
