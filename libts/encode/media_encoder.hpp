// The media module's encoding table: ts-transcode's FFmpeg encoders and muxers, reached without
// linking FFmpeg. Implemented by libts/modules/media.cpp (media.so, entry ts_media_encode_module).
#pragma once

#include "core/module.hpp"
#include "encode/encoder.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace ts::encode {

struct EncodeModule {
    int abi; // module::load checks it first
    // encode/encoder.hpp: supported_rate, check and the Encoder, by handle.
    int (*supported_rate)(const Format &format, int rate);
    void (*check)(const Settings &settings, int channels, bool streaming);
    void *(*encoder_new)(io::Output &out, const Settings &settings, int rate, int channels,
                         const std::string &name);
    void (*encoder_write)(void *enc, const float *frames, std::size_t count);
    void (*encoder_finish)(void *enc);
    std::int64_t (*encoder_frames)(const void *enc);
    std::string (*encoder_describe)(const void *enc);
    void (*encoder_free)(void *enc);
};

constexpr int encode_module_abi(const char *version) {
    return module::abi(sizeof(EncodeModule), version);
}

// Loads media.so on first use; throws ts::Error when it cannot.
const EncodeModule &encode_module();

} // namespace ts::encode
