// media.so: FFmpeg's demuxers, decoders and resampler behind decode/media_module.hpp, its
// encoders and muxers behind encode/media_encoder.hpp.
// Its references to the rest of libts (errors, logging, io) resolve to the loading tool's
// own copy (tools are linked with --export-dynamic).
#include "decode/ffmpeg_source.hpp"
#include "decode/media_info.hpp"
#include "decode/media_module.hpp"
#include "decode/swr_resampler.hpp"
#include "encode/ff_encoder.hpp"
#include "encode/media_encoder.hpp"
#include "ffmpeg/log.hpp"
#include "ts_config.h"

namespace {

using ts::encode::FfEncoder;

void *encoder_new(ts::io::Output &out, const ts::encode::Settings &settings, int rate,
                  int channels, const std::string &name) {
    return new FfEncoder(out, settings, rate, channels, name);
}
void encoder_write(void *e, const float *frames, std::size_t count) {
    static_cast<FfEncoder *>(e)->write(frames, count);
}
void encoder_finish(void *e) { static_cast<FfEncoder *>(e)->finish(); }
std::int64_t encoder_frames(const void *e) {
    return static_cast<const FfEncoder *>(e)->frames_written();
}
std::string encoder_describe(const void *e) { return static_cast<const FfEncoder *>(e)->describe(); }
void encoder_free(void *e) { delete static_cast<FfEncoder *>(e); }

const ts::decode::MediaModule table = {
    ts::decode::media_module_abi(TS_VERSION),
    ts::decode::open_media,
    ts::decode::swr_resampler_new,
    ts::decode::swr_resampler_process,
    ts::decode::swr_resampler_free,
    ts::decode::media_facts,
};

const ts::encode::EncodeModule encode_table = {
    ts::encode::encode_module_abi(TS_VERSION),
    ts::encode::ff_supported_rate,
    ts::encode::ff_check,
    encoder_new,
    encoder_write,
    encoder_finish,
    encoder_frames,
    encoder_describe,
    encoder_free,
};

} // namespace

extern "C" __attribute__((visibility("default"))) const void *ts_media_module() {
    ts::ffmpeg::quiet_logs();
    return &table;
}

extern "C" __attribute__((visibility("default"))) const void *ts_media_encode_module() {
    ts::ffmpeg::quiet_logs();
    return &encode_table;
}
