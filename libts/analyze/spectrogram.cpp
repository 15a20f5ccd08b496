// spectrogram: the STFT magnitude matrix, in dB or linear, one row per frame.
#include "analyze/analyzers.hpp"
#include "analyze/stft_params.hpp"

#include <cmath>

namespace ts::analyze {
namespace {

constexpr double floor_db = -120.0;

class Spectrogram : public Analyzer {
  public:
    Spectrogram(StftShape shape, bool db) : shape_(shape), db_(db) {}
    void setup(Context &ctx) override {
        rate_ = ctx.rate();
        // The matrix is the result's bulk: sized once when the input's length is known, so
        // that growing it never holds two copies (a 1-hour spectrogram is 1.3 GB).
        // Or kept out of memory altogether when the run spills series to a file.
        series_.spill_to(ctx.spill_file());
        const pcm::Header &h = ctx.stream_header();
        if (!ctx.spill_file() && h.frames > 0 && h.rate > 0) {
            const auto frames =
                static_cast<std::int64_t>(static_cast<double>(h.frames) * rate_ / h.rate);
            if (frames >= shape_.n_fft)
                series_.reserve(static_cast<std::size_t>((frames - shape_.n_fft) / shape_.step + 1) *
                                static_cast<std::size_t>(shape_.bins()));
        }
        ctx.on_spectrum(shape_.n_fft, shape_.step, shape_.window,
                        [this](const Spectrum &s, std::int64_t) { add(s); });
    }
    std::vector<result::Result> finish(std::int64_t) override {
        result::Result r = framewise("", rate_, shape_.n_fft, shape_.step);
        r.width = static_cast<std::size_t>(shape_.bins());
        series_.into(r);
        r.y.resize(r.width);
        for (std::size_t k = 0; k < r.width; ++k)
            r.y[k] = static_cast<double>(k) * rate_ / shape_.n_fft;
        return only(std::move(r));
    }

  private:
    void add(const Spectrum &s) {
        const std::size_t n = static_cast<std::size_t>(s.size);
        float *row = series_.grow(n);
        const float gain = static_cast<float>(shape_.gain);
        if (!db_) {
            for (std::size_t k = 0; k < n; ++k)
                row[k] = s.magnitude[k] * gain;
            return;
        }
        // 20 log10(m) = 10 log10(m^2), from the complex bins to skip the square root.
        const float floor_power = static_cast<float>(std::pow(10.0, floor_db / 10.0));
        const float gain2 = gain * gain;
        for (std::size_t k = 0; k < n; ++k) {
            const float p = std::norm(s.bins[k]) * gain2;
            row[k] = p > floor_power ? 10.0f * std::log10(p) : static_cast<float>(floor_db);
        }
    }

    StftShape shape_;
    bool db_;
    int rate_ = 0;
    result::SeriesBuffer series_;
};

} // namespace

Definition spectrogram_definition() {
    Definition d;
    d.id = "spectrogram";
    d.name = "Spectrogram";
    d.description = std::string("STFT magnitudes, one row of n_fft/2 + 1 bins per frame; y "
                                "holds the bin frequencies k * rate / n_fft in Hz. ") +
                    stft_words();
    d.params = stft_param_specs(2048, 512);
    d.params.push_back({"scale",
                        ParamType::choice,
                        "db",
                        0,
                        0,
                        {"db", "linear"},
                        "db: 20 log10(m_k), floored at -120 dB; linear: m_k"});
    d.outputs = {
        {"", "Spectrogram", "", result::TimeMode::framewise, result::DataMode::value,
         "Frames x bins matrix of normalised magnitudes m_k = |X_k| * 2 / sum(window) (a "
         "full-scale sine centred on a bin reads 1.0 there, or 0 dB). With scale=db: "
         "20 log10(m_k), floored at -120 dB (digital silence reads -120); with scale=linear: "
         "m_k. y: the bin frequencies in Hz."},
    };
    d.make = [](const Params &p, const std::vector<std::string> &) {
        return std::make_unique<Spectrogram>(stft_shape("spectrogram", p), p.text("scale") == "db");
    };
    return d;
}

} // namespace ts::analyze
