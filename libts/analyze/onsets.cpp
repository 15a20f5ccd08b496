// onsets: an onset detection function per STFT frame (SuperFlux, aubio's methods) and the
// onset times picked from it with an adaptive threshold.
#include "analyze/analyzers.hpp"
#include "analyze/stft_params.hpp"
#include "dsp/odf_superflux.hpp"
#include "dsp/onset.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string_view>

namespace ts::analyze {
namespace {

// An onset is reported at its frame's start plus this fraction of n_fft: the rise of a
// windowed frame's spectrum peaks when the new sound reaches about the window's middle
// (checked on click tracks and the demo piece; see the description).
constexpr double onset_lag = 0.5;

// Each method's own threshold and median_window, chosen on bench/accuracy's generated corpus
// (48 pieces rendered by timidity and fluidsynth with two sound fonts) by
// `bench/accuracy/onsets.py --sweep`: the point of a threshold x median_window grid with the
// best mean F within 50 ms on the corpus's tuning half, or the former shared default (0.3,
// 0.1) where it scores within 0.005 of it (mkl). The held-out half's scores, before and
// after, are in bench/RESULTS.md.
// mixed (mkl and specflux, each over its mean, summed) was chosen on the same tuning half
// with its smoothing and a window reaching 6 frames back and 2 ahead (bench/RESULTS.md).
// superflux, the default, and its framing (n_fft 2048, step 441: 100 frames a second at
// 44.1 kHz, as in Böck and Widmer 2013) were chosen on the same tuning half, with the
// filterbank and maximum filters fixed below (bench/RESULTS.md); so were its release rule's
// 4 dB (first 3 to 6 dB: tune F 0.9545, 0.9598, 0.9587, 0.9579; 0.9570 without), its rise
// rule's fraction 0.3 (0.3, 0.5, 0.7, at least 2 frames of rise: tune F 0.9641, 0.9635,
// 0.9622; 0.9598 without), the release rule's exception for a fall that comes back (tune F
// 0.9641 to 0.9690), and then the threshold again, 0.85 (0.8 to 1.0: 0.9679, 0.9707, 0.9690,
// 0.9682, 0.9667), with release (3, 4, 5 dB: 0.9700, 0.9707, 0.9677) and rise (0.25 to 0.4:
// 0.9707, 0.9707, 0.9707, 0.9700) unchanged; and last the mask rule's half-life, 0.02 s
// (0.01, 0.015, 0.0175, 0.02, 0.0225, 0.025, 0.03, 0.04: tune F 0.9707, 0.9707, 0.9712,
// 0.9712, 0.9709, 0.9700, 0.9694, 0.9578; 0.9707 without), with threshold 0.85 still the
// best (0.8, 0.9: 0.9687, 0.9692).
struct MethodDefaults {
    const char *method, *threshold, *median_window, *median_after, *smooth, *n_fft, *step,
        *min_interval, *release, *rise, *mask;
};
constexpr MethodDefaults method_defaults[] = {
    {"energy", "4", "0.2", "-1", "0", "1024", "512", "0.02", "0", "0", "0"},
    {"hfc", "5", "0.2", "-1", "0", "1024", "512", "0.02", "0", "0", "0"},
    {"complex", "1.2", "0.15", "-1", "0", "1024", "512", "0.02", "0", "0", "0"},
    {"phase", "0.6", "0.15", "-1", "0", "1024", "512", "0.02", "0", "0", "0"},
    {"specflux", "1.5", "0.15", "-1", "0", "1024", "512", "0.02", "0", "0", "0"},
    {"specdiff", "0.3", "0.15", "-1", "0", "1024", "512", "0.02", "0", "0", "0"},
    {"kl", "0.5", "0.1", "-1", "0", "1024", "512", "0.02", "0", "0", "0"},
    {"mkl", "0.3", "0.1", "-1", "0", "1024", "512", "0.02", "0", "0", "0"},
    {"mixed", "0.25", "0.14", "0.023", "0.5", "1024", "512", "0.02", "0", "0", "0"},
    {"superflux", "0.85", "0.08", "0", "0", "2048", "441", "0.06", "4", "0.3", "0.02"},
};
constexpr const char *default_method = "superflux";

// superflux's fixed shape: 36 bands an octave from 30 Hz to 17 kHz, log10(1 + 3000 B), the
// reference of a band the maximum over 3 bands of the 3 frames before; a peak is the
// maximum of the frames from 0.01 s before to 0.05 s after it.
dsp::SuperFluxShape superflux_shape(const StftShape &s, int rate) {
    dsp::SuperFluxShape f;
    f.n_fft = s.n_fft;
    f.rate = rate;
    f.bands_per_octave = 36;
    f.compression = 3000;
    f.max_bands = 3;
    f.history = 3;
    f.lag = 1;
    return f;
}
constexpr double superflux_rise_back = 0.05; // the rise rule looks this far back, s

// A parameter whose default is given per method in method_defaults.
ParamSpec by_method(ParamSpec spec, const char *MethodDefaults::*field) {
    spec.default_from = "method";
    for (const auto &m : method_defaults) {
        spec.defaults_by.emplace_back(m.method, m.*field);
        if (std::string_view(m.method) == default_method)
            spec.default_value = m.*field;
    }
    return spec;
}

class Onsets : public Analyzer {
  public:
    // mixed: method is mkl, and a second ODF (specflux) is summed with it in finish();
    // superflux: method is unused.
    Onsets(StftShape shape, dsp::OdfMethod method, bool mixed, bool superflux, double threshold,
           double median_window, double median_after, double smooth, double min_interval,
           double silence_db, double release_db, double rise, double mask,
           std::vector<std::string> outputs)
        : shape_(shape), method_(method), mixed_(mixed), superflux_(superflux),
          threshold_(threshold),
          median_window_(median_window), median_after_(median_after), smooth_(smooth),
          min_interval_(min_interval), silence_(std::pow(10.0, silence_db / 10.0)),
          release_db_(release_db), rise_(rise), mask_(mask),
          outputs_(std::move(outputs)) {}

    void setup(Context &ctx) override {
        rate_ = ctx.rate();
        if (superflux_)
            sf_fn_.emplace(superflux_shape(shape_, rate_));
        else
            odf_fn_.emplace(method_, shape_.bins(), static_cast<float>(shape_.gain));
        if (mixed_)
            odf2_fn_.emplace(dsp::OdfMethod::specflux, shape_.bins(),
                             static_cast<float>(shape_.gain));
        double sum_w2 = 0.0;
        for (float w : dsp::make_window(shape_.window, shape_.n_fft))
            sum_w2 += static_cast<double>(w) * w;
        // Parseval: the windowed frame's mean square, divided by that of the window alone.
        power_scale_ = 1.0 / (static_cast<double>(shape_.n_fft) * sum_w2);
        ctx.on_spectrum(shape_.n_fft, shape_.step, shape_.window,
                        [this](const Spectrum &s, std::int64_t) { add(s); });
        if (superflux_ && release_db_ > 0) {
            // Each block's level for the release rule: blocks of about 2.9 ms (128 samples
            // at 44.1 kHz), back to back.
            block_ = std::max(1, static_cast<int>(std::lround(rate_ * 128.0 / 44100.0)));
            ctx.on_frames(block_, block_, [this](const float *x, std::int64_t) {
                double p = 0.0;
                for (int i = 0; i < block_; ++i)
                    p += static_cast<double>(x[i]) * x[i];
                block_db_.push_back(
                    static_cast<float>(10.0 * std::log10(p / block_ + 1e-10)));
            });
        }
    }

    std::vector<result::Result> finish(std::int64_t) override {
        if (mixed_) {
            // Each ODF over its mean over the input (so neither outweighs the other), summed.
            double m1 = 0, m2 = 0;
            for (std::size_t i = 0; i < odf_.size(); ++i)
                m1 += odf_[i], m2 += odf2_[i];
            const double n = static_cast<double>(odf_.size());
            m1 = std::max(m1 / n, 1e-12), m2 = std::max(m2 / n, 1e-12);
            for (std::size_t i = 0; i < odf_.size(); ++i)
                odf_[i] = static_cast<float>(odf_[i] / m1 + odf2_[i] / m2);
            mixed_ = false;
        }
        std::vector<result::Result> out;
        for (const auto &id : outputs_) {
            if (id == "odf") {
                result::Result r = framewise("odf", rate_, shape_.n_fft, shape_.step);
                r.series = odf_;
                out.push_back(std::move(r));
            } else {
                result::Result r = output("");
                const double frame_rate = static_cast<double>(rate_) / shape_.step;
                dsp::PeakRule rule;
                rule.threshold = threshold_;
                rule.half_window = static_cast<int>(std::lround(median_window_ * frame_rate / 2));
                if (median_after_ >= 0)
                    rule.after = static_cast<int>(std::lround(median_after_ * frame_rate));
                rule.smooth = smooth_;
                rule.min_gap = static_cast<int>(std::ceil(min_interval_ * frame_rate - 1e-9));
                const std::vector<std::size_t> peaks =
                    superflux_ ? pick_superflux(frame_rate, rule)
                               : dsp::pick_onsets(odf_, loud_, rule);
                // superflux's rise rule: a slow attack is reported where its rise begins,
                // at most 0.05 s back and after the previous onset's peak.
                dsp::RiseRule rise;
                rise.fraction = superflux_ ? rise_ : 0.0;
                rise.min_rise = 2;
                rise.max_back = static_cast<int>(std::lround(superflux_rise_back * frame_rate));
                std::ptrdiff_t floor = -1;
                for (std::size_t i : peaks) {
                    const std::size_t at = dsp::rise_start(odf_, i, floor, rise);
                    floor = static_cast<std::ptrdiff_t>(i);
                    r.time.push_back(
                        (static_cast<double>(at) * shape_.step + onset_lag * shape_.n_fft) / rate_);
                    r.value.push_back(odf_[i]);
                }
                out.push_back(std::move(r));
            }
        }
        return out;
    }

  private:
    // The peaks of the superflux ODF (smoothed first if asked): the mean reaches
    // median_window back and median_after ahead.
    std::vector<std::size_t> pick_superflux(double frame_rate, const dsp::PeakRule &rule) const {
        std::vector<float> o = odf_;
        if (smooth_ > 0)
            for (std::size_t i = 0; i < o.size(); ++i)
                o[i] = static_cast<float>(
                    (odf_[i] + smooth_ * ((i > 0 ? odf_[i - 1] : 0.0f) +
                                          (i + 1 < o.size() ? odf_[i + 1] : 0.0f))) /
                    (1.0 + 2.0 * smooth_));
        const dsp::SuperFluxPeaks p =
            dsp::superflux_peaks(frame_rate, threshold_, median_window_, median_after_, rule.min_gap);
        // The mask rule (Dixon 2006's exponential threshold): g(t) = max(o(t), a g(t-1) +
        // (1 - a) o(t)), a = 0.5^(1 / (mask * frame_rate)); a peak below g(t-1) is dropped.
        std::vector<float> masking;
        if (mask_ > 0) {
            const double a = std::pow(0.5, 1.0 / (mask_ * frame_rate));
            masking.resize(o.size());
            double g = 0.0;
            for (std::size_t i = 0; i < o.size(); ++i)
                masking[i] = static_cast<float>(g = std::max<double>(o[i], a * g + (1 - a) * o[i]));
        }
        const auto masked = [&](std::size_t t) {
            return !masking.empty() && t > 0 && o[t] < masking[t - 1];
        };
        if (release_db_ <= 0 || block_ <= 0)
            return masking.empty() ? dsp::pick_superflux(o, loud_, p)
                                   : dsp::pick_superflux(o, loud_, p, masked);
        // The release rule on blocks of about 2.9 ms: a fall within 2 blocks (5.8 ms), the
        // spans 20 to 40 ms before and after the onset's time.
        const double block_rate = static_cast<double>(rate_) / block_;
        dsp::ReleaseRule rr;
        rr.fall_db = release_db_;
        rr.drop_blocks = 2;
        rr.near = static_cast<int>(0.02 * block_rate);
        rr.reach = static_cast<int>(0.04 * block_rate);
        const auto reject = [&](std::size_t t) {
            const double at = static_cast<double>(t) * shape_.step + onset_lag * shape_.n_fft;
            return masked(t) ||
                   dsp::is_release(block_db_, static_cast<std::size_t>(at / block_), rr);
        };
        return dsp::pick_superflux(o, loud_, p, reject);
    }

    void add(const Spectrum &s) {
        odf_.push_back(sf_fn_ ? sf_fn_->next(s.magnitude, static_cast<float>(shape_.gain))
                              : odf_fn_->next(s.magnitude, s.bins));
        if (odf2_fn_)
            odf2_.push_back(odf2_fn_->next(s.magnitude, s.bins));
        const std::size_t n = static_cast<std::size_t>(s.size);
        float lane[8] = {};
        std::size_t k = 1;
        for (; k + 8 < n; k += 8)
            for (std::size_t j = 0; j < 8; ++j)
                lane[j] += s.magnitude[k + j] * s.magnitude[k + j];
        double p = 0.0;
        for (; k + 1 < n; ++k)
            p += static_cast<double>(s.magnitude[k]) * s.magnitude[k];
        for (float v : lane)
            p += v;
        p = 2.0 * p + static_cast<double>(s.magnitude[0]) * s.magnitude[0] +
            static_cast<double>(s.magnitude[n - 1]) * s.magnitude[n - 1];
        loud_.push_back(p * power_scale_ >= silence_);
    }

    StftShape shape_;
    dsp::OdfMethod method_;
    bool mixed_, superflux_;
    double threshold_, median_window_, median_after_, smooth_, min_interval_, silence_,
        release_db_, rise_, mask_;
    std::vector<std::string> outputs_;
    int rate_ = 0;
    double power_scale_ = 1.0;
    std::optional<dsp::OnsetFunction> odf_fn_, odf2_fn_;
    std::optional<dsp::SuperFlux> sf_fn_;
    std::vector<float> odf_, odf2_;
    std::vector<bool> loud_;
    int block_ = 0;               // superflux's release rule: samples a block
    std::vector<float> block_db_; // and each block's level, dB
};

} // namespace

Definition onsets_definition() {
    using result::DataMode;
    using result::TimeMode;
    Definition d;
    d.id = "onsets";
    d.name = "Onsets";
    std::string formulas;
    for (const auto &name : dsp::odf_method_names())
        formulas += std::string(dsp::odf_method_formula(*dsp::parse_odf_method(name))) + ". ";
    d.description =
        "Note and percussion onsets: an onset detection function (ODF) is computed for every "
        "STFT frame, then onsets are its peaks above an adaptive threshold. The default "
        "method, superflux (Böck and Widmer 2013), is the spectral flux of a log-compressed, "
        "log-frequency spectrum against a maximum-filtered past, so that vibrato and tremolo "
        "count for little: band levels L_j(t) = log10(1 + 3000 B_j(t)), B_j the magnitudes "
        "m_k weighed by triangular filters (each summing to 1) centred 1/36 octave apart from "
        "30 Hz to 17 kHz (a centre on the bin of the one before is dropped), and odf(t) = "
        "sum_j max(0, L_j(t) - R_j(t)), R_j(t) the largest of L_(j-1..j+1) over the frames "
        "t-3 .. t-1. Its peaks: odf(t) is the largest of the frames from 0.01 s before to 0.05 "
        "s after it, and odf(t) >= mean(odf over the frames t-b .. t+a) + threshold, b = "
        "round(median_window * rate / step), a = round(median_after * rate / step) (frames "
        "outside the input count as 0; no median here); a peak closer than "
        "ceil(min_interval * rate / step) frames to the previous onset is dropped, and so is a "
        "release (with release = r > 0): a peak whose onset time falls in block c of "
        "back-to-back blocks of round(128 rate / 44100) samples (2.9 ms), each with its level "
        "10 log10(mean square + 1e-10), is dropped when some block k, c-m <= k < c+m-2, is "
        "more than r dB above block k+2 (a fall within 6 ms), and the mean level of the "
        "blocks c+n .. c+m-1 is more than r dB below that of the blocks c-m .. c-n-1, n = "
        "floor(0.02 s / block), m = floor(0.04 s / block) (6 and 13 at 44.1 kHz; no release "
        "where those spans leave the input), unless the fall comes back: some block k, c-n "
        "<= k < c+n, is more than r dB above the lowest of the blocks c-m .. k. A note that "
        "starts adds energy, while a sampled instrument's note-off can fall within "
        "milliseconds into a release of another timbre, as large a spectral change as an "
        "onset; a softer note after a gap rises again from the gap. And a slow attack's flux "
        "spreads over several frames "
        "and peaks late: with rise = q > 0, an onset picked at frame t is reported at frame "
        "t-k instead, k the largest count, up to round(0.05 rate / step) (5 frames), of the "
        "frames just before t that are all at least q odf(t) and after the previous onset's "
        "peak, when k >= 2 (a click's or a struck note's flux is high for 1 frame before its "
        "peak: those stay at the peak). "
        "And with mask = h > 0 (Dixon 2006's exponential threshold), g(t) = max(odf(t), a "
        "g(t-1) + (1 - a) odf(t)), a = 0.5^(step / (h rate)), the running maximum of the ODF "
        "halving every h seconds: a peak at frame t is dropped when odf(t) < g(t-1), the tail "
        "of a much stronger onset just before (a sampled note's second swell 50 to 120 ms "
        "after its attack, as a clarinet's; checked before min_interval). "
        "The other methods are aubio's (Bello et al. 2005, Dixon 2006), on the normalised "
        "magnitudes m_k(t) and bins X_k(t) of frame t, frames before the first taken as "
        "silent: " +
        formulas +
        "mixed: mkl and specflux, each divided by its mean over the whole input, summed "
        "(onsets.odf is that sum). "
        "Their peak picking: when smooth = a > 0 the ODF is first smoothed, o(t) = (a odf(t-1) "
        "+ odf(t) + a odf(t+1)) / (1 + 2a), and o replaces odf below (superflux too); "
        "frame t is an onset when odf(t) > 0, odf(t) >= odf(t-1) and odf(t) > "
        "odf(t+1); odf(t) > median(W) + threshold * mean(W), W = odf over the frames t-h .. "
        "t+g (clipped to the input), h = round(median_window * rate / step / 2), g = "
        "round(median_after * rate / step), or g = h when median_after is -1; and it comes at "
        "least ceil(min_interval * rate / step) frames after the previous onset (of two "
        "closer peaks the higher is kept). With every method, a frame's level, 10 log10 of "
        "the mean square of its windowed samples over the mean square of the window "
        "(Parseval, from the bins), must be at least `silence` dB. "
        "The onset's time is its frame's start plus n_fft/2 (the window's centre), with the "
        "resolution of one step: on ts-gen's click tracks and demo piece the median error is "
        "under 2 ms with mkl and under 6 ms with the other aubio methods; superflux reports "
        "a click 6.8 ms early (its log compression counts a click as soon as it enters the "
        "window), and does not see a click in the first milliseconds of the input, where the "
        "first frame's window is near 0. Each method has its own default threshold, "
        "median_window, median_after, "
        "smooth, min_interval, n_fft and step (--list shows them), chosen by F-measure within "
        "50 ms on the tuning half of a generated corpus of 48 rendered MIDI pieces "
        "(bench/accuracy); a value given with -p applies whatever the method, and a result's "
        "params say which values were used. On that corpus's held-out half superflux scores "
        "F 0.961 (0.971 on the tuning half; 0.959 and 0.971 without the mask rule, 0.959 and "
        "0.967 without the rise rule, 0.956 and 0.963 without the release rule), "
        "against 0.885 for mixed, the default before, and 0.914 for aubioonset's best "
        "method (bench/RESULTS.md); what it gets wrong is mostly a sampled low clarinet that "
        "sounds 60 to 150 ms after its note-on (its attack found that late: a miss and an "
        "extra onset) and whose note-offs are abrupt changes of timbre, and soft legato "
        "notes (flute, french horn, electric piano, violin) under a pad or chords (missed). "
        "superflux: n_fft 2048, step 441 "
        "(100 frames a second at 44.1 kHz); the others n_fft 1024, step 512 (those of "
        "aubiotrack and of the tempo analyzer, so `-a onsets,tempo -p onsets.method=mkl` "
        "shares one STFT; aubioonset uses 512 and 256). " +
        stft_words();
    std::vector<std::string> names = dsp::odf_method_names();
    names.push_back("mixed");
    names.push_back("superflux");
    // method first: the framing's defaults depend on it.
    d.params.push_back({"method", ParamType::choice, default_method, 0, 0, names,
                        "the onset detection function (aubio's names; mixed: mkl + specflux; "
                        "superflux: Böck and Widmer's)"});
    for (ParamSpec &spec : stft_param_specs(1024, 512)) {
        if (spec.key == "n_fft")
            spec = by_method(spec, &MethodDefaults::n_fft);
        else if (spec.key == "step")
            spec = by_method(spec, &MethodDefaults::step);
        d.params.push_back(spec);
    }
    const ParamSpec threshold{"threshold",
                              ParamType::number,
                              "",
                              0,
                              100,
                              {},
                              "peak picking: how far above the local median an onset must rise, "
                              "in units of the local mean (superflux: above the local mean, "
                              "in units of the ODF)"};
    const ParamSpec median_window{"median_window",
                                  ParamType::number,
                                  "",
                                  0,
                                  10,
                                  {},
                                  "peak picking: the span of the local median and mean, seconds "
                                  "(superflux: how far the mean reaches back)"};
    d.params.push_back(by_method(threshold, &MethodDefaults::threshold));
    d.params.push_back(by_method(median_window, &MethodDefaults::median_window));
    const ParamSpec median_after{"median_after",
                                 ParamType::number,
                                 "",
                                 -1,
                                 10,
                                 {},
                                 "peak picking: how far the window reaches after the candidate, "
                                 "seconds (-1: median_window / 2, a centred window)"};
    const ParamSpec smooth{"smooth",
                           ParamType::number,
                           "",
                           0,
                           10,
                           {},
                           "peak picking: the ODF is first smoothed by (a, 1, a) / (1 + 2a), a = "
                           "smooth (0: not smoothed)"};
    d.params.push_back(by_method(median_after, &MethodDefaults::median_after));
    d.params.push_back(by_method(smooth, &MethodDefaults::smooth));
    d.params.push_back(by_method({"min_interval",
                                  ParamType::number,
                                  "",
                                  0,
                                  60,
                                  {},
                                  "the shortest time between two onsets, seconds"},
                                 &MethodDefaults::min_interval));
    d.params.push_back({"silence",
                        ParamType::number,
                        "-70",
                        -200,
                        0,
                        {},
                        "frames below this level (dB re full scale) hold no onset"});
    d.params.push_back(by_method({"release",
                                  ParamType::number,
                                  "",
                                  0,
                                  60,
                                  {},
                                  "superflux only: a peak where the level falls by more than "
                                  "this many dB within 6 ms, does not come back by as much "
                                  "within 20 ms and stays that much lower is a note's "
                                  "release, not an onset (0: off, the other methods' "
                                  "default)"},
                                 &MethodDefaults::release));
    d.params.push_back(by_method({"rise",
                                  ParamType::number,
                                  "",
                                  0,
                                  1,
                                  {},
                                  "superflux only: an onset whose ODF was already at least "
                                  "this fraction of its peak for the 2 frames before it (a slow "
                                  "attack) is reported where that rise began, up to 0.05 s "
                                  "earlier (0: at the peak, the other methods' default)"},
                                 &MethodDefaults::rise));
    d.params.push_back(by_method({"mask",
                                  ParamType::number,
                                  "",
                                  0,
                                  10,
                                  {},
                                  "superflux only: a peak below the ODF's running maximum, "
                                  "which halves every this many seconds, is part of the "
                                  "stronger onset before it (0: off, the other methods' "
                                  "default)"},
                                 &MethodDefaults::mask));
    d.outputs = {
        {"odf", "Onset detection function", "", TimeMode::framewise, DataMode::value,
         "odf(t) of the chosen method, one value per STFT frame (frame time = its start); "
         "empty for an input shorter than n_fft"},
        {"", "Onsets", "s", TimeMode::event, DataMode::value,
         "onset times in seconds, each with value = odf at its frame; none in silence or in "
         "an input shorter than n_fft"},
    };
    d.make = [](const Params &p, const std::vector<std::string> &outputs) {
        const bool mixed = p.text("method") == "mixed";
        const bool superflux = p.text("method") == "superflux";
        return std::make_unique<Onsets>(
            stft_shape("onsets", p),
            mixed || superflux ? dsp::OdfMethod::mkl : *dsp::parse_odf_method(p.text("method")),
            mixed, superflux,
            p.number("threshold"), p.number("median_window"), p.number("median_after"),
            p.number("smooth"), p.number("min_interval"), p.number("silence"),
            p.number("release"), p.number("rise"), p.number("mask"), outputs);
    };
    return d;
}

} // namespace ts::analyze
