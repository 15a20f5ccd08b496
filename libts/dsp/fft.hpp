// Real FFT behind one small wrapper (KissFFT now; the interface allows a faster backend).
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
    void *cfg_;
};

} // namespace ts::dsp
