// A streaming short-time Fourier transform of a mono signal, for the drawings.
#pragma once

#include "dsp/fft.hpp"
#include "dsp/window.hpp"

#include <complex>
#include <cstdint>
#include <functional>
#include <vector>

namespace ts::graph {

class Stft {
  public:
    // Frame j covers samples [j*step, j*step + n_fft); `power` holds n_fft/2 + 1 normalised
    // powers (|X_k| * 2 / sum(window))^2, so a full-scale sine centred on a bin reads 1 (0 dB).
    using Sink = std::function<void(std::int64_t frame_start, const float *power)>;
    Stft(int n_fft, int step, dsp::Window window, Sink sink);
    int bins() const { return n_fft_ / 2 + 1; }
    void push(const float *mono, std::size_t n);
    // Ends the input: only whole frames are given, or one zero-padded frame for an input
    // shorter than n_fft.
    void finish();

  private:
    void frame();
    int n_fft_, step_;
    std::vector<float> window_, buf_, windowed_, power_;
    std::vector<std::complex<float>> bins_;
    dsp::RealFft fft_;
    float gain2_;
    std::size_t filled_ = 0;
    std::int64_t start_ = 0;
    Sink sink_;
};

} // namespace ts::graph
