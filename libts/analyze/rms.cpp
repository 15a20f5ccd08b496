// rms: framewise root-mean-square amplitude of the mono signal, linear.
#include "analyze/analyzers.hpp"

#include <cmath>

namespace ts::analyze {
namespace {

class Rms : public Analyzer {
  public:
    Rms(int block, int step) : block_(block), step_(step) {}
    void setup(Context &ctx) override {
        rate_ = ctx.rate();
        series_.spill_to(ctx.spill_file());
        ctx.on_frames(block_, step_, [this](const float *x, std::int64_t) { add(x); });
    }
    std::vector<result::Result> finish(std::int64_t) override {
        result::Result r = framewise("", rate_, block_, step_);
        series_.into(r);
        return only(std::move(r));
    }

  private:
    void add(const float *x) {
        // Squares summed in double, in 8 lanes so the adds pipeline.
        double lane[8] = {};
        const std::size_t n = static_cast<std::size_t>(block_);
        std::size_t i = 0;
        for (; i + 8 <= n; i += 8)
            for (std::size_t j = 0; j < 8; ++j) {
                const double v = x[i + j];
                lane[j] += v * v;
            }
        double s = 0;
        for (; i < n; ++i)
            s += static_cast<double>(x[i]) * x[i];
        for (double v : lane)
            s += v;
        series_.push_back(static_cast<float>(std::sqrt(s / static_cast<double>(n))));
    }

    int block_, step_;
    int rate_ = 0;
    result::SeriesBuffer series_;
};

} // namespace

Definition rms_definition() {
    Definition d;
    d.id = "rms";
    d.name = "RMS";
    d.description = "Root-mean-square amplitude of the mono mix-down in frames of block "
                    "samples every step samples, linear (not dB, as in TimeSide): a sine of "
                    "peak A reads A/sqrt(2), a full-scale sine 0.7071. For dBFS take "
                    "20 log10(value) (level.rms gives the RMS of the whole input).";
    d.params = {
        {"block", ParamType::integer, "2048", 1, 1e7, {}, "frame length in samples"},
        {"step", ParamType::integer, "512", 1, 1e7, {}, "hop between frame starts in samples"},
    };
    d.outputs = {
        {"", "RMS", "", result::TimeMode::framewise, result::DataMode::value,
         "sqrt(sum of x[n]^2 over the frame / block), one value per whole frame; 0 for "
         "digital silence. An input shorter than one block gives an empty array."},
    };
    d.make = [](const Params &p, const std::vector<std::string> &) {
        return std::make_unique<Rms>(static_cast<int>(p.integer("block")),
                                     static_cast<int>(p.integer("step")));
    };
    return d;
}

} // namespace ts::analyze
