// level: sample peak and RMS level in dBFS over every sample of every channel.
#include "analyze/analyzers.hpp"

#include <cmath>

namespace ts::analyze {
namespace {

class Level : public Analyzer {
  public:
    explicit Level(std::vector<std::string> outputs) : outputs_(std::move(outputs)) {}
    void setup(Context &ctx) override {
        ctx.on_blocks([this](const float *x, std::size_t n, int ch) {
            const std::size_t total = n * static_cast<std::size_t>(ch);
            double sum = 0;
            float peak = peak_;
            for (std::size_t i = 0; i < total; ++i) {
                float v = x[i];
                sum += static_cast<double>(v) * v;
                peak = std::max(peak, std::fabs(v));
            }
            sum_ += sum;
            peak_ = peak;
            count_ += total;
        });
    }
    std::vector<result::Result> finish(std::int64_t) override {
        std::vector<result::Result> out;
        for (const auto &id : outputs_) {
            result::Result r = output(id);
            r.scalar = true;
            double v = NAN;
            if (id == "peak" && peak_ > 0)
                v = 20.0 * std::log10(peak_);
            if (id == "rms" && count_ > 0 && sum_ > 0)
                v = 10.0 * std::log10(sum_ / static_cast<double>(count_));
            r.value = {v};
            out.push_back(std::move(r));
        }
        return out;
    }

  private:
    std::vector<std::string> outputs_;
    double sum_ = 0;
    float peak_ = 0;
    std::size_t count_ = 0;
};

} // namespace

Definition level_definition() {
    Definition d;
    d.id = "level";
    d.name = "Level";
    d.description = "Sample peak and RMS level over all samples of all channels, in dBFS "
                    "(0 dBFS is a full-scale sample, so a full-scale sine has RMS -3.01 dBFS).";
    d.outputs = {
        {"peak", "Peak level", "dBFS", result::TimeMode::global, result::DataMode::value,
         "20 log10 of the largest absolute sample; null for digital silence (-inf)"},
        {"rms", "RMS level", "dBFS", result::TimeMode::global, result::DataMode::value,
         "10 log10 of the mean square of all samples; null for digital silence (-inf) or an "
         "empty input"},
    };
    d.all_channels = true;
    d.make = [](const Params &, const std::vector<std::string> &outputs) {
        return std::make_unique<Level>(outputs);
    };
    return d;
}

} // namespace ts::analyze
