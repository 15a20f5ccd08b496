// structure: section boundaries from Foote's novelty (a checkerboard kernel slid along the
// diagonal of a self-similarity matrix of coarse timbre and chroma features), and the
// sections labelled by clustering.
#include "analyze/analyzers.hpp"
#include "core/error.hpp"
#include "dsp/mel_filterbank.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

namespace ts::analyze {
namespace {

constexpr int mel_bands = 40;
constexpr double chroma_lo = 60.0, chroma_hi = 5000.0; // Hz
constexpr int dims = mel_bands + 12;

// A, B, .. Z, AA, AB, ..: spreadsheet column names.
std::string letter(std::size_t k) {
    std::string s;
    ++k;
    while (k > 0) {
        s.insert(s.begin(), static_cast<char>('A' + (k - 1) % 26));
        k = (k - 1) / 26;
    }
    return s;
}

// Distance between two feature rows: the RMS difference of their mean-removed dB mel
// spectra over 10 dB, plus the Euclidean distance of their unit chroma vectors.
double distance(const float *x, const float *y) {
    double s = 0;
    for (int b = 0; b < mel_bands; ++b) {
        const double d = static_cast<double>(x[b]) - y[b];
        s += d * d;
    }
    double c = 0;
    for (int b = mel_bands; b < dims; ++b) {
        const double d = static_cast<double>(x[b]) - y[b];
        c += d * d;
    }
    return std::sqrt(s / mel_bands) / 10.0 + std::sqrt(c);
}

// Turns mean band powers and class powers into a feature row in place.
void finish_row(float *row) {
    double mean = 0;
    for (int b = 0; b < mel_bands; ++b) {
        row[b] = 10.0f * std::log10(std::max(row[b], 1e-10f));
        mean += row[b];
    }
    mean /= mel_bands;
    for (int b = 0; b < mel_bands; ++b)
        row[b] = static_cast<float>(row[b] - mean);
    double n = 0;
    for (int b = mel_bands; b < dims; ++b)
        n += static_cast<double>(row[b]) * row[b];
    n = std::sqrt(n);
    for (int b = mel_bands; b < dims; ++b)
        row[b] = n > 0 ? static_cast<float>(row[b] / n) : 0.0f;
}

class Structure : public Analyzer {
  public:
    Structure(const Params &p, std::vector<std::string> outputs)
        : n_fft_(static_cast<int>(p.integer("n_fft"))), step_(static_cast<int>(p.integer("step"))),
          hop_(p.number("hop")), kernel_(p.number("kernel")), threshold_(p.number("threshold")),
          merge_(p.number("merge")), outputs_(std::move(outputs)) {}

    void setup(Context &ctx) override {
        rate_ = ctx.rate();
        per_row_ = std::max(1, static_cast<int>(std::lround(hop_ * rate_ / step_)));
        half_ = std::max(1, static_cast<int>(std::lround(
                                kernel_ / (per_row_ * static_cast<double>(step_) / rate_))));
        bank_.emplace(mel_bands, n_fft_, rate_, 0.0, rate_ / 2.0, dsp::MelScale::slaney, true);
        const int bins = n_fft_ / 2 + 1;
        pc_.assign(static_cast<std::size_t>(bins), -1);
        for (int k = 1; k < bins; ++k) {
            const double f = static_cast<double>(k) * rate_ / n_fft_;
            if (f < chroma_lo || f > chroma_hi)
                continue;
            const long semis = std::lround(12.0 * std::log2(f / 440.0));
            pc_[static_cast<std::size_t>(k)] = static_cast<int>(((semis + 9) % 12 + 12) % 12);
        }
        power_.assign(static_cast<std::size_t>(bins), 0.0f);
        mel_.assign(mel_bands, 0.0f);
        acc_.assign(dims, 0.0f);
        ctx.on_spectrum(n_fft_, step_, dsp::Window::hann,
                        [this](const Spectrum &s, std::int64_t) { add(s); });
    }

    std::vector<result::Result> finish(std::int64_t frames) override {
        if (in_row_ > 0)
            close_row();
        const std::size_t n = rows_.size() / dims;
        const std::vector<float> nov = novelty(n);
        const int row_step = per_row_ * step_;
        const double offset = 0.5 * (n_fft_ - step_);
        std::vector<result::Result> out;
        if (wants("")) {
            result::Result r = output("");
            segments(r, nov, n, static_cast<double>(frames) / rate_, row_step, offset);
            out.push_back(std::move(r));
        }
        if (wants("novelty")) {
            result::Result r =
                framewise("novelty", rate_, (per_row_ - 1) * step_ + n_fft_, row_step);
            r.series = nov;
            out.push_back(std::move(r));
        }
        return out;
    }

  private:
    bool wants(const char *id) const {
        return std::find(outputs_.begin(), outputs_.end(), id) != outputs_.end();
    }

    void add(const Spectrum &s) {
        for (int k = 0; k < s.size; ++k)
            power_[static_cast<std::size_t>(k)] = std::norm(s.bins[k]);
        bank_->apply(power_.data(), mel_.data());
        for (int b = 0; b < mel_bands; ++b)
            acc_[static_cast<std::size_t>(b)] += mel_[static_cast<std::size_t>(b)];
        for (int k = 0; k < s.size; ++k) {
            const int c = pc_[static_cast<std::size_t>(k)];
            if (c >= 0)
                acc_[static_cast<std::size_t>(mel_bands + c)] +=
                    power_[static_cast<std::size_t>(k)];
        }
        if (++in_row_ == per_row_)
            close_row();
    }

    void close_row() {
        // Powers are relative: the scale of |X|^2 cancels in the mean-removed dB and the
        // unit chroma, except for the -100 dB floor of silence.
        // (2 / sum(hann))^2 = 16 / n_fft^2: a full-scale sine at a bin centre has power 1.
        const double g = 16.0 / (static_cast<double>(n_fft_) * n_fft_ * in_row_);
        for (float &v : acc_)
            v = static_cast<float>(v * g);
        finish_row(acc_.data());
        rows_.insert(rows_.end(), acc_.begin(), acc_.end());
        std::fill(acc_.begin(), acc_.end(), 0.0f);
        in_row_ = 0;
    }

    const float *row(std::size_t i) const { return rows_.data() + i * dims; }

    // N(t) for each row t: the Gaussian-weighted mean distance across the boundary before t
    // minus that within each side, over the rows t-L .. t+L-1 that exist; a band of the
    // distance matrix 2L wide is all that is ever computed.
    std::vector<float> novelty(std::size_t n) const {
        std::vector<float> nov(n, 0.0f);
        const std::size_t w = 2 * static_cast<std::size_t>(half_);
        // band[i * w + k] = d(i, i + k), k < w.
        std::vector<float> band(n * w, 0.0f);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t k = 1; k < w && i + k < n; ++k)
                band[i * w + k] = static_cast<float>(distance(row(i), row(i + k)));
        const double sigma = half_ / 2.0;
        std::vector<double> g(w);
        for (std::size_t a = 0; a < w; ++a) {
            const double u = static_cast<double>(a) - half_ + 0.5;
            g[a] = std::exp(-u * u / (2 * sigma * sigma));
        }
        const long L = half_;
        for (std::size_t t = 1; t < n; ++t) {
            double cross = 0, cross_w = 0, within = 0, within_w = 0;
            for (long a = -L; a < L; ++a) {
                const long i = static_cast<long>(t) + a;
                if (i < 0 || i >= static_cast<long>(n))
                    continue;
                for (long b = a + 1; b < L; ++b) {
                    const long j = static_cast<long>(t) + b;
                    if (j >= static_cast<long>(n))
                        break;
                    const double weight =
                        g[static_cast<std::size_t>(a + L)] * g[static_cast<std::size_t>(b + L)];
                    const double d =
                        band[static_cast<std::size_t>(i) * w + static_cast<std::size_t>(j - i)];
                    if ((a < 0) != (b < 0))
                        cross += weight * d, cross_w += weight;
                    else
                        within += weight * d, within_w += weight;
                }
            }
            if (cross_w > 0)
                nov[t] =
                    static_cast<float>(cross / cross_w - (within_w > 0 ? within / within_w : 0.0));
        }
        return nov;
    }

    void segments(result::Result &r, const std::vector<float> &nov, std::size_t n, double duration,
                  int row_step, double offset) const {
        if (n == 0)
            return;
        const float top = *std::max_element(nov.begin(), nov.end());
        std::vector<std::size_t> starts = {0};
        std::vector<double> conf = {1.0};
        // A boundary needs half a kernel of rows on each side: the truncated kernel at the
        // very edges compares too few rows.
        const std::size_t edge = (static_cast<std::size_t>(half_) + 1) / 2;
        for (std::size_t t = std::max<std::size_t>(1, edge); t + edge <= n; ++t) {
            if (!(nov[t] >= threshold_) || nov[t] <= 0)
                continue;
            bool peak = true;
            const std::size_t a =
                t > static_cast<std::size_t>(half_) ? t - static_cast<std::size_t>(half_) : 0;
            const std::size_t b = std::min(n, t + static_cast<std::size_t>(half_) + 1);
            for (std::size_t u = a; u < b && peak; ++u)
                if (nov[u] > nov[t] || (nov[u] == nov[t] && u < t))
                    peak = false;
            if (peak) {
                starts.push_back(t);
                conf.push_back(nov[t] / top);
            }
        }
        // Mean feature row of each segment, labelled like the first earlier one within merge.
        std::vector<std::vector<double>> means;
        std::vector<std::size_t> label_of;
        std::size_t labels = 0;
        for (std::size_t s = 0; s < starts.size(); ++s) {
            const std::size_t to = s + 1 < starts.size() ? starts[s + 1] : n;
            std::vector<double> m(dims, 0.0);
            for (std::size_t i = starts[s]; i < to; ++i)
                for (int k = 0; k < dims; ++k)
                    m[static_cast<std::size_t>(k)] += row(i)[k];
            std::vector<float> mf(dims);
            for (int k = 0; k < dims; ++k)
                mf[static_cast<std::size_t>(k)] = static_cast<float>(
                    m[static_cast<std::size_t>(k)] / static_cast<double>(to - starts[s]));
            std::size_t lab = labels;
            double best = merge_;
            for (std::size_t e = 0; e < means.size(); ++e) {
                std::vector<float> ef(means[e].begin(), means[e].end());
                const double d = distance(mf.data(), ef.data());
                if (d < best)
                    best = d, lab = label_of[e];
            }
            if (lab == labels)
                ++labels;
            means.emplace_back(mf.begin(), mf.end());
            label_of.push_back(lab);
            const double t0 =
                s == 0 ? 0.0 : (static_cast<double>(starts[s]) * row_step + offset) / rate_;
            const double t1 = s + 1 < starts.size()
                                  ? (static_cast<double>(starts[s + 1]) * row_step + offset) / rate_
                                  : duration;
            r.time.push_back(t0);
            r.duration.push_back(std::max(0.0, t1 - t0));
            r.labels.push_back(letter(lab));
            r.confidence.push_back(conf[s]);
        }
    }

    int n_fft_, step_;
    double hop_, kernel_, threshold_, merge_;
    std::vector<std::string> outputs_;
    int rate_ = 0, per_row_ = 1, half_ = 1, in_row_ = 0;
    std::optional<dsp::MelFilterbank> bank_;
    std::vector<int> pc_;
    std::vector<float> power_, mel_, acc_;
    std::vector<float> rows_; // n x dims features: the only per-input storage
};

} // namespace

Definition structure_definition() {
    Definition d;
    d.id = "structure";
    d.name = "Structure";
    d.description =
        "Sections of the input from a novelty curve (Foote 2000, \"Automatic audio "
        "segmentation using a measure of audio novelty\"). Features: the STFT of the mono "
        "signal (hann window, n_fft, step) is averaged over rows of round(hop * rate / step) "
        "frames (the last row may hold fewer); for each row, the mean power of 40 mel bands "
        "(slaney, normalised triangles, 0 Hz to rate/2, see mel) in dB, 10 log10(max(P, "
        "1e-10)) of the power relative to a full-scale sine, minus its mean over the bands "
        "(so loudness is left out and only the spectral shape remains), and a 12-class chroma "
        "(bins from 60 to 5000 Hz, pitch class round(12 log2(f/440)) + 9 mod 12, summed "
        "power) scaled to unit length (zero for silence). The distance between two rows is "
        "d = RMS over bands of their dB difference / 10 dB + the Euclidean distance of their "
        "chromas. Novelty: Foote's checkerboard kernel with a Gaussian taper, on distances "
        "rather than similarities, of half-width L = round(kernel / row length) rows: N(t) = "
        "the weighted mean of d(i, j) over pairs i < t <= j (across the boundary before row "
        "t) minus the weighted mean over pairs on the same side, i < j, both within t-L .. "
        "t+L-1 and inside the input, weights exp(-(u^2 + v^2) / (2 (L/2)^2)) for row offsets "
        "u, v + 0.5 from t; N(0) = 0. Two homogeneous sections a distance D apart give N = D "
        "at their boundary; N is negative where the rows differ more within the sides than "
        "across. Memory: only the rows' features (52 floats per row, 0.5 s by "
        "default: 4.5 MB for 3 hours) and a band of the distance matrix 2L wide (O(N L)) are "
        "kept, never the N x N matrix; time is O(N L^2). Boundaries: rows t where N(t) >= "
        "threshold, N(t) is the largest within t-L .. t+L (the earliest of equal values) and "
        "at least ceil(L/2) rows lie on each side (t >= ceil(L/2), n - t >= ceil(L/2)); "
        "the boundary's time is (t * row_step + (n_fft - step)/2) / rate, the middle of the "
        "overlap of the rows on each side. Labels: each segment's mean feature row is compared "
        "(with d) with those of the earlier segments; it takes the label of the nearest one "
        "if d < merge, else the next new letter (A, B, .. Z, AA, AB ..), so noise-chord-noise "
        "reads A B A.";
    d.params = {
        {"n_fft", ParamType::integer, "2048", 16, 65536, {}, "FFT size in samples, even"},
        {"step", ParamType::integer, "512", 1, 1048576, {}, "hop between STFT frames, samples"},
        {"hop", ParamType::number, "0.5", 0.01, 600, {}, "length of a feature row, seconds"},
        {"kernel",
         ParamType::number,
         "6",
         0.05,
         3600,
         {},
         "kernel half-width L, seconds (rounded to rows)"},
        {"threshold",
         ParamType::number,
         "0.15",
         0,
         100,
         {},
         "smallest novelty taken as a boundary"},
        {"merge",
         ParamType::number,
         "0.3",
         0,
         100,
         {},
         "largest distance between two segments given the same label"},
    };
    d.outputs = {
        {"", "Structure", "", result::TimeMode::segment, result::DataMode::label,
         "Segments covering the input, labelled A, B, .. by similarity; confidence: the "
         "novelty at the segment's start over the largest novelty (1 for the first "
         "segment). An input shorter than n_fft gives no segments; silence gives one."},
        {"novelty", "Novelty", "", result::TimeMode::framewise, result::DataMode::value,
         "N(t) per feature row (see the description): frame t covers the samples of its STFT "
         "frames, [t * row_step, + (rows - 1) * step + n_fft), row_step = rows * step; its "
         "value measures a boundary at the start of the row."},
    };
    d.make = [](const Params &p, const std::vector<std::string> &outputs) {
        const long n = p.integer("n_fft");
        if (n % 2 != 0)
            throw UsageError("-p structure.n_fft=" + std::to_string(n) + ": must be even");
        return std::make_unique<Structure>(p, outputs);
    };
    return d;
}

} // namespace ts::analyze
