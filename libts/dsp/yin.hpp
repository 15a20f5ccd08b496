// YIN fundamental-frequency estimation (de Cheveigné & Kawahara 2002) and aubio's spectral
// variant yinfft (Brossier 2006): difference functions computed with FFTs, the cumulative
// mean normalised difference, the lag search and parabolic interpolation.
#pragma once

#include "dsp/fft.hpp"

#include <complex>
#include <memory>
#include <optional>
#include <vector>

namespace ts::dsp {

enum class YinMethod { yin, yinfft };

struct YinEstimate {
    double period = 0.0;       // in samples, interpolated; 0 when the lag range is empty
    double aperiodicity = 1.0; // d'(tau) at the chosen integer lag (0: perfectly periodic)
    bool voiced = false;       // aperiodicity below the threshold
};

class Yin {
  public:
    // A frame is `block` samples (even, at least 8). Lags are searched in [min_lag, max_lag],
    // clamped to [2, lag_limit()]. `threshold` bounds d' for a voiced frame. `refine`
    // (yinfft): take a sub-multiple of the chosen lag that the lag grid or a ringing note
    // hid, and move the lag to the nearest minimum of YIN's time-domain difference over the
    // frame's centre. `follow` (yinfft with refine): over its newest samples instead unless
    // the note is ending, and when the newest quarter is less periodic at the lag than the
    // oldest (a change of note), take the lag of the newest half's d' (a window weighted
    // towards its end) when it differs from the whole frame's.
    Yin(YinMethod method, int block, double rate, int min_lag, int max_lag, double threshold,
        bool refine = false, bool follow = false);
    YinEstimate estimate(const float *frame);

    // The longest lag the method can search with this block: block/2 - 2 for yin (its
    // difference sums over the first half of the frame), block/2 - 1 for yinfft.
    static int lag_limit(YinMethod method, int block);
    int min_lag() const { return min_lag_; }
    int max_lag() const { return max_lag_; }
    // d'(tau) for tau in [0, max_lag + 1] of the last frame.
    const std::vector<float> &normalised() const { return norm_; }
    // yinfft: X_k, k in [0, block/2], the spectrum of the last frame times the periodic Hann
    // window (sum block/2); unset for yin.
    const std::vector<std::complex<float>> &spectrum() const { return spec_a_; }

  private:
    void difference_yin(const float *frame);
    void difference_yinfft(const float *frame, const std::vector<float> &window);
    void normalise_difference();
    int global_minimum(const std::vector<float> &norm) const;
    // The frame's oldest and newest quarters (N/4 samples from the first and from the last
    // N/4 + tau) at lag tau: the aperiodicity sum (x_j - x_{j+tau})^2 / sum (x_j^2 +
    // x_{j+tau}^2) over the quarter, and that denominator, the energy.
    struct Ends {
        float old_aperiodicity = 0, new_aperiodicity = 0, old_energy = 0, new_energy = 0;
    };
    Ends ends(const float *frame, int tau) const;
    // c[n] = (1/N) sum_k Y_k e^{2 pi i k n / N} for n in [0, count) of a Hermitian spectrum Y
    // (bins 0..N/2), by one forward real FFT: the transform of Re Y + Im Y extended to the
    // full circle is real part + imaginary part = N c[n] (the Hartley identity).
    double refine(const float *frame, int tau, bool newest) const;
    // G[t] = sum_{k<N} P_k cos(2 pi k t / N) for t in [0, N/2] of the even sequence given by
    // P_0..P_{N/2}, into diff_, with one real FFT of N/2 (the DCT-I by half-size FFT).
    void cosine_transform(const float *p);
    void inverse(const std::complex<float> *y, int count, double *c);

    YinMethod method_;
    bool refine_;
    bool follow_;
    int block_;
    int min_lag_, max_lag_;
    int short_period_; // yinfft: lags at most this (above 1300 Hz) get the octave check
    double threshold_;
    RealFft fft_;
    std::optional<RealFft> half_fft_;     // yinfft: block/2, for the cosine transform
    std::vector<float> half_sin_, half_cos_; // sin and cos(pi j / (block/2))
    std::vector<float> window_, weight_; // yinfft: Hann window, outer-ear weights per bin
    // yinfft with follow: the estimator of a frame's newest half (block/2, its window weighted
    // towards the newest samples), asked only when the frame holds a change of note
    std::unique_ptr<Yin> late_;
    std::vector<float> buf_;
    std::vector<std::complex<float>> spec_a_, spec_b_;
    std::vector<double> diff_, corr_;
    std::vector<float> norm_, fdiff_, sums_;
};

// A frame's pitch in Hz from a Yin estimator, with a silence gate in front.
struct PitchFrame {
    float f0 = 0.0f;         // Hz; 0 when unvoiced
    float confidence = 0.0f; // 1 - d'(tau), clipped to [0, 1]; 0 for a silent frame
    bool voiced = false;
    float power = 0.0f; // the frame's mean square
};

class PitchTracker {
  public:
    // Lags from floor(rate / fmax) to ceil(rate / fmin), within what the block allows;
    // frames whose mean square is below silence_db dBFS (10 log10) are unvoiced.
    PitchTracker(YinMethod method, int block, double rate, double fmin, double fmax,
                 double threshold, double silence_db, bool refine = false,
                 bool follow = false);
    PitchFrame track(const float *frame);
    // The estimator, and whether it analysed the last frame (not silent, finite).
    const Yin &yin() const { return yin_; }
    bool analysed() const { return analysed_; }

  private:
    Yin yin_;
    int block_;
    double rate_;
    double silence_power_;
    bool analysed_ = false;
};

} // namespace ts::dsp
