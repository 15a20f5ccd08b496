// The streaming STFT: a buffer of n_fft samples shifted by step after each frame.
#include "graph/stft.hpp"

#include <algorithm>
#include <numeric>

namespace ts::graph {

Stft::Stft(int n_fft, int step, dsp::Window window, Sink sink)
    : n_fft_(n_fft), step_(step), window_(dsp::make_window(window, n_fft)),
      buf_(static_cast<std::size_t>(n_fft)), windowed_(static_cast<std::size_t>(n_fft)),
      power_(static_cast<std::size_t>(n_fft / 2 + 1)),
      bins_(static_cast<std::size_t>(n_fft / 2 + 1)), fft_(n_fft), sink_(std::move(sink)) {
    double sum = std::accumulate(window_.begin(), window_.end(), 0.0);
    double g = sum > 0 ? 2.0 / sum : 1.0;
    gain2_ = static_cast<float>(g * g);
}

void Stft::frame() {
    for (std::size_t i = 0; i < buf_.size(); ++i)
        windowed_[i] = buf_[i] * window_[i];
    fft_.forward(windowed_.data(), bins_.data());
    for (std::size_t k = 0; k < bins_.size(); ++k)
        power_[k] = std::norm(bins_[k]) * gain2_;
    sink_(start_, power_.data());
    // keep the last n_fft - step samples
    std::size_t s = static_cast<std::size_t>(step_);
    if (s < buf_.size())
        std::copy(buf_.begin() + static_cast<std::ptrdiff_t>(s), buf_.end(), buf_.begin());
    filled_ = filled_ > s ? filled_ - s : 0;
    start_ += step_;
}

void Stft::push(const float *mono, std::size_t n) {
    while (n > 0) {
        std::size_t take = std::min(n, buf_.size() - filled_);
        std::copy(mono, mono + take, buf_.begin() + static_cast<std::ptrdiff_t>(filled_));
        filled_ += take;
        mono += take;
        n -= take;
        if (filled_ == buf_.size())
            frame();
    }
}

void Stft::finish() {
    // Only whole frames, so the end of the input does not splatter over the last column;
    // an input shorter than one frame gets one zero-padded frame.
    if (start_ == 0 && filled_ > 0) {
        std::fill(buf_.begin() + static_cast<std::ptrdiff_t>(filled_), buf_.end(), 0.0f);
        frame();
    }
}

} // namespace ts::graph
