// Real FFT behind one small wrapper: FFmpeg's av_tx (SIMD) for power-of-two sizes, KissFFT
// for the other even sizes.
#pragma once

#include <complex>
#include <vector>

namespace ts::dsp {

class RealFft {
  public:
    explicit RealFft(int size); // size even
    ~RealFft();
    RealFft(const RealFft &) = delete;
    RealFft &operator=(const RealFft &) = delete;
    int size() const { return size_; }
    int bins() const { return size_ / 2 + 1; }
    // in: size() samples; out: bins() complex values (unnormalised, as numpy.fft.rfft).
    void forward(const float *in, std::complex<float> *out);

  private:
    int size_;
    void *kiss_ = nullptr;         // KissFFT's plan, for sizes that are not powers of two
    void *tx_ = nullptr;           // av_tx's context
    void (*tx_fn_)(void *, void *, void *, std::ptrdiff_t) = nullptr;
    float *tx_in_ = nullptr;       // aligned copies: av_tx's SIMD code wants aligned buffers
    std::complex<float> *tx_out_ = nullptr;
};

} // namespace ts::dsp
