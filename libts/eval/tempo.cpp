// Tempo scores: mir_eval.tempo.detection (McKinney et al. 2007, "Evaluation of audio beat
// tracking and music tempo extraction algorithms"), and Acc1/Acc2 (Gouyon et al. 2006, "An
// experimental comparison of audio tempo induction algorithms").
#include "eval/metrics.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>

namespace ts::eval {

Scores tempo(std::vector<double> reference, double weight, std::vector<double> estimate,
             double tolerance, double acc_tolerance) {
    if (reference.size() == 1) {
        reference.push_back(0.0);
        weight = 1.0;
    }
    if (estimate.size() == 1)
        estimate.push_back(estimate[0]);
    if (reference.size() != 2 || estimate.size() != 2)
        throw Error("tempo: one or two tempi are needed in the reference and the estimate");
    for (double t : reference)
        if (!std::isfinite(t) || t < 0)
            throw Error("tempo: the reference tempi must be non-negative numbers");
    for (double t : estimate)
        if (!std::isfinite(t) || t < 0)
            throw Error("tempo: the estimated tempi must be non-negative numbers");
    if (reference[0] == 0 && reference[1] == 0)
        throw Error("tempo: a reference tempo must be above 0");
    if (weight < 0 || weight > 1)
        throw Error("tempo: the reference weight must lie in 0..1");
    bool hits[2] = {false, false};
    for (int i = 0; i < 2; ++i) {
        const double r = reference[static_cast<std::size_t>(i)];
        if (r > 0) {
            const double err =
                std::min(std::abs(r - estimate[0]) / r, std::abs(r - estimate[1]) / r);
            hits[i] = err <= tolerance;
        }
    }
    const double p = weight * hits[0] + (1.0 - weight) * hits[1];
    // Acc1 and Acc2 compare the first estimate with the stronger reference tempo.
    const double r = (reference[1] > 0 && weight < 0.5) ? reference[1] : reference[0];
    const double e = estimate[0];
    auto near = [&](double factor) {
        return std::abs(e - factor * r) <= acc_tolerance * factor * r;
    };
    const bool acc1 = r > 0 && near(1.0);
    const bool acc2 = r > 0 && (acc1 || near(2.0) || near(3.0) || near(0.5) || near(1.0 / 3.0));
    return {{"acc1", acc1 ? 1.0 : 0.0},
            {"acc2", acc2 ? 1.0 : 0.0},
            {"p_score", p},
            {"one_correct", (hits[0] || hits[1]) ? 1.0 : 0.0},
            {"both_correct", (hits[0] && hits[1]) ? 1.0 : 0.0}};
}

} // namespace ts::eval
