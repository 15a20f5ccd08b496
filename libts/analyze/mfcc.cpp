// mfcc: mel-frequency cepstral coefficients (librosa.feature.mfcc's recipe), with optional
// deltas filled in as soon as each frame's window of 9 frames is known.
#include "analyze/analyzers.hpp"
#include "analyze/mel_params.hpp"
#include "dsp/dct.hpp"

#include <algorithm>
#include <array>
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
        series_.spill_to(ctx.spill_file());
        for (int order = 1; order <= 2; ++order)
            weights_[order - 1] = derivative_weights(delta_width, order);
        ctx.on_spectrum(shape_.n_fft, shape_.step, shape_.window,
                        [this](const Spectrum &s, std::int64_t) { add(s); });
    }
    std::vector<result::Result> finish(std::int64_t) override {
        result::Result r = framewise("", rate_, shape_.n_fft, shape_.step);
        r.width = static_cast<std::size_t>(width());
        if (deltas_)
            finish_deltas();
        series_.into(r);
        return only(std::move(r));
    }

  private:
    int width() const { return deltas_ ? 3 * coefs_ : coefs_; }
    std::size_t w() const { return static_cast<std::size_t>(width()); }

    void add(const Spectrum &s) {
        stage_.apply(s, mel_.data());
        for (float &v : mel_)
            v = 10.0f * std::log10(std::max(v, amin));
        if (!deltas_) {
            dct_->forward(mel_.data(), series_.grow(w()));
            return;
        }
        const std::size_t at = rows_.size();
        rows_.resize(at + w(), 0.0f);
        dct_->forward(mel_.data(), rows_.data() + at);
        const std::size_t m = count_++; // this frame's index
        const std::size_t half = delta_width / 2;
        if (count_ == delta_width) { // the first frames take the first full window
            for (std::size_t t = 0; t <= half; ++t)
                fill(t, 0, delta_width, weights_);
            emit(half + 1);
        } else if (count_ > delta_width) {
            fill(m - half, m - half - half, delta_width, weights_);
            emit(m - half + 1);
        }
    }

    // Columns [c, 2c) get the first derivative, [2c, 3c) the second, of each coefficient
    // over 9 frames (4 each side); the first and last 4 frames take the derivative of the
    // first or last full window, and a sequence shorter than 9 frames is one window. Frames
    // are filled as soon as their window is complete and then written, so only the last few
    // are held.
    void fill(std::size_t t, std::size_t start, std::size_t len,
              const std::array<std::vector<double>, 2> &weights) {
        const std::size_t c = static_cast<std::size_t>(coefs_);
        float *row = at(t);
        for (std::size_t order = 1; order <= 2; ++order)
            for (std::size_t i = 0; i < c; ++i) {
                double sum = 0;
                for (std::size_t j = 0; j < len; ++j)
                    sum += weights[order - 1][j] * at(start + j)[i];
                row[c * order + i] = static_cast<float>(sum);
            }
    }
    float *at(std::size_t t) { return rows_.data() + (t - base_) * w(); }

    // Writes the frames before `until`, and forgets those no window needs any more.
    void emit(std::size_t until) {
        for (; done_ < until; ++done_)
            std::copy_n(at(done_), w(), series_.grow(w()));
        const std::size_t keep = delta_width; // the last window starts 9 frames back
        if (count_ - base_ > 4 * keep) {
            const std::size_t drop = count_ - keep - base_;
            rows_.erase(rows_.begin(), rows_.begin() + static_cast<std::ptrdiff_t>(drop * w()));
            base_ += drop;
        }
    }

    void finish_deltas() {
        const std::size_t n = count_;
        if (n == 0)
            return;
        if (n < delta_width) {
            std::array<std::vector<double>, 2> weights;
            for (int order = 1; order <= 2; ++order)
                weights[order - 1] = derivative_weights(static_cast<int>(n), order);
            for (std::size_t t = 0; t < n; ++t)
                fill(t, 0, n, weights);
        } else {
            for (std::size_t t = n - delta_width / 2; t < n; ++t)
                fill(t, n - delta_width, delta_width, weights_);
        }
        emit(n);
    }

    StftShape shape_;
    MelStage stage_;
    int coefs_;
    bool deltas_;
    int rate_ = 0;
    std::optional<dsp::Dct2> dct_;
    std::vector<float> mel_;
    std::array<std::vector<double>, 2> weights_; // of the 9-frame window, orders 1 and 2
    std::vector<float> rows_;                     // frames base_ .. count_-1, coefficients
    std::size_t base_ = 0, count_ = 0, done_ = 0; // and their deltas once filled
    result::SeriesBuffer series_;
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
