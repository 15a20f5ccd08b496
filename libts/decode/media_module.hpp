// The media module's entry table: what the tools reach of FFmpeg without linking it
// (demuxing, decoding, resampling, ts-info's facts, ts-transcode's encoders).
// Implemented by libts/modules/media.cpp (media.so), used through media_module().
#pragma once

#include "decode/media_info.hpp"
#include "decode/source.hpp"
#include "encode/encoder.hpp"
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
    // encode/encoder.hpp: supported_rate, check and the Encoder, by handle.
    int (*supported_rate)(const encode::Format &format, int rate);
    void (*check)(const encode::Settings &settings, int channels, bool streaming);
    void *(*encoder_new)(io::Output &out, const encode::Settings &settings, int rate,
                         int channels, const std::string &name);
    void (*encoder_write)(void *enc, const float *frames, std::size_t count);
    void (*encoder_finish)(void *enc);
    std::int64_t (*encoder_frames)(const void *enc);
    std::string (*encoder_describe)(const void *enc);
    void (*encoder_free)(void *enc);
};

// Changes with the table's layout and the version, so a stale module is refused.
constexpr int media_module_abi(const char *version) {
    unsigned h = static_cast<unsigned>(sizeof(MediaModule)); // unsigned: wraps, never overflows
    for (const char *p = version; *p; ++p)
        h = h * 31u + static_cast<unsigned char>(*p);
    return static_cast<int>(h & 0x7fffffffu);
}

// Loads media.so on first use (FFmpeg with it); throws ts::Error when it cannot.
const MediaModule &media_module();

} // namespace ts::decode
