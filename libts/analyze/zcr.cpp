// zcr: framewise zero-crossing rate of the mono signal, in crossings per sample.
#include "analyze/analyzers.hpp"

namespace ts::analyze {
namespace {

class Zcr : public Analyzer {
  public:
    Zcr(int block, int step) : block_(block), step_(step) {}
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
        // A crossing is a change of sign between neighbours, 0 counting as positive (as
        // aubio's zero_crossing_rate); written without branches so the loop vectorizes.
        const std::size_t n = static_cast<std::size_t>(block_);
        unsigned count = 0;
        for (std::size_t i = 1; i < n; ++i)
            count += static_cast<unsigned>((x[i - 1] < 0.0f) != (x[i] < 0.0f));
        series_.push_back(static_cast<float>(static_cast<double>(count) / static_cast<double>(n)));
    }

    int block_, step_;
    int rate_ = 0;
    result::SeriesBuffer series_;
};

} // namespace

Definition zcr_definition() {
    Definition d;
    d.id = "zcr";
    d.name = "Zero-crossing rate";
    d.description = "Zero crossings of the mono mix-down per sample, in frames of block "
                    "samples every step samples, as aubio's zero_crossing_rate: the number of "
                    "neighbouring pairs inside the frame whose signs differ (0 counts as "
                    "positive) divided by block. A sine of f Hz at rate r reads about 2f/r "
                    "(1 kHz at 44.1 kHz: 0.0454); white noise about 0.5.";
    d.params = {
        {"block", ParamType::integer, "2048", 2, 1e7, {}, "frame length in samples"},
        {"step", ParamType::integer, "512", 1, 1e7, {}, "hop between frame starts in samples"},
    };
    d.outputs = {
        {"", "Zero-crossing rate", "", result::TimeMode::framewise, result::DataMode::value,
         "crossings in the frame / block, from 0 to (block - 1) / block; one value per whole "
         "frame. An input shorter than one block gives an empty array."},
    };
    d.make = [](const Params &p, const std::vector<std::string> &) {
        return std::make_unique<Zcr>(static_cast<int>(p.integer("block")),
                                     static_cast<int>(p.integer("step")));
    };
    return d;
}

} // namespace ts::analyze
