// Two-pass loudness normalisation: the loudness analyzer over the source, then a linear gain.
#include "analyze/normalize.hpp"

#include "analyze/engine.hpp"

#include <cmath>

namespace ts::analyze {

LoudnessFacts measure_loudness(decode::Source &source) {
    const auto requests =
        make_requests({"loudness.integrated", "loudness.true_peak"}, {"loudness.true_peak=true"});
    LoudnessFacts facts{NAN, NAN};
    for (const auto &r : run(source, requests, RunOptions{})) {
        const double v = r.value.empty() ? NAN : r.value[0];
        if (r.id == "loudness.integrated")
            facts.integrated = v;
        else if (r.id == "loudness.true_peak")
            facts.true_peak = v;
    }
    return facts;
}

Gain normalize_gain(const LoudnessFacts &facts, double target, double ceiling) {
    Gain g;
    if (!std::isfinite(facts.integrated))
        return g;
    g.db = target - facts.integrated;
    if (std::isfinite(facts.true_peak) && facts.true_peak + g.db > ceiling) {
        g.db = ceiling - facts.true_peak;
        g.limited = true;
    }
    return g;
}

} // namespace ts::analyze
