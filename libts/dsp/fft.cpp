// KissFFT's real transform.
#include "dsp/fft.hpp"

#include "core/error.hpp"

#include <kiss_fftr.h>

#include <cstdlib>

namespace ts::dsp {

static_assert(sizeof(kiss_fft_cpx) == sizeof(std::complex<float>));

RealFft::RealFft(int size) : size_(size) {
    if (size < 2 || size % 2 != 0)
        throw Error("FFT size " + std::to_string(size) + " is not an even number >= 2");
    cfg_ = kiss_fftr_alloc(size, 0, nullptr, nullptr);
    if (!cfg_)
        throw std::bad_alloc();
}

RealFft::~RealFft() { kiss_fftr_free(cfg_); }

void RealFft::forward(const float *in, std::complex<float> *out) {
    kiss_fftr(static_cast<kiss_fftr_cfg>(cfg_), in, reinterpret_cast<kiss_fft_cpx *>(out));
}

} // namespace ts::dsp
