// True peak (ITU-R BS.1770-4 Annex 2): the largest absolute value of the signal between its
// samples, found by oversampling with a polyphase interpolation FIR.
#pragma once

#include <cstddef>
#include <vector>

namespace ts::dsp {

// The oversampling factor used at `rate` Hz: 4 below 96 kHz, 2 below 192 kHz, else 1, so
// the interpolated signal is always seen at 192 kHz or more (as libebur128 does).
int true_peak_factor(int rate);

// A windowed-sinc interpolator for `factor`x oversampling: for each phase p in
// [1, factor), `taps` coefficients c_p[k] such that the value of the band-limited signal at
// time n + taps/2 - 1 + p/factor is sum_k c_p[k] x[n + k]. Phase 0 (the samples themselves)
// needs no filter: the sinc cutoff at the input's Nyquist makes it an exact Nyquist filter.
struct Interpolator {
    int factor = 1;
    int taps = 0;
    std::vector<float> coef; // (factor - 1) rows of `taps`
    float gain_bound = 1;    // max over phases of sum |c_p[k]|: |output| <= bound * max |x|
};

// Kaiser-windowed sinc with the cutoff at the input's Nyquist frequency, each phase
// normalised to unit gain at DC. With 24 taps per phase and beta 6 the interpolated value of
// a sine is within 0.01 dB of the true one up to 0.40 * rate (17.6 kHz at 44.1 kHz), 0.02 dB
// up to 0.42 * rate.
Interpolator design_interpolator(int factor, int taps = 24, double beta = 6.0);

// Streams interleaved audio through the interpolator, channel by channel, and keeps the
// largest absolute value seen (samples included).
class TruePeak {
  public:
    TruePeak(int rate, int channels);
    void process(const float *interleaved, std::size_t frames);
    // Feeds taps - 1 zero frames, so the interpolated values around the last samples (the
    // ringing a converter would produce after them) are measured too. Call once at the end.
    void flush();
    // The largest absolute value (linear, >= the sample peak) over all channels so far.
    float peak() const { return peak_; }
    int factor() const { return ip_.factor; }

  private:
    void run(const float *buf, std::size_t n);

    Interpolator ip_;
    int channels_;
    std::vector<float> history_; // the last taps - 1 samples of each channel
    std::vector<float> buf_;     // one channel: history then the new samples
    std::vector<float> folded_;  // the phases folded by symmetry (see true_peak.cpp)
    int pairs_ = 0;              // phase pairs (p, factor - p) in folded_
    bool half_ = false;          // and the half-sample phase after them
    float peak_ = 0;
};

} // namespace ts::dsp
