// media.so: FFmpeg's demuxers, decoders and resampler behind decode/media_module.hpp.
// Its references to the rest of libts (errors, logging, io) resolve to the loading tool's
// own copy (tools are linked with --export-dynamic).
#include "decode/ffmpeg_source.hpp"
#include "decode/media_info.hpp"
#include "decode/media_module.hpp"
#include "decode/swr_resampler.hpp"
#include "ts_config.h"

namespace {

const ts::decode::MediaModule table = {
    ts::decode::media_module_abi(TS_VERSION),
    ts::decode::open_media,
    ts::decode::swr_resampler_new,
    ts::decode::swr_resampler_process,
    ts::decode::swr_resampler_free,
    ts::decode::media_facts,
};

} // namespace

extern "C" __attribute__((visibility("default"))) const void *ts_media_module() {
    ts::decode::quiet_ffmpeg_logs();
    return &table;
}
