// spectral: framewise descriptors of the magnitude spectrum's shape (Peeters 2004, aubio,
// librosa), any subset of them from one pass over each frame.
#include "analyze/analyzers.hpp"
#include "analyze/stft_params.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace ts::analyze {
namespace {

enum Out {
    centroid,
    spread,
    skewness,
    kurtosis,
    flatness,
    rolloff,
    flux,
    slope,
    decrease,
    crest,
    energy,
    hfc,
    entropy,
    out_count
};

const std::array<const char *, out_count> out_ids = {
    "centroid", "spread",   "skewness", "kurtosis", "flatness", "rolloff", "flux",
    "slope",    "decrease", "crest",    "energy",   "hfc",      "entropy"};

// Below this sum of normalised magnitudes (about -240 dB per bin) a frame is silent.
constexpr double silence = 1e-12;
// ln P is taken of max(P, tiny): the magnitude floor of flatness, 1e-10 (-200 dB).
constexpr float tiny_power = 1e-20f;

class Spectral : public Analyzer {
  public:
    Spectral(StftShape shape, double rolloff, std::vector<int> outs)
        : shape_(shape), rolloff_(rolloff), outs_(std::move(outs)) {
        for (int o : outs_)
            want_[static_cast<std::size_t>(o)] = true;
    }

    void setup(Context &ctx) override {
        rate_ = ctx.rate();
        const std::size_t n = static_cast<std::size_t>(shape_.bins());
        mag_.assign(n, 0.0f);
        prev_.assign(n, 0.0f);
        power_.assign(n, 0.0f);
        bin_hz_ = static_cast<double>(rate_) / shape_.n_fft;
        for (auto &s : series_)
            s.spill_to(ctx.spill_file());
        // Sums over k of f_k and f_k^2 for the slope's regression, over all bins.
        for (std::size_t k = 0; k < n; ++k) {
            sum_f_ += static_cast<double>(k) * bin_hz_;
            sum_f2_ += static_cast<double>(k) * bin_hz_ * static_cast<double>(k) * bin_hz_;
        }
        ctx.on_spectrum(shape_.n_fft, shape_.step, shape_.window,
                        [this](const Spectrum &s, std::int64_t i) { add(s, i); });
    }

    std::vector<result::Result> finish(std::int64_t) override {
        std::vector<result::Result> out;
        for (int o : outs_) {
            result::Result r =
                framewise(out_ids[static_cast<std::size_t>(o)], rate_, shape_.n_fft, shape_.step);
            series_[static_cast<std::size_t>(o)].into(r);
            out.push_back(std::move(r));
        }
        return out;
    }

  private:
    void add(const Spectrum &s, std::int64_t index) {
        // Plain pointers and int indices so that the compiler vectorises the reductions
        // (omp simd: the order of the sums changes, not their precision).
        const int n = s.size;
        const float gain = static_cast<float>(shape_.gain);
        const float *__restrict in = s.magnitude;
        float *__restrict mag = mag_.data();
        float *__restrict power = power_.data();
        double s0 = 0, s1 = 0, e = 0, hfc_sum = 0;
        float max_m = 0;
#pragma omp simd reduction(+ : s0, s1, e, hfc_sum) reduction(max : max_m)
        for (int k = 0; k < n; ++k) {
            const float m = in[k] * gain;
            const float p = m * m;
            mag[k] = m;
            power[k] = p;
            s0 += m;
            s1 += static_cast<double>(k) * m;
            e += p;
            hfc_sum += static_cast<double>(k) * p;
            max_m = std::max(max_m, m);
        }
        s1 *= bin_hz_;
        std::array<double, out_count> v{};
        v[energy] = e;
        v[hfc] = hfc_sum;
        if (want_[flux] && index > 0) {
            const float *__restrict prev = prev_.data();
            double sum = 0;
#pragma omp simd reduction(+ : sum)
            for (int k = 0; k < n; ++k) {
                const float d = std::max(mag[k] - prev[k], 0.0f);
                sum += static_cast<double>(d) * d;
            }
            v[flux] = std::sqrt(sum);
        }
        if (want_[flux])
            std::swap(mag_, prev_);
        const float *__restrict m_k = want_[flux] ? prev_.data() : mag_.data();
        if (s0 > silence && e > 0) {
            const double kn = static_cast<double>(n);
            const double c = s1 / s0;
            v[centroid] = c;
            if (want_[spread] || want_[skewness] || want_[kurtosis]) {
                double m2 = 0, m3 = 0, m4 = 0;
                const double hz = bin_hz_;
#pragma omp simd reduction(+ : m2, m3, m4)
                for (int k = 0; k < n; ++k) {
                    const double d = static_cast<double>(k) * hz - c;
                    const double d2m = d * d * m_k[k];
                    m2 += d2m;
                    m3 += d2m * d;
                    m4 += d2m * d * d;
                }
                m2 /= s0, m3 /= s0, m4 /= s0;
                const double sd = std::sqrt(m2);
                v[spread] = sd;
                if (sd > 0) {
                    v[skewness] = m3 / (sd * sd * sd);
                    v[kurtosis] = m4 / (m2 * m2);
                }
            }
            if (want_[flatness] || want_[entropy]) {
                // One log per bin serves both: ln m_k = ln(P_k) / 2, and
                // -sum p ln p = ln E - sum P ln P / E with p = P / E.
                double sum_lp = 0, sum_plp = 0;
                for (int k = 0; k < n; ++k) {
                    const float p = power[k];
                    const float lp = std::log(std::max(p, tiny_power));
                    sum_lp += lp;
                    sum_plp += static_cast<double>(p) * lp;
                }
                v[flatness] = std::exp(0.5 * sum_lp / kn) / (s0 / kn);
                v[entropy] =
                    n > 1 ? std::max(0.0, (std::log(e) - sum_plp / e) / std::log(kn)) : 0.0;
            }
            if (want_[rolloff]) {
                const double target = rolloff_ * e;
                double cum = 0;
                int k = 0;
                for (; k + 1 < n; ++k) {
                    cum += power[k];
                    if (cum >= target)
                        break;
                }
                v[rolloff] = static_cast<double>(k) * bin_hz_;
            }
            if (want_[slope]) {
                const double kn_sf2 = kn * sum_f2_ - sum_f_ * sum_f_;
                v[slope] = kn_sf2 > 0 ? (kn * s1 - sum_f_ * s0) / kn_sf2 / s0 : 0.0;
            }
            if (want_[decrease]) {
                double num = 0, den = 0;
#pragma omp simd reduction(+ : num, den)
                for (int k = 1; k < n; ++k) {
                    num += (static_cast<double>(mag[k]) - mag[0]) / static_cast<double>(k);
                    den += mag[k];
                }
                v[decrease] = den > 0 ? num / den : 0.0;
            }
            v[crest] = max_m / (s0 / kn);
        }
        for (int o : outs_)
            series_[static_cast<std::size_t>(o)].push_back(
                static_cast<float>(v[static_cast<std::size_t>(o)]));
    }

    StftShape shape_;
    double rolloff_;
    std::vector<int> outs_;
    std::array<bool, out_count> want_{};
    int rate_ = 0;
    double bin_hz_ = 0, sum_f_ = 0, sum_f2_ = 0;
    std::vector<float> mag_, prev_, power_;
    std::array<result::SeriesBuffer, out_count> series_;
};

} // namespace

Definition spectral_definition() {
    using result::DataMode;
    using result::TimeMode;
    Definition d;
    d.id = "spectral";
    d.name = "Spectral descriptors";
    d.description =
        std::string("Descriptors of the shape of each frame's magnitude spectrum (Peeters 2004, "
                    "as in aubio and librosa), on the normalised magnitudes m_k and powers P_k "
                    "of all n_fft/2 + 1 bins, DC and Nyquist included. On a silent frame "
                    "(sum m_k < 1e-12) every shape descriptor is 0 (not null); energy, hfc "
                    "and flux are computed as usual. ") +
        stft_words();
    d.params = stft_param_specs(2048, 512);
    d.params.push_back({"rolloff",
                        ParamType::number,
                        "0.85",
                        0,
                        1,
                        {},
                        "the fraction of the energy below the rolloff frequency"});
    std::string all;
    for (const char *id : out_ids) {
        if (!all.empty())
            all += ',';
        all += id;
    }
    d.params.push_back({"outputs", ParamType::list, all, 0, 0,
                        std::vector<std::string>(out_ids.begin(), out_ids.end()),
                        "the outputs to compute, comma-separated (with -a spectral.NAME too: "
                        "those in both)"});
    auto out = [](const char *id, const char *name, const char *unit, const char *desc) {
        return OutputSpec{id, name, unit, TimeMode::framewise, DataMode::value, desc};
    };
    d.outputs = {
        out("centroid", "Spectral centroid", "Hz", "c = sum f_k m_k / sum m_k"),
        out("spread", "Spectral spread", "Hz", "sqrt(sum (f_k - c)^2 m_k / sum m_k)"),
        out("skewness", "Spectral skewness", "",
            "sum (f_k - c)^3 m_k / (sum m_k * spread^3); 0 when spread is 0"),
        out("kurtosis", "Spectral kurtosis", "",
            "sum (f_k - c)^4 m_k / (sum m_k * spread^4) (not excess: a normal shape gives 3); "
            "0 when spread is 0"),
        out("flatness", "Spectral flatness", "",
            "geometric mean / arithmetic mean of the magnitudes m_k (not the powers), "
            "exp(mean ln max(m_k, 1e-10)) / mean m_k, in 0..1: about 0.85 for white noise "
            "(2 exp(-gamma/2) / sqrt(pi) for Rayleigh-distributed magnitudes; on powers it "
            "would be exp(-gamma) = 0.56), under 0.001 for a pure sine"),
        out("rolloff", "Spectral rolloff", "Hz",
            "the lowest f_k such that sum_{j<=k} P_j >= rolloff * sum P_j (energy, not "
            "magnitude; rolloff=0.85 by default)"),
        out("flux", "Spectral flux", "",
            "sqrt(sum max(0, m_k(t) - m_k(t-1))^2): the L2 norm of the rise of the magnitudes "
            "since the previous frame; 0 for the first frame"),
        out("slope", "Spectral slope", "",
            "slope of the least-squares line through (f_k, m_k), divided by sum m_k (Peeters): "
            "(K sum f_k m_k - sum f_k sum m_k) / (K sum f_k^2 - (sum f_k)^2) / sum m_k, K bins; "
            "per Hz"),
        out("decrease", "Spectral decrease", "",
            "sum_{k>=1} (m_k - m_0) / k / sum_{k>=1} m_k (Peeters)"),
        out("crest", "Spectral crest", "", "max m_k / mean m_k"),
        out("energy", "Spectral energy", "",
            "sum P_k = sum m_k^2 (a full-scale sine gives 1.5 with the hann window)"),
        out("hfc", "High-frequency content", "",
            "sum k P_k = sum k m_k^2, k the bin index (Masri; aubio's hfc sums (k+1) m_k on "
            "magnitudes)"),
        out("entropy", "Spectral entropy", "",
            "-sum p_k ln p_k / ln K with p_k = P_k / sum P_j over the K bins: 0 for a single "
            "bin, 1 for a perfectly flat spectrum"),
    };
    d.make = [](const Params &p, const std::vector<std::string> &asked) {
        const auto listed = p.list("outputs");
        std::vector<int> outs;
        for (const auto &id : asked) {
            if (std::find(listed.begin(), listed.end(), id) == listed.end())
                continue;
            auto it = std::find(out_ids.begin(), out_ids.end(), id);
            if (it != out_ids.end())
                outs.push_back(static_cast<int>(it - out_ids.begin()));
        }
        if (outs.empty())
            throw UsageError("spectral: no output left: -a spectral.NAME and "
                             "-p spectral.outputs name none in common");
        return std::make_unique<Spectral>(stft_shape("spectral", p), p.number("rolloff"),
                                          std::move(outs));
    };
    return d;
}

} // namespace ts::analyze
