// dc: the mean of all samples of all channels (the DC offset), in percent of full scale.
#include "analyze/analyzers.hpp"

#include <cmath>

namespace ts::analyze {
namespace {

// Sum of n floats in double, in 8 independent lanes so the adds pipeline (one running sum
// would wait on each add).
double sum(const float *x, std::size_t n) {
    double lane[8] = {};
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; ++j)
            lane[j] += static_cast<double>(x[i + static_cast<std::size_t>(j)]);
    double s = 0;
    for (; i < n; ++i)
        s += static_cast<double>(x[i]);
    for (double v : lane)
        s += v;
    return s;
}

class Dc : public Analyzer {
  public:
    void setup(Context &ctx) override {
        ctx.on_blocks([this](const float *x, std::size_t n, int ch) {
            const std::size_t total = n * static_cast<std::size_t>(ch);
            sum_ += sum(x, total);
            count_ += total;
        });
    }
    std::vector<result::Result> finish(std::int64_t) override {
        result::Result r = output("");
        r.scalar = true;
        r.value = {count_ ? 100.0 * sum_ / static_cast<double>(count_) : NAN};
        return only(std::move(r));
    }

  private:
    double sum_ = 0;
    std::size_t count_ = 0;
};

} // namespace

Definition dc_definition() {
    Definition d;
    d.id = "dc";
    d.name = "DC offset";
    d.description = "The mean of every sample of every channel, in percent of full scale: "
                    "a constant signal of 0.25 reads 25, a sine over whole periods about 0. "
                    "sox stats prints the same mean per channel as a fraction (its DC offset "
                    "line; see stats.dc_offset).";
    d.outputs = {
        {"", "DC offset", "%", result::TimeMode::global, result::DataMode::value,
         "100 * (sum of all samples of all channels) / (their number); null for an empty "
         "input"},
    };
    d.all_channels = true;
    d.make = [](const Params &, const std::vector<std::string> &) {
        return std::make_unique<Dc>();
    };
    return d;
}

} // namespace ts::analyze
