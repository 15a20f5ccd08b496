// The media module's decoding table: what the tools reach of FFmpeg without linking it
// (demuxing, decoding, resampling, ts-info's facts); its encoding table is in
// encode/media_encoder.hpp. Implemented by libts/modules/media.cpp (media.so).
#pragma once

#include "decode/media_info.hpp"
#include "core/module.hpp"
#include "decode/source.hpp"
#include "io/input.hpp"

#include <cstddef>
#include <memory>
#include <string>

namespace ts::decode {

struct MediaModule {
    int abi; // module::load checks it first
    // decode/ffmpeg_source.hpp's open_media.
    std::unique_ptr<Source> (*open_media)(const std::string &arg, std::unique_ptr<io::Reader> reader,
                                          const OpenOptions &options);
    // decode/resampler.hpp's Resampler, by handle. engine: "soxr" or "swr".
    void *(*resampler_new)(int in_rate, int out_rate, int channels, const char **engine);
    std::size_t (*resampler_process)(void *rs, const float *in, std::size_t n, float *out,
                                     std::size_t max_out);
    void (*resampler_free)(void *rs);
    // decode/media_info.hpp's media_facts (ts-info).
    void (*media_facts)(const std::string &arg, io::Reader *reader, const InfoOptions &options,
                        MediaInfo &info);
};

constexpr int media_module_abi(const char *version) {
    return module::abi(sizeof(MediaModule), version);
}

// Loads media.so on first use (FFmpeg with it); throws ts::Error when it cannot.
const MediaModule &media_module();

} // namespace ts::decode
