// Mel filterbank as librosa.filters.mel builds it: triangles on the mel scale over the bins of
// a real FFT, stored sparsely (each band keeps only the bins where it is non-zero).
#pragma once

#include <vector>

namespace ts::dsp {

enum class MelScale { slaney, htk };

// Hz <-> mel. Slaney (Auditory Toolbox, librosa's default): linear below 1 kHz (200/3 Hz per
// mel, so 1 kHz = 15 mel), logarithmic above (27 mel per factor 6.4). HTK: 2595 log10(1 + f/700).
double hz_to_mel(double hz, MelScale scale);
double mel_to_hz(double mel, MelScale scale);

struct MelBand {
    int first = 0;              // first bin with a non-zero weight
    std::vector<float> weights; // weights of bins first, first+1, ...
};

class MelFilterbank {
  public:
    // `bands` triangles between fmin and fmax (Hz) over the n_fft/2 + 1 bins of an FFT of
    // size n_fft at `rate`. Band b rises from edge b to edge b+1 and falls to edge b+2, the
    // bands + 2 edges being equally spaced in mel. With `slaney_norm`, each triangle is
    // scaled by 2 / (its width in Hz), so every band has the same area (librosa norm='slaney').
    MelFilterbank(int bands, int n_fft, double rate, double fmin, double fmax, MelScale scale,
                  bool slaney_norm);
    int size() const { return static_cast<int>(bands_.size()); }
    const MelBand &band(int b) const { return bands_[static_cast<std::size_t>(b)]; }
    // Centre frequency of band b in Hz (its peak, edge b+1).
    double centre(int b) const { return edges_[static_cast<std::size_t>(b) + 1]; }
    // out[b] = sum_k weights_b[k] * power[k], for `power` holding n_fft/2 + 1 values.
    void apply(const float *power, float *out) const;

  private:
    std::vector<MelBand> bands_;
    std::vector<double> edges_;
};

} // namespace ts::dsp
