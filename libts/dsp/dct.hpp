// Orthonormal DCT-II (scipy.fft.dct(x, type=2, norm='ortho')), keeping the first coefficients.
#pragma once

#include <vector>

namespace ts::dsp {

// X[k] = s_k * sum_{n<N} x[n] cos(pi k (2n + 1) / (2N)), s_0 = sqrt(1/N), s_k = sqrt(2/N):
// an orthonormal transform, so a constant vector v gives X[0] = sqrt(N) v and nothing else.
// A precomputed matrix: the sizes here are small (13 of 40 for MFCCs), where a fast
// transform gains nothing.
class Dct2 {
  public:
    Dct2(int size, int outputs); // outputs <= size
    int size() const { return size_; }
    int outputs() const { return outputs_; }
    void forward(const float *in, float *out) const; // in: size(), out: outputs()

  private:
    int size_, outputs_;
    std::vector<double> basis_; // outputs x size, row-major, scale included
};

} // namespace ts::dsp
