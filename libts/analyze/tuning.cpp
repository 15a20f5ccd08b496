// tuning: the reference frequency of A4 that the spectral peaks of the input sit on, from the
// power-weighted circular mean of their deviations from the equal-tempered grid.
#include "analyze/analyzers.hpp"
#include "analyze/peaks.hpp"
#include "analyze/stft_params.hpp"

#include <cmath>
#include <numbers>

namespace ts::analyze {
namespace {

class Tuning : public Analyzer {
  public:
    Tuning(int n_fft, int step, double fmin, double fmax, double range_db)
        : n_fft_(n_fft), step_(step), fmin_(fmin), fmax_(fmax), range_db_(range_db) {}

    void setup(Context &ctx) override {
        rate_ = ctx.rate();
        ctx.on_spectrum(n_fft_, step_, dsp::Window::hann,
                        [this](const Spectrum &s, std::int64_t) { add(s); });
    }

    std::vector<result::Result> finish(std::int64_t) override {
        result::Result r = output("");
        r.scalar = true;
        // No peak, or deviations cancelling out exactly: no tuning (null).
        const double len = std::hypot(dev_.re, dev_.im);
        if (dev_.weight <= 0 || len <= 1e-12 * dev_.weight) {
            r.value = {std::nan("")};
        } else {
            const double cents = std::atan2(dev_.im, dev_.re) / (2 * std::numbers::pi) * 100.0;
            r.value = {440.0 * std::pow(2.0, cents / 1200.0)};
        }
        r.extra["coherence"] = dev_.weight > 0 ? len / dev_.weight : 0.0;
        return only(std::move(r));
    }

  private:
    void add(const Spectrum &s) {
        for_each_peak(s, fmin_, fmax_, range_db_, [this](double f, double w) {
            dev_.add(12.0 * std::log2(f / 440.0), w);
        });
    }

    int n_fft_, step_;
    double fmin_, fmax_, range_db_;
    int rate_ = 0;
    GridDeviation dev_;
};

} // namespace

Definition tuning_definition() {
    Definition d;
    d.id = "tuning";
    d.name = "Tuning";
    d.description =
        "Reference frequency of A4 the input is tuned to. From the STFT of the mono signal "
        "(hann window, n_fft and step as set; the default equals chroma's so they share one), "
        "every frame's spectral peaks are taken: bins k with fmin <= f_k <= fmax whose "
        "magnitude exceeds both neighbours (>= the right one) and lies within range dB of the "
        "frame's largest in that band. Each peak's frequency is refined by Grandke's "
        "interpolation for the hann window, exact for a lone sine: with a = |X_{k+1}| / |X_k| "
        "when |X_{k+1}| > |X_{k-1}|, f = (k + (2a - 1)/(a + 1)) rate / n_fft, and the mirror "
        "image with |X_{k-1}| otherwise. Its deviation d = s - round(s), s = 12 log2(f / 440), "
        "in semitones, is an angle 2 pi d; the angles of all peaks of all frames are averaged "
        "as unit vectors weighted by the peak power |X_k|^2 (a circular mean, so -0.5 and 0.5 "
        "agree), and the mean angle phi gives the tuning 440 * 2^(phi / (2 pi) / 12) Hz. The "
        "result lies in [427.5, 452.9) Hz (within half a semitone of 440): a tuning a "
        "semitone away, such as 415.3 Hz, reads as 440.";
    d.params = peak_param_specs();
    d.outputs = {
        {"", "Tuning", "Hz", result::TimeMode::global, result::DataMode::value,
         "Frequency of A4 in Hz; null when there is no peak (silence, an input shorter than "
         "n_fft). data.coherence: the length of the mean vector, 0..1 (1: every peak on the "
         "same grid; near 0: no common tuning, the value is then meaningless)."},
    };
    d.make = [](const Params &p, const std::vector<std::string> &) {
        const long n = p.integer("n_fft");
        if (n % 2 != 0)
            throw UsageError("-p tuning.n_fft=" + std::to_string(n) + ": must be even");
        if (p.number("fmax") <= p.number("fmin"))
            throw UsageError("-p tuning.fmax: must be above fmin");
        return std::make_unique<Tuning>(static_cast<int>(n), static_cast<int>(p.integer("step")),
                                        p.number("fmin"), p.number("fmax"), p.number("range"));
    };
    return d;
}

} // namespace ts::analyze
