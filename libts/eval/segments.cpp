// Structural segmentation scores: mir_eval.segment (Turnbull et al. 2007 for boundary
// detection; Levy & Sandler 2008 for pairwise frame clustering; Lukashevich 2008, "Towards
// quantitative measures of evaluating song segmentation", for the normalized conditional
// entropies).
#include "eval/metrics.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

namespace ts::eval {
namespace {

// mir_eval.util.adjust_intervals: the intervals clipped to [t_min, t_max] (either may be
// absent: NaN), a segment labelled start/end added to fill a gap at either end.
void adjust(Segments &s, double t_min, double t_max, const std::string &start_label,
            const std::string &end_label) {
    if (s.interval.empty()) {
        s.interval = {{t_min, t_max}};
        s.label = {start_label};
        return;
    }
    auto min_of = [&] {
        double m = s.interval[0].start;
        for (const auto &i : s.interval)
            m = std::min({m, i.start, i.end});
        return m;
    };
    auto max_of = [&] {
        double m = s.interval[0].start;
        for (const auto &i : s.interval)
            m = std::max({m, i.start, i.end});
        return m;
    };
    if (!std::isnan(t_min)) {
        for (std::size_t k = 0; k < s.interval.size(); ++k)
            if (s.interval[k].end >= t_min) {
                s.interval.erase(s.interval.begin(), s.interval.begin() + static_cast<long>(k));
                s.label.erase(s.label.begin(), s.label.begin() + static_cast<long>(k));
                break;
            }
        for (auto &i : s.interval) {
            i.start = std::max(t_min, i.start);
            i.end = std::max(t_min, i.end);
        }
        const double m = min_of();
        if (m > t_min) {
            s.interval.insert(s.interval.begin(), {t_min, m});
            s.label.insert(s.label.begin(), start_label);
        }
    }
    if (!std::isnan(t_max)) {
        for (std::size_t k = 0; k < s.interval.size(); ++k)
            if (s.interval[k].start > t_max) {
                s.interval.resize(k);
                s.label.resize(k);
                break;
            }
        for (auto &i : s.interval) {
            i.start = std::min(t_max, i.start);
            i.end = std::min(t_max, i.end);
        }
        const double m = max_of();
        if (m < t_max) {
            s.interval.push_back({m, t_max});
            s.label.push_back(end_label);
        }
    }
}

double max_time(const Segments &s) {
    double m = -INFINITY;
    for (const auto &i : s.interval)
        m = std::max({m, i.start, i.end});
    return m;
}

void validate(const Segments &s, const char *which) {
    if (s.interval.size() != s.label.size())
        throw Error(std::string("segments: the ") + which +
                    "'s intervals and labels differ in number");
    for (const auto &i : s.interval)
        if (i.start < 0 || i.end < 0 || !(i.end > i.start))
            throw Error(std::string("segments: the ") + which +
                        " has an interval not of positive duration");
}

std::string lower(std::string s) {
    for (char &c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// mir_eval.util.intervals_to_samples then index_labels: the label at each 0.1 s frame
// (numpy's float32 times), "none" where no interval covers it, as indices of sorted labels.
std::vector<int> frame_labels(const Segments &s, double frame) {
    const std::size_t count = static_cast<std::size_t>(std::floor(max_time(s) / frame));
    std::vector<double> times(count);
    const float step = static_cast<float>(frame);
    for (std::size_t i = 0; i < count; ++i)
        times[i] = static_cast<double>(static_cast<float>(static_cast<float>(i) * step));
    std::vector<std::string> at(count, "none");
    for (std::size_t k = 0; k < s.interval.size(); ++k) {
        const auto a =
            std::lower_bound(times.begin(), times.end(), s.interval[k].start) - times.begin();
        const auto b =
            std::upper_bound(times.begin(), times.end(), s.interval[k].end) - times.begin();
        for (auto i = a; i < b; ++i)
            at[static_cast<std::size_t>(i)] = lower(s.label[k]);
    }
    std::map<std::string, int> index;
    for (const auto &l : at)
        index.emplace(l, 0);
    int n = 0;
    for (auto &[l, i] : index)
        i = n++;
    std::vector<int> out(count);
    for (std::size_t i = 0; i < count; ++i)
        out[i] = index[at[i]];
    return out;
}

Scores detection(const Segments &ref, const Segments &est, double window) {
    auto bounds = [](const Segments &s) {
        std::vector<double> b;
        for (const auto &i : s.interval) {
            b.push_back(round_decimals(i.start, 5));
            b.push_back(round_decimals(i.end, 5));
        }
        std::sort(b.begin(), b.end());
        b.erase(std::unique(b.begin(), b.end()), b.end());
        return b;
    };
    const auto rb = bounds(ref), eb = bounds(est);
    double p = 0, r = 0, f = 0;
    if (!rb.empty() && !eb.empty()) {
        const double hits = static_cast<double>(match_events(rb, eb, window));
        p = hits / static_cast<double>(eb.size());
        r = hits / static_cast<double>(rb.size());
        f = f_measure(p, r);
    }
    const std::string w = window == 0.5 ? "0_5" : "3";
    return {{"precision_" + w, p}, {"recall_" + w, r}, {"f_measure_" + w, f}};
}

} // namespace

Scores segments(Segments reference, Segments estimate) {
    validate(reference, "reference");
    validate(estimate, "estimate");
    if (reference.interval.empty())
        throw Error("segments: the reference has no segment");
    adjust(reference, 0.0, NAN, "__T_MIN", "__T_MAX");
    adjust(estimate, 0.0, max_time(reference), "__T_MIN", "__T_MAX");
    validate(reference, "reference");
    validate(estimate, "estimate");
    Scores out = detection(reference, estimate, 0.5);
    for (auto &s : detection(reference, estimate, 3.0))
        out.push_back(s);

    const double frame = 0.1;
    const auto yr = frame_labels(reference, frame), ye = frame_labels(estimate, frame);
    if (yr.size() != ye.size())
        throw Error("segments: the reference and the estimate end at different times");
    const std::size_t n = yr.size();
    const int nr = yr.empty() ? 0 : *std::max_element(yr.begin(), yr.end()) + 1;
    const int ne = ye.empty() ? 0 : *std::max_element(ye.begin(), ye.end()) + 1;
    std::vector<double> c(static_cast<std::size_t>(nr * ne), 0.0),
        cr(static_cast<std::size_t>(nr), 0.0), ce(static_cast<std::size_t>(ne), 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        c[static_cast<std::size_t>(yr[i] * ne + ye[i])] += 1;
        cr[static_cast<std::size_t>(yr[i])] += 1;
        ce[static_cast<std::size_t>(ye[i])] += 1;
    }
    // Pairwise: the pairs of frames agreeing in the reference, in the estimate, in both.
    double agree_r = 0, agree_e = 0, agree_both = 0;
    for (double v : cr)
        agree_r += v * v;
    for (double v : ce)
        agree_e += v * v;
    for (double v : c)
        agree_both += v * v;
    const double dn = static_cast<double>(n);
    const double n_ref = (agree_r - dn) / 2.0, n_est = (agree_e - dn) / 2.0,
                 n_match = (agree_both - dn) / 2.0;
    const double pp = n_match / n_est, pr = n_match / n_ref;
    out.push_back({"pairwise_precision", pp});
    out.push_back({"pairwise_recall", pr});
    out.push_back({"pairwise_f_measure", f_measure(pp, pr)});

    // Conditional entropies of the joint distribution, each column (row) normalized, as
    // scipy.stats.entropy computes them, in bits.
    auto entropy = [](const std::vector<double> &p) {
        double sum = 0, h = 0;
        for (double v : p)
            sum += v;
        for (double v : p)
            if (v > 0) {
                const double q = v / sum;
                h -= q * std::log(q);
            }
        return h / std::log(2.0);
    };
    double true_given_est = 0, pred_given_ref = 0;
    for (int j = 0; j < ne; ++j) {
        std::vector<double> col(static_cast<std::size_t>(nr));
        double pj = 0;
        for (int i = 0; i < nr; ++i) {
            col[static_cast<std::size_t>(i)] = c[static_cast<std::size_t>(i * ne + j)] / dn;
            pj += col[static_cast<std::size_t>(i)];
        }
        true_given_est += pj * entropy(col);
    }
    for (int i = 0; i < nr; ++i) {
        std::vector<double> row(static_cast<std::size_t>(ne));
        double pi = 0;
        for (int j = 0; j < ne; ++j) {
            row[static_cast<std::size_t>(j)] = c[static_cast<std::size_t>(i * ne + j)] / dn;
            pi += row[static_cast<std::size_t>(j)];
        }
        pred_given_ref += pi * entropy(row);
    }
    const double z_ref = std::log2(static_cast<double>(nr)),
                 z_est = std::log2(static_cast<double>(ne));
    const double under = z_ref > 0 ? 1.0 - true_given_est / z_ref : 0.0;
    const double over = z_est > 0 ? 1.0 - pred_given_ref / z_est : 0.0;
    out.push_back({"nce_over", over});
    out.push_back({"nce_under", under});
    out.push_back({"nce_f_measure", f_measure(over, under)});
    return out;
}

Scores labels(const Segments &reference0, const Segments &estimate0) {
    Segments reference = reference0, estimate = estimate0;
    validate(reference, "reference");
    validate(estimate, "estimate");
    if (reference.interval.empty())
        throw Error("labels: the reference has no segment");
    double lo = INFINITY;
    for (const auto &i : reference.interval)
        lo = std::min({lo, i.start, i.end});
    // As mir_eval.chord.evaluate: the estimate fitted to the reference's span (gaps "N"),
    // both merged into elementary intervals, each labelled by the last segment starting at or
    // before it; the matching labels' durations over the total.
    adjust(estimate, lo, max_time(reference), "N", "N");
    std::vector<double> t;
    for (const auto *s : {&reference, &estimate})
        for (const auto &i : s->interval) {
            t.push_back(i.start);
            t.push_back(i.end);
        }
    std::sort(t.begin(), t.end());
    t.erase(std::unique(t.begin(), t.end()), t.end());
    if (reference.interval.front().start != estimate.interval.front().start ||
        reference.interval.back().end != estimate.interval.back().end)
        throw Error("labels: the reference's and the estimate's spans do not align");
    auto label_at = [](const Segments &s, double t0) {
        std::size_t k = 0;
        for (std::size_t i = 0; i < s.interval.size(); ++i)
            if (t0 >= s.interval[i].start)
                k = i;
        return lower(s.label[k]);
    };
    double total = 0, good = 0;
    std::vector<double> dur;
    std::vector<char> same;
    for (std::size_t i = 0; i + 1 < t.size(); ++i) {
        const double d = t[i + 1] - t[i];
        dur.push_back(d);
        same.push_back(label_at(reference, t[i]) == label_at(estimate, t[i]));
        total += d;
    }
    double acc = 0;
    if (total > 0) {
        for (std::size_t i = 0; i < dur.size(); ++i)
            good += (same[i] ? 1.0 : 0.0) * (dur[i] / total);
        acc = good;
    }
    return {{"accuracy", acc}};
}

} // namespace ts::eval
