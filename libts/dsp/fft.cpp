// The real FFT: FFmpeg's av_tx for powers of two (faster than KissFFT, with its SIMD code;
// bench/RESULTS.md), KissFFT's real transform for other even sizes. libavutil is loaded when
// the first such transform is made (loading it and its two dozen libraries costs more than a
// short file's whole analysis without a spectrum).
#include "dsp/fft.hpp"

#include "core/error.hpp"

extern "C" {
#include <libavutil/mem.h>
#include <libavutil/tx.h>
#include <libavutil/version.h>
}
#include <kiss_fftr.h>

#include <dlfcn.h>

#include <cstring>
#include <new>

namespace ts::dsp {
namespace {

#define TS_STR2(x) #x
#define TS_STR(x) TS_STR2(x)

// The four libavutil functions used here, or all null when it cannot be loaded (KissFFT
// then serves every size: slower, the same transform).
struct AvTx {
    decltype(&av_tx_init) init = nullptr;
    decltype(&av_tx_uninit) uninit = nullptr;
    decltype(&av_malloc) malloc = nullptr;
    decltype(&av_free) free = nullptr;
};

const AvTx &avtx() {
    static const AvTx t = [] {
        AvTx r;
        void *h = dlopen("libavutil.so." TS_STR(LIBAVUTIL_VERSION_MAJOR), RTLD_NOW | RTLD_LOCAL);
        if (!h)
            return r;
        r.init = reinterpret_cast<decltype(&av_tx_init)>(dlsym(h, "av_tx_init"));
        r.uninit = reinterpret_cast<decltype(&av_tx_uninit)>(dlsym(h, "av_tx_uninit"));
        r.malloc = reinterpret_cast<decltype(&av_malloc)>(dlsym(h, "av_malloc"));
        r.free = reinterpret_cast<decltype(&av_free)>(dlsym(h, "av_free"));
        if (!r.init || !r.uninit || !r.malloc || !r.free)
            r = AvTx{};
        return r;
    }();
    return t;
}

} // namespace

static_assert(sizeof(kiss_fft_cpx) == sizeof(std::complex<float>));
static_assert(sizeof(AVComplexFloat) == sizeof(std::complex<float>));

RealFft::RealFft(int size) : size_(size) {
    if (size < 2 || size % 2 != 0)
        throw Error("FFT size " + std::to_string(size) + " is not an even number >= 2");
    if ((size & (size - 1)) == 0 && avtx().init) {
        const AvTx &av = avtx();
        const float scale = 1.0f;
        AVTXContext *ctx = nullptr;
        av_tx_fn fn = nullptr;
        if (av.init(&ctx, &fn, AV_TX_FLOAT_RDFT, 0, size, &scale, 0) == 0) {
            tx_ = ctx;
            tx_fn_ = reinterpret_cast<void (*)(void *, void *, void *, std::ptrdiff_t)>(fn);
            tx_in_ = static_cast<float *>(av.malloc(sizeof(float) * static_cast<std::size_t>(size)));
            tx_out_ = static_cast<std::complex<float> *>(
                av.malloc(sizeof(std::complex<float>) * static_cast<std::size_t>(size / 2 + 8)));
            if (!tx_in_ || !tx_out_) {
                av.free(tx_in_);
                av.free(tx_out_);
                av.uninit(&ctx);
                throw std::bad_alloc();
            }
            return;
        }
    }
    kiss_ = kiss_fftr_alloc(size, 0, nullptr, nullptr);
    if (!kiss_)
        throw std::bad_alloc();
}

RealFft::~RealFft() {
    if (tx_) {
        auto *ctx = static_cast<AVTXContext *>(tx_);
        avtx().uninit(&ctx);
        avtx().free(tx_in_);
        avtx().free(tx_out_);
    }
    if (kiss_)
        kiss_fftr_free(static_cast<kiss_fftr_cfg>(kiss_));
}

void RealFft::forward(const float *in, std::complex<float> *out) {
    if (tx_) {
        std::memcpy(tx_in_, in, sizeof(float) * static_cast<std::size_t>(size_));
        reinterpret_cast<av_tx_fn>(tx_fn_)(static_cast<AVTXContext *>(tx_), tx_out_, tx_in_,
                                           sizeof(float));
        std::memcpy(out, tx_out_, sizeof(std::complex<float>) * static_cast<std::size_t>(bins()));
        // av_tx (FFmpeg 5.1) leaves the imaginary part of the Nyquist bin unwritten.
        out[0].imag(0.0f);
        out[size_ / 2].imag(0.0f);
        return;
    }
    kiss_fftr(static_cast<kiss_fftr_cfg>(kiss_), in, reinterpret_cast<kiss_fft_cpx *>(out));
}

} // namespace ts::dsp
