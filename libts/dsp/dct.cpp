// The orthonormal DCT-II as a matrix of cosines.
#include "dsp/dct.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace ts::dsp {

Dct2::Dct2(int size, int outputs) : size_(size), outputs_(outputs) {
    if (size < 1 || outputs < 1 || outputs > size)
        throw std::invalid_argument("DCT: need 1 <= outputs <= size");
    basis_.resize(static_cast<std::size_t>(size) * static_cast<std::size_t>(outputs));
    const double n = size;
    for (int k = 0; k < outputs; ++k) {
        const double s = std::sqrt((k == 0 ? 1.0 : 2.0) / n);
        for (int i = 0; i < size; ++i)
            basis_[static_cast<std::size_t>(k * size + i)] =
                s * std::cos(std::numbers::pi * k * (2.0 * i + 1.0) / (2.0 * n));
    }
}

void Dct2::forward(const float *in, float *out) const {
    for (int k = 0; k < outputs_; ++k) {
        const double *row =
            basis_.data() + static_cast<std::size_t>(k) * static_cast<std::size_t>(size_);
        double sum = 0.0;
        for (int i = 0; i < size_; ++i)
            sum += row[i] * in[i];
        out[k] = static_cast<float>(sum);
    }
}

} // namespace ts::dsp
