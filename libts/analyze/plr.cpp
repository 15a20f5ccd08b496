// plr: the peak-to-loudness ratio, true peak minus integrated loudness, of the DC-blocked
// signal; both measured by the loudness analyzer, fed through a DC blocker.
#include "analyze/analyzers.hpp"

#include <cmath>
#include <memory>
#include <optional>

namespace ts::analyze {
namespace {

// Hz: low, since a sine that starts abruptly (a test signal) makes the blocker ring with an
// amplitude of sin(atan(dc_cutoff / f)) of its own: +0.009 dB on the peak at 1 kHz.
constexpr double dc_cutoff = 1.0;

// First-order DC blocker per channel, y[n] = x[n] - x[n-1] + r y[n-1], started as if the
// first sample's value had always been there: an offset under a recording that starts in
// silence makes no step.
class DcBlocker {
  public:
    void reset(int rate, int channels) {
        r_ = std::exp(-2.0 * M_PI * dc_cutoff / rate);
        x1_.assign(static_cast<std::size_t>(channels), 0.0);
        y1_.assign(static_cast<std::size_t>(channels), 0.0);
        primed_ = false;
    }
    // Filters n interleaved frames of x into out.
    void process(const float *x, std::size_t n, float *out) {
        const std::size_t ch = x1_.size();
        if (!primed_ && n > 0) {
            for (std::size_t c = 0; c < ch; ++c)
                x1_[c] = x[c];
            primed_ = true;
        }
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t c = 0; c < ch; ++c) {
                const double v = x[i * ch + c];
                const double y = v - x1_[c] + r_ * y1_[c];
                x1_[c] = v;
                y1_[c] = y;
                out[i * ch + c] = static_cast<float>(y);
            }
    }

  private:
    double r_ = 1;
    std::vector<double> x1_, y1_;
    bool primed_ = false;
};

// The context the inner loudness analyzer sees: the outer one's, every block DC-blocked.
class DcBlockedContext : public Context {
  public:
    DcBlockedContext(Context &inner, DcBlocker &blocker, std::vector<float> &buffer)
        : inner_(inner), blocker_(blocker), buffer_(buffer) {}
    int rate() const override { return inner_.rate(); }
    const pcm::Header &stream_header() const override { return inner_.stream_header(); }
    int channels() const override { return inner_.channels(); }
    void on_blocks(BlockFn fn) override {
        inner_.on_blocks([this, fn = std::move(fn)](const float *x, std::size_t n, int ch) {
            buffer_.resize(n * static_cast<std::size_t>(ch));
            blocker_.process(x, n, buffer_.data());
            fn(buffer_.data(), n, ch);
        });
    }
    // Loudness reads whole blocks only; the other subscriptions pass through unfiltered.
    void on_mono(BlockFn fn) override { inner_.on_mono(std::move(fn)); }
    void on_frames(int block, int step, FrameFn fn) override {
        inner_.on_frames(block, step, std::move(fn));
    }
    void on_spectrum(int n_fft, int step, dsp::Window window, SpectrumFn fn) override {
        inner_.on_spectrum(n_fft, step, window, std::move(fn));
    }

  private:
    Context &inner_;
    DcBlocker &blocker_;
    std::vector<float> &buffer_;
};

class Plr : public Analyzer {
  public:
    Plr() {
        const Definition loudness = loudness_definition();
        loudness_ = loudness.make(Params(loudness.id, loudness.params, {}),
                                  {"integrated", "true_peak"});
    }

    void setup(Context &ctx) override {
        blocker_.reset(ctx.rate(), ctx.channels());
        // The blocks' callback outlives setup(): it holds this analyzer's blocker and buffer,
        // not the context object made here.
        context_.emplace(ctx, blocker_, buffer_);
        loudness_->setup(*context_);
    }

    std::vector<result::Result> finish(std::int64_t frames) override {
        double loudness = NAN, peak = NAN;
        for (const auto &r : loudness_->finish(frames)) {
            if (r.id == "integrated" && !r.value.empty())
                loudness = r.value[0];
            else if (r.id == "true_peak" && !r.value.empty())
                peak = r.value[0];
        }
        result::Result r = output("");
        r.scalar = true;
        r.value = {peak - loudness}; // NaN (null) when either is
        return only(std::move(r));
    }

  private:
    std::unique_ptr<Analyzer> loudness_;
    DcBlocker blocker_;
    std::vector<float> buffer_;
    std::optional<DcBlockedContext> context_;
};

} // namespace

Definition plr_definition() {
    Definition d;
    d.id = "plr";
    d.name = "Peak-to-loudness ratio";
    d.description =
        "The peak-to-loudness ratio (PLR, AES TD1004): how far the true peak stands above the "
        "integrated loudness, a measure of the headroom a master keeps (a heavily limited one "
        "reads 6 to 8 dB, a dynamic one 15 and more). Both are measured as the loudness "
        "analyzer measures them, on the DC-blocked signal.";
    d.outputs = {
        {"", "Peak-to-loudness ratio", "dB", result::TimeMode::global, result::DataMode::value,
         "loudness.true_peak (dBTP) minus loudness.integrated (LUFS), both of the signal "
         "after a first-order DC blocker (a 1 Hz high-pass, started at the first "
         "sample's value so that an offset under a start in silence makes no step): an offset, which "
         "the K-weighting removes from the loudness anyway, does not raise the peak. A "
         "full-scale 1 kHz sine in one channel reads 3.01 dB (0 dBTP, -3.01 LUFS). Null when "
         "either is: silence, an input shorter than 400 ms, a rate below 8000 Hz."},
    };
    d.all_channels = true;
    d.make = [](const Params &, const std::vector<std::string> &) {
        return std::make_unique<Plr>();
    };
    return d;
}

} // namespace ts::analyze
