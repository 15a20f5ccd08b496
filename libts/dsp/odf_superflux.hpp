// SuperFlux (Böck and Widmer 2013): spectral flux on a log-compressed, log-frequency
// filterbank spectrum, against a maximum-filtered past that ignores vibrato and tremolo,
// and the peak picker that goes with it.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

namespace ts::dsp {

struct SuperFluxShape {
    int n_fft = 2048;
    double rate = 44100;
    double fmin = 30, fmax = 17000; // the filterbank's span, Hz (fmax clipped to Nyquist)
    int bands_per_octave = 24;
    double compression = 3000; // lambda in log10(1 + lambda * B)
    int max_bands = 3;         // the maximum filter over frequency, bands (odd)
    int history = 3;           // the maximum filter over time: frames t-lag-history+1 .. t-lag
    int lag = 1;               // mu, frames
};

// Feed it the normalised magnitudes (m_k, k = 0 .. n_fft/2) of one STFT's frames in order;
// frames before the first are taken as silent.
class SuperFlux {
  public:
    explicit SuperFlux(const SuperFluxShape &shape);
    float next(const float *magnitude, float gain);
    std::size_t bands() const { return first_.size(); }

  private:
    SuperFluxShape shape_;
    // Band j weighs the bins first_[j] .. first_[j] + count_[j] - 1 by weights_[offset_[j] ..]
    // (sum 1), all bands' weights in one array.
    std::vector<int> first_, count_, offset_;
    std::vector<float> weights_;
    std::vector<float> level_;  // log10(1 + lambda B) of this frame
    std::vector<float> ref_;    // the reference of each band
    std::vector<float> past_;   // frequency-max-filtered levels, a ring of slots of bands()
    std::size_t slots_ = 0, head_ = 0; // its slots, and the slot for this frame
};

struct SuperFluxPeaks {
    double threshold = 0.8; // odf(t) >= mean(odf[t-mean_before .. t+mean_after]) + threshold
    int mean_before = 8, mean_after = 0;
    int max_before = 1, max_after = 5; // odf(t) is the maximum of odf[t-before .. t+after]
    int min_gap = 3; // frames: a peak closer than this to the previous onset is dropped
};

// The rule in seconds at frame_rate frames a second, with SuperFlux's maximum window (10 ms
// before to 50 ms after) and min_gap frames between onsets.
SuperFluxPeaks superflux_peaks(double frame_rate, double threshold, double mean_before_s,
                               double mean_after_s, int min_gap);

// Indices t where odf[t] > 0, is the maximum of its window, reaches the mean plus the
// threshold, loud[t] is true, reject(t) is false (when given), and t - (previous onset) >=
// min_gap (windows clipped; a rejected peak does not count as an onset for min_gap).
std::vector<std::size_t> pick_superflux(const std::vector<float> &odf,
                                        const std::vector<bool> &loud, const SuperFluxPeaks &rule,
                                        const std::function<bool(std::size_t)> &reject = {});

// Where an onset picked at frame t is reported: a slow attack's flux is spread over several
// frames and peaks late, a sharp one's peaks at once. When odf[t-1] .. odf[t-min_rise] are
// all at least fraction * odf[t], the rise's first frame at or above that fraction (at most
// max_back frames back, and after frame `floor`, the previous onset's peak); else t.
struct RiseRule {
    double fraction = 0.3; // 0: always t
    int min_rise = 2, max_back = 5;
};
std::size_t rise_start(const std::vector<float> &odf, std::size_t t, std::ptrdiff_t floor,
                       const RiseRule &rule);

// A note's release rather than an onset: a note that starts adds energy, while a sampled
// instrument's note-off can fall within milliseconds into a release of another timbre, a
// spectral change as large as an onset's. Given the levels (dB) of consecutive short
// blocks, block c is a release when the level falls by more than fall_db within
// drop_blocks blocks somewhere in blocks c-reach .. c+reach-1, and the mean level of the
// blocks c+near .. c+reach-1 is more than fall_db below that of c-reach .. c-near-1
// (never when either span leaves the input), unless the fall comes back: some block k in
// c-near .. c+near-1 is more than fall_db above the lowest of the blocks c-reach .. k (a
// softer note after a gap, not a release).
struct ReleaseRule {
    double fall_db = 4;
    int drop_blocks = 2, near = 6, reach = 13;
};
bool is_release(const std::vector<float> &block_db, std::size_t c, const ReleaseRule &rule);

} // namespace ts::dsp
