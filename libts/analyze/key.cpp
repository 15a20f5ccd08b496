// key: the global key (tonic and mode) from a tuned, peak-based chroma of the whole input
// correlated with the 24 rotations of a key profile (Krumhansl, Temperley or EDMA).
#include "analyze/analyzers.hpp"
#include "analyze/peaks.hpp"
#include "analyze/stft_params.hpp"

#include <array>
#include <cmath>
#include <numbers>

namespace ts::analyze {
namespace {

// Tonics as the key signature spells them: flats for the flat keys (Db Eb Ab Bb major, Eb
// Bb minor), sharps for the sharp ones (F# major; C# F# G# minor); of the two six-accidental
// spellings, F# major and Eb minor.
const char *const major_names[12] = {"C",  "Db", "D",  "Eb", "E",  "F",
                                     "F#", "G",  "Ab", "A",  "Bb", "B"};
const char *const minor_names[12] = {"C",  "C#", "D",  "Eb", "E",  "F",
                                     "F#", "G",  "G#", "A",  "Bb", "B"};

std::string key_name(int tonic, int mode) {
    return std::string(mode == 0 ? major_names[tonic] : minor_names[tonic]) +
           (mode == 0 ? " major" : " minor");
}

using Profile = std::array<double, 12>;
struct Profiles {
    Profile major, minor;
};

// Krumhansl & Kessler (1982) probe-tone ratings; Temperley (1999, "What's key for key?"),
// revised; EDMA: Faraldo et al. (2016), electronic dance music, as in Essentia's Key.
Profiles profiles(const std::string &name) {
    if (name == "temperley")
        return {{5.0, 2.0, 3.5, 2.0, 4.5, 4.0, 2.0, 4.5, 2.0, 3.5, 1.5, 4.0},
                {5.0, 2.0, 3.5, 4.5, 2.0, 4.0, 2.0, 4.5, 3.5, 2.0, 1.5, 4.0}};
    if (name == "edma")
        return {{0.16519551, 0.04749026, 0.08293076, 0.06687112, 0.09994645, 0.09274123, 0.05294487,
                 0.13159476, 0.05218986, 0.07443653, 0.06940723, 0.0642515},
                {0.17235348, 0.04, 0.0761009, 0.12102904, 0.05157091, 0.08655265, 0.04900835,
                 0.13376454, 0.07705366, 0.06344422, 0.0703331, 0.05380151}};
    return {{6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88},
            {6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17}};
}

// Pearson correlation of chroma with the profile rotated so that its first value falls on
// class `tonic`.
double correlate(const std::array<double, 12> &c, const Profile &p, int tonic) {
    double mc = 0, mp = 0;
    for (int i = 0; i < 12; ++i)
        mc += c[static_cast<std::size_t>(i)], mp += p[static_cast<std::size_t>(i)];
    mc /= 12, mp /= 12;
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < 12; ++i) {
        const double x = c[static_cast<std::size_t>((i + tonic) % 12)] - mc;
        const double y = p[static_cast<std::size_t>(i)] - mp;
        sxy += x * y, sxx += x * x, syy += y * y;
    }
    return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0.0;
}

constexpr int fine = 10; // histogram bins per semitone

class Key : public Analyzer {
  public:
    Key(int n_fft, int step, double fmin, double fmax, double range_db, std::string profile)
        : n_fft_(n_fft), step_(step), fmin_(fmin), fmax_(fmax), range_db_(range_db),
          profile_(std::move(profile)) {}

    void setup(Context &ctx) override {
        ctx.on_spectrum(n_fft_, step_, dsp::Window::hann,
                        [this](const Spectrum &s, std::int64_t) { add(s); });
    }

    std::vector<result::Result> finish(std::int64_t) override {
        result::Result r = output("");
        // Fold the fine histogram onto 12 classes centred on the input's own tuning.
        const double dev = dev_.weight > 0 ? std::atan2(dev_.im, dev_.re) / (2 * std::numbers::pi) : 0.0;
        std::array<double, 12> chroma{};
        for (int j = 0; j < 12 * fine; ++j) {
            const double centre = (j + 0.5) / fine - dev;
            const long pc = std::lround(std::floor(centre + 0.5));
            chroma[static_cast<std::size_t>(((pc % 12) + 12) % 12)] +=
                hist_[static_cast<std::size_t>(j)];
        }
        double total = 0;
        for (double v : chroma)
            total += v;
        if (total <= 0) {
            r.extra["strength"] = nullptr;
            r.extra["runner_up"] = nullptr;
            r.extra["runner_up_strength"] = nullptr;
            r.extra["chroma"] = nullptr;
            return only(std::move(r));
        }
        const Profiles p = profiles(profile_);
        double best = -2, second = -2;
        std::string label, runner_up;
        for (int mode = 0; mode < 2; ++mode)
            for (int tonic = 0; tonic < 12; ++tonic) {
                const double c = correlate(chroma, mode == 0 ? p.major : p.minor, tonic);
                if (c > best) {
                    second = best, runner_up = label;
                    best = c, label = key_name(tonic, mode);
                } else if (c > second) {
                    second = c, runner_up = key_name(tonic, mode);
                }
            }
        r.labels = {label};
        r.extra["strength"] = best;
        r.extra["runner_up"] = runner_up;
        r.extra["runner_up_strength"] = second;
        std::vector<double> norm;
        for (double v : chroma)
            norm.push_back(v / total);
        r.extra["chroma"] = norm;
        return only(std::move(r));
    }

  private:
    void add(const Spectrum &s) {
        for_each_peak(s, fmin_, fmax_, range_db_, [this](double f, double w) {
            const double semis = 12.0 * std::log2(f / 440.0);
            dev_.add(semis, w);
            // Position from C in semitones, [0, 12).
            const double c = std::fmod(std::fmod(semis + 9.0, 12.0) + 12.0, 12.0);
            const int j = std::min(12 * fine - 1, static_cast<int>(c * fine));
            hist_[static_cast<std::size_t>(j)] += w;
        });
    }

    int n_fft_, step_;
    double fmin_, fmax_, range_db_;
    std::string profile_;
    GridDeviation dev_;
    std::array<double, 12 * fine> hist_{};
};

} // namespace

Definition key_definition() {
    Definition d;
    d.id = "key";
    d.name = "Key";
    d.description =
        "Global key (tonic and mode) of the input, by the Krumhansl-Schmuckler method: a "
        "pitch-class profile of the whole input correlated with the 24 rotations of a major "
        "and a minor key profile. The profile is built from spectral peaks rather than from "
        "bins, so that low notes get their exact pitch class: from the STFT of the mono signal "
        "(hann window; the default n_fft and step equal chroma's, so they share one), every "
        "frame's peaks are taken as in tuning (bins with fmin <= f_k <= fmax above both "
        "neighbours and within range dB of the frame's largest, frequency refined by Grandke's "
        "hann interpolation), and each peak adds its power |X_k|^2 to a histogram of 120 bins "
        "per octave (10 cents) by its position c = (12 log2(f / 440) + 9) mod 12 semitones "
        "from C. The input's tuning offset t (in semitones, the circular mean computed as in "
        "tuning) is removed and the histogram folded onto 12 classes: bin j goes to class "
        "round((j + 0.5)/10 - t) mod 12 (C=0 .. B=11). For each tonic T and mode, the score "
        "is Pearson's correlation between the 12 class powers and the profile rotated to T "
        "(profile value i at class (T + i) mod 12); the best of the 24 is the key. Profiles "
        "(-p key.profile=): krumhansl, Krumhansl and Kessler's 1982 probe-tone ratings "
        "(major 6.35 2.23 3.48 2.33 4.38 4.09 2.52 5.19 2.39 3.66 2.29 2.88; minor 6.33 2.68 "
        "3.52 5.38 2.60 3.53 2.54 4.75 3.98 2.69 3.34 3.17); temperley, Temperley's 1999 "
        "revised profiles (major 5 2 3.5 2 4.5 4 2 4.5 2 3.5 1.5 4; minor 5 2 3.5 4.5 2 4 2 "
        "4.5 3.5 2 1.5 4); edma, Faraldo et al.'s 2016 profiles for electronic dance music "
        "(as in Essentia's Key).";
    d.params = peak_param_specs();
    d.params.push_back({"profile",
         ParamType::choice,
         "krumhansl",
         0,
         0,
         {"krumhansl", "temperley", "edma"},
         "key profiles"});
    d.outputs = {
        {"", "Key", "", result::TimeMode::global, result::DataMode::label,
         "The key as \"<tonic> major\" or \"<tonic> minor\", the tonic spelt as the key "
         "signature spells it: C Db D Eb E F F# G Ab A Bb B major, C C# D Eb E F F# G G# A Bb "
         "B minor (ASCII b and #, as mir_eval and JAMS read them). data.strength: the winning "
         "correlation, -1..1 (above about 0.8 for a clear tonal input); data.runner_up and "
         "data.runner_up_strength: the second best of the 24 keys and its correlation (a close "
         "runner-up, often the dominant, relative or parallel key, marks an uncertain answer); "
         "data.chroma: the 12 class powers divided by their sum, C first. With no peak at all "
         "(digital silence, an input shorter than n_fft) the label is \"\" and strength, "
         "runner_up, runner_up_strength and chroma are null."},
    };
    d.make = [](const Params &p, const std::vector<std::string> &) {
        const long n = p.integer("n_fft");
        if (n % 2 != 0)
            throw UsageError("-p key.n_fft=" + std::to_string(n) + ": must be even");
        if (p.number("fmax") <= p.number("fmin"))
            throw UsageError("-p key.fmax: must be above fmin");
        return std::make_unique<Key>(static_cast<int>(n), static_cast<int>(p.integer("step")),
                                     p.number("fmin"), p.number("fmax"), p.number("range"),
                                     p.text("profile"));
    };
    return d;
}

} // namespace ts::analyze
