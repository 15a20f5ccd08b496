// libswresample, preferring the soxr engine, the higher-quality one.
#include "decode/swr_resampler.hpp"

#include "core/error.hpp"

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

#include <string>

namespace ts::decode {

void *swr_resampler_new(int in_rate, int out_rate, int channels, const char **engine) {
    AVChannelLayout layout{};
    av_channel_layout_default(&layout, channels);
    SwrContext *swr = nullptr;
    for (bool soxr : {true, false}) {
        SwrContext *s = nullptr;
        if (swr_alloc_set_opts2(&s, &layout, AV_SAMPLE_FMT_FLT, out_rate, &layout,
                                AV_SAMPLE_FMT_FLT, in_rate, 0, nullptr) < 0)
            break;
        if (soxr)
            av_opt_set_int(s, "resampler", SWR_ENGINE_SOXR, 0);
        else
            av_opt_set_int(s, "filter_size", 64, 0);
        if (swr_init(s) == 0) {
            swr = s;
            *engine = soxr ? "soxr" : "swr";
            break;
        }
        swr_free(&s);
    }
    av_channel_layout_uninit(&layout);
    if (swr == nullptr)
        throw Error("cannot resample from " + std::to_string(in_rate) + " to " +
                    std::to_string(out_rate) + " Hz");
    return swr;
}

void swr_resampler_free(void *rs) {
    auto *swr = static_cast<SwrContext *>(rs);
    swr_free(&swr);
}

std::size_t swr_resampler_process(void *rs, const float *in, std::size_t n, float *out,
                                  std::size_t max_out) {
    const uint8_t *src = reinterpret_cast<const uint8_t *>(in);
    uint8_t *dst = reinterpret_cast<uint8_t *>(out);
    int got = swr_convert(static_cast<SwrContext *>(rs), &dst, static_cast<int>(max_out),
                          in ? &src : nullptr, static_cast<int>(n));
    if (got < 0)
        throw Error("resampling failed");
    return static_cast<std::size_t>(got);
}

} // namespace ts::decode
