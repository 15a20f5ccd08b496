// mfcc: mel-frequency cepstral coefficients (librosa.feature.mfcc's recipe), with optional
// deltas filled in at the end, when the whole sequence is known.
#include "analyze/analyzers.hpp"
#include "analyze/mel_params.hpp"
#include "dsp/dct.hpp"

#include <algorithm>
#include <cmath>

namespace ts::analyze {
namespace {

constexpr int delta_width = 9;
constexpr float amin = 1e-10f; // power_to_db's floor: -100 dB

// Weights w such that sum_j w[j] y[j] is the order-th derivative of the least-squares
// polynomial of degree `order` through (j, y[j]), j < n: order! times the component of y along
// the monic degree-`order` polynomial orthogonal to the lower ones on these points. That
// derivative is the same at every point of the window, which is what savgol_filter's
// mode='interp' evaluates at the edges.
std::vector<double> derivative_weights(int n, int order) {
    std::vector<std::vector<double>> q; // orthogonal polynomials on 0..n-1
    for (int d = 0; d <= order; ++d) {
        std::vector<double> v(static_cast<std::size_t>(n));
        for (int j = 0; j < n; ++j)
            v[static_cast<std::size_t>(j)] = std::pow(static_cast<double>(j), d);
        for (const auto &u : q) {
            double uv = 0, uu = 0;
            for (int j = 0; j < n; ++j) {
                uv += u[static_cast<std::size_t>(j)] * v[static_cast<std::size_t>(j)];
                uu += u[static_cast<std::size_t>(j)] * u[static_cast<std::size_t>(j)];
            }
            if (uu > 0)
                for (int j = 0; j < n; ++j)
                    v[static_cast<std::size_t>(j)] -= uv / uu * u[static_cast<std::size_t>(j)];
        }
        q.push_back(std::move(v));
    }
    std::vector<double> w = q.back();
    double qq = 0;
    for (double x : w)
        qq += x * x;
    double fact = 1;
    for (int d = 2; d <= order; ++d)
        fact *= d;
    // Too few points for the degree: the residual is rounding noise; no derivative.
    if (qq < 1e-9 || n <= order) {
        std::fill(w.begin(), w.end(), 0.0);
        return w;
    }
    for (double &x : w)
        x *= fact / qq;
    return w;
}

class Mfcc : public Analyzer {
  public:
    Mfcc(StftShape shape, const Params &p)
        : shape_(shape), stage_("mfcc", shape, p),
          coefs_(static_cast<int>(p.integer("coefficients"))), deltas_(p.boolean("deltas")) {
        if (coefs_ > stage_.bands())
            throw UsageError("-p mfcc.coefficients=" + std::to_string(coefs_) + ": more than the " +
                             std::to_string(stage_.bands()) + " mel bands");
    }
    void setup(Context &ctx) override {
        rate_ = ctx.rate();
        stage_.setup(rate_);
        dct_.emplace(stage_.bands(), coefs_);
        mel_.assign(static_cast<std::size_t>(stage_.bands()), 0.0f);
        ctx.on_spectrum(shape_.n_fft, shape_.step, shape_.window,
                        [this](const Spectrum &s, std::int64_t) { add(s); });
    }
    std::vector<result::Result> finish(std::int64_t) override {
        result::Result r = framewise("", rate_, shape_.n_fft, shape_.step);
        r.width = static_cast<std::size_t>(width());
        if (deltas_)
            fill_deltas();
        r.series = std::move(series_);
        return only(std::move(r));
    }

  private:
    int width() const { return deltas_ ? 3 * coefs_ : coefs_; }

    void add(const Spectrum &s) {
        stage_.apply(s, mel_.data());
        for (float &v : mel_)
            v = 10.0f * std::log10(std::max(v, amin));
        const std::size_t at = series_.size();
        series_.resize(at + static_cast<std::size_t>(width()), 0.0f);
        dct_->forward(mel_.data(), series_.data() + at);
    }

    // Columns [c, 2c) get the first derivative, [2c, 3c) the second, of each coefficient
    // over 9 frames (4 each side); the first and last 4 frames take the derivative of the
    // first or last full window, and a sequence shorter than 9 frames is one window.
    void fill_deltas() {
        const std::size_t w = static_cast<std::size_t>(width()),
                          c = static_cast<std::size_t>(coefs_);
        const std::size_t n = series_.size() / w;
        if (n == 0)
            return;
        const int len = static_cast<int>(std::min<std::size_t>(n, delta_width));
        for (int order = 1; order <= 2; ++order) {
            const auto weights = derivative_weights(len, order);
            const std::size_t col = c * static_cast<std::size_t>(order);
            for (std::size_t t = 0; t < n; ++t) {
                const std::size_t half = delta_width / 2;
                std::size_t start = t > half ? t - half : 0;
                start = std::min(start, n - static_cast<std::size_t>(len));
                for (std::size_t i = 0; i < c; ++i) {
                    double sum = 0;
                    for (std::size_t j = 0; j < static_cast<std::size_t>(len); ++j)
                        sum += weights[j] * series_[(start + j) * w + i];
                    series_[t * w + col + i] = static_cast<float>(sum);
                }
            }
        }
    }

    StftShape shape_;
    MelStage stage_;
    int coefs_;
    bool deltas_;
    int rate_ = 0;
    std::optional<dsp::Dct2> dct_;
    std::vector<float> mel_;
    std::vector<float> series_;
};

} // namespace

Definition mfcc_definition() {
    Definition d;
    d.id = "mfcc";
    d.name = "MFCC";
    d.description =
        std::string("Mel-frequency cepstral coefficients as librosa.feature.mfcc computes them, "
                    "without its top_db clipping (which needs the whole file): the mel band "
                    "powers M_b (see mel), in dB as 10 log10(max(M_b, 1e-10)) (power_to_db with "
                    "ref 1, so silence gives -100 dB in every band), then the orthonormal "
                    "DCT-II c_j = s_j sum_b dB_b cos(pi j (2b + 1) / (2B)), s_0 = sqrt(1/B), "
                    "s_j = sqrt(2/B), B bands, keeping c_0 .. c_{coefficients-1}. ") +
        mel_words() + " " + stft_words();
    d.params = stft_param_specs(2048, 512);
    for (auto &p : mel_param_specs())
        d.params.push_back(p);
    d.params.push_back({"coefficients",
                        ParamType::integer,
                        "13",
                        1,
                        512,
                        {},
                        "number of coefficients kept, c0 included (at most bands)"});
    d.params.push_back({"deltas",
                        ParamType::boolean,
                        "false",
                        0,
                        0,
                        {},
                        "add the first and second derivatives as more columns"});
    d.outputs = {
        {"", "MFCC", "", result::TimeMode::framewise, result::DataMode::value,
         "Frames x coefficients matrix c_0 .. c_{n-1} (digital silence: c_0 = -100 sqrt(B), "
         "the others 0). With deltas=true, 3n columns: the coefficients, then their delta and "
         "delta-delta as librosa.feature.delta (width 9, order 1 and 2, mode 'interp'): the "
         "order-th derivative of the least-squares polynomial of that order over the 9 frames "
         "around each frame, e.g. delta = sum_{j=-4..4} j c(t+j) / 60 and delta-delta = "
         "sum_{j=-4..4} (j^2 - 20/3) c(t+j) / 154; the first and last 4 frames take the value "
         "of the first or last full window, and a sequence of fewer than 9 frames is fitted "
         "as one window (fewer than 2 or 3 frames: 0). Deltas are computed at the end of the "
         "input, when every frame is known."},
    };
    d.make = [](const Params &p, const std::vector<std::string> &) {
        return std::make_unique<Mfcc>(stft_shape("mfcc", p), p);
    };
    return d;
}

} // namespace ts::analyze
