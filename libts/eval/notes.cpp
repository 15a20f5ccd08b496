// Note transcription scores: mir_eval.transcription (Bay, Ehmann & Downie 2009, "Evaluation of
// multiple-F0 estimation and tracking systems"; the MIREX note tracking task).
#include "eval/metrics.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>

namespace ts::eval {
namespace {

std::size_t match(const Notes &ref, const Notes &est, double onset_tol, double pitch_tol,
                  double offset_ratio, double offset_min, bool offsets) {
    std::vector<double> ref_log(ref.pitch.size()), est_log(est.pitch.size());
    for (std::size_t i = 0; i < ref.pitch.size(); ++i)
        ref_log[i] = std::log2(ref.pitch[i]);
    for (std::size_t j = 0; j < est.pitch.size(); ++j)
        est_log[j] = std::log2(est.pitch[j]);
    // Onsets sorted, so only the estimates near a reference onset are looked at; the tests
    // themselves are mir_eval's, distances rounded to 4 decimals.
    std::vector<std::size_t> order(est.interval.size());
    for (std::size_t j = 0; j < order.size(); ++j)
        order[j] = j;
    std::sort(order.begin(), order.end(),
              [&](auto a, auto b) { return est.interval[a].start < est.interval[b].start; });
    std::vector<double> starts(order.size());
    for (std::size_t k = 0; k < order.size(); ++k)
        starts[k] = est.interval[order[k]].start;
    std::vector<std::vector<std::size_t>> adjacent(est.interval.size());
    for (std::size_t i = 0; i < ref.interval.size(); ++i) {
        const auto &r = ref.interval[i];
        const double tol_off = std::max(offset_ratio * (r.end - r.start), offset_min);
        auto lo = std::lower_bound(starts.begin(), starts.end(), r.start - onset_tol - 1e-3);
        for (auto it = lo; it != starts.end() && *it <= r.start + onset_tol + 1e-3; ++it) {
            const std::size_t j = order[static_cast<std::size_t>(it - starts.begin())];
            const auto &e = est.interval[j];
            if (!(round_decimals(std::abs(r.start - e.start), 4) <= onset_tol))
                continue;
            if (!(std::abs(1200 * (ref_log[i] - est_log[j])) <= pitch_tol))
                continue;
            if (offsets && !(round_decimals(std::abs(r.end - e.end), 4) <= tol_off))
                continue;
            adjacent[j].push_back(i);
        }
    }
    return max_matching(adjacent, ref.interval.size());
}

void check(const Notes &n, const char *which) {
    if (n.interval.size() != n.pitch.size())
        throw Error(std::string("notes: the ") + which +
                    "'s intervals and pitches differ in number");
    for (const auto &i : n.interval)
        if (i.start < 0 || i.end < 0 || !(i.end > i.start))
            throw Error(std::string("notes: the ") + which +
                        " has an interval not of positive duration");
    for (double p : n.pitch)
        if (!(p > 0))
            throw Error(std::string("notes: the ") + which + " has a pitch not above 0 Hz");
}

} // namespace

Scores notes(const Notes &reference, const Notes &estimate, double onset_tolerance,
             double pitch_tolerance, double offset_ratio, double offset_min_tolerance) {
    check(reference, "reference");
    check(estimate, "estimate");
    Scores out;
    for (bool offsets : {true, false}) {
        double p = 0, r = 0, f = 0;
        if (!reference.pitch.empty() && !estimate.pitch.empty()) {
            const double hits =
                static_cast<double>(match(reference, estimate, onset_tolerance, pitch_tolerance,
                                          offset_ratio, offset_min_tolerance, offsets));
            p = hits / static_cast<double>(estimate.pitch.size());
            r = hits / static_cast<double>(reference.pitch.size());
            f = f_measure(p, r);
        }
        const std::string suffix = offsets ? "" : "_no_offset";
        out.push_back({"precision" + suffix, p});
        out.push_back({"recall" + suffix, r});
        out.push_back({"f_measure" + suffix, f});
    }
    return out;
}

} // namespace ts::eval
