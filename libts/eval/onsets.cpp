// Onset detection scores: mir_eval.onset (Dixon 2006, "Onset detection revisited").
#include "eval/metrics.hpp"

namespace ts::eval {

Scores onsets(const std::vector<double> &reference, const std::vector<double> &estimate,
              double window) {
    double p = 0, r = 0, f = 0;
    if (!reference.empty() && !estimate.empty()) {
        const double hits = static_cast<double>(match_events(reference, estimate, window));
        p = hits / static_cast<double>(estimate.size());
        r = hits / static_cast<double>(reference.size());
        f = f_measure(p, r);
    }
    return {{"f_measure", f}, {"precision", p}, {"recall", r}};
}

} // namespace ts::eval
