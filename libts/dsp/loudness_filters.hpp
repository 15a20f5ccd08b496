// K-weighting of ITU-R BS.1770-4 (the shelving pre-filter and the RLB high-pass), designed for
// any sample rate from the analog prototypes behind the standard's 48 kHz coefficients.
#pragma once

#include <cstddef>

namespace ts::dsp {

// A biquad with a0 = 1: y[n] = b0 x[n] + b1 x[n-1] + b2 x[n-2] - a1 y[n-1] - a2 y[n-2].
struct Biquad {
    double b0 = 1, b1 = 0, b2 = 0, a1 = 0, a2 = 0;
};

// Magnitude response of a biquad at `freq` Hz for sample rate `rate`, in dB.
double biquad_gain_db(const Biquad &f, double freq, double rate);

// The two stages of the K-weighting filter.
struct KWeighting {
    Biquad shelf;    // stage 1: high shelf, +4 dB above ~1.7 kHz (head effects)
    Biquad highpass; // stage 2: the RLB high-pass at ~38 Hz
};

// K-weighting for `rate` Hz: the bilinear transform, pre-warped at each stage's corner, of
// the analog prototypes (corner, gain, Q) that reproduce BS.1770's published 48 kHz
// coefficients. At 48 kHz the result equals those coefficients (to ~1e-14); above, the
// response matches the 48 kHz one within 0.006 dB up to 192 kHz; below, the shelf is fitted
// to the 48 kHz response (within 0.023 dB at 8 kHz, 0.002 dB from 16 kHz).
KWeighting k_weighting(double rate);

// Gain of the whole K-weighting at `freq` Hz, in dB (+0.70 dB at 1 kHz).
double k_weighting_gain_db(const KWeighting &k, double freq, double rate);

// Runs one channel through both stages in double precision and sums the squared output.
// Input may be strided (interleaved audio); the state carries over between calls.
class KFilter {
  public:
    KFilter() = default;
    explicit KFilter(const KWeighting &k) : k_(k) {}
    // Filters x[0], x[stride], ... (n samples) and returns the sum of the squared outputs.
    double process(const float *x, std::size_t stride, std::size_t n);
    // The same for two channels at once, a on xa[i * stride] and b on xb[i * stride]: the
    // two recursions interleave, which about halves the time of two process() calls (each
    // alone waits on its own feedback). Adds the sums of squares to sum_a and sum_b.
    static void process_pair(KFilter &a, KFilter &b, const float *xa, const float *xb,
                             std::size_t stride, std::size_t n, double &sum_a, double &sum_b);
    void reset();

  private:
    KWeighting k_;
    double s1_ = 0, s2_ = 0, t1_ = 0, t2_ = 0; // transposed direct form II states
};

} // namespace ts::dsp
