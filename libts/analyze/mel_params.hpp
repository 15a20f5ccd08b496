// The mel parameters mel and mfcc share, and the stage that turns one STFT frame into mel
// band powers with them.
#pragma once

#include "analyze/stft_params.hpp"
#include "dsp/mel_filterbank.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ts::analyze {

inline std::vector<ParamSpec> mel_param_specs() {
    return {
        {"bands",
         ParamType::integer,
         "40",
         1,
         512,
         {},
         "number of mel bands (40, as aubio and HTK; librosa defaults to 128)"},
        {"fmin", ParamType::number, "0", 0, 1e6, {}, "lowest frequency of the filterbank, Hz"},
        {"fmax",
         ParamType::number,
         "0",
         0,
         1e6,
         {},
         "highest frequency of the filterbank, Hz (0: half the sample rate)"},
        {"scale",
         ParamType::choice,
         "slaney",
         0,
         0,
         {"slaney", "htk"},
         "mel scale: slaney (librosa's default) or htk"},
        {"norm",
         ParamType::boolean,
         "true",
         0,
         0,
         {},
         "scale each triangle by 2 / its width in Hz (librosa norm='slaney'), so bands of "
         "white noise come out equal"},
    };
}

inline const char *mel_words() {
    return "The filterbank is librosa.filters.mel's: bands + 2 edges equally spaced in mel "
           "between fmin and fmax, band b a triangle rising from edge b to 1 at edge b+1 and "
           "falling to 0 at edge b+2 over the bin frequencies, with norm=true scaled by "
           "2 / (edge b+2 - edge b) in Hz. Slaney mel: f / (200/3) below 1 kHz (1 kHz = 15 "
           "mel), 15 + ln(f / 1000) / (ln 6.4 / 27) above; HTK mel: 2595 log10(1 + f/700). "
           "Band powers are sum_k w_bk P_k over the normalised powers P_k, so they equal "
           "librosa.feature.melspectrogram's (power=2) divided by (sum(window) / 2)^2.";
}

// Turns spectra into mel band powers.
class MelStage {
  public:
    MelStage(const std::string &analyzer, const StftShape &shape, const Params &p)
        : analyzer_(analyzer), shape_(shape), bands_(static_cast<int>(p.integer("bands"))),
          fmin_(p.number("fmin")), fmax_(p.number("fmax")),
          scale_(p.text("scale") == "htk" ? dsp::MelScale::htk : dsp::MelScale::slaney),
          norm_(p.boolean("norm")) {
        if (fmax_ > 0 && fmax_ <= fmin_)
            throw UsageError("-p " + analyzer + ".fmax: must be above fmin (" +
                             std::to_string(fmin_) + " Hz), or 0 for half the sample rate");
    }
    // Builds the filterbank for the input's rate; a band edge past half the rate is an error
    // of this input.
    void setup(int rate) {
        const double nyquist = rate / 2.0;
        const double fmax = fmax_ > 0 ? fmax_ : nyquist;
        if (fmax > nyquist)
            throw Error(analyzer_ + ": fmax " + std::to_string(fmax) +
                        " Hz is above half the sample rate (" + std::to_string(nyquist) + " Hz)");
        if (fmin_ >= fmax)
            throw Error(analyzer_ + ": fmin " + std::to_string(fmin_) + " Hz is not below fmax (" +
                        std::to_string(fmax) + " Hz)");
        bank_.emplace(bands_, shape_.n_fft, static_cast<double>(rate), fmin_, fmax, scale_, norm_);
        power_.assign(static_cast<std::size_t>(shape_.bins()), 0.0f);
    }
    int bands() const { return bands_; }
    std::vector<double> centres() const {
        std::vector<double> y(static_cast<std::size_t>(bands_));
        for (int b = 0; b < bands_; ++b)
            y[static_cast<std::size_t>(b)] = bank_->centre(b);
        return y;
    }
    // out: bands() values.
    void apply(const Spectrum &s, float *out) {
        const float gain2 = static_cast<float>(shape_.gain * shape_.gain);
        for (int k = 0; k < s.size; ++k)
            power_[static_cast<std::size_t>(k)] = std::norm(s.bins[k]) * gain2;
        bank_->apply(power_.data(), out);
    }

  private:
    std::string analyzer_;
    StftShape shape_;
    int bands_;
    double fmin_, fmax_;
    dsp::MelScale scale_;
    bool norm_;
    std::optional<dsp::MelFilterbank> bank_;
    std::vector<float> power_;
};

} // namespace ts::analyze
