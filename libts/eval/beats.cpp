// Beat tracking scores: mir_eval.beat (Davies, Degara & Plumbley 2009, "Evaluation methods for
// musical audio beat tracking algorithms"; Cemgil et al. 2001; Goto & Muraoka 1997; Hainsworth
// 2004 and Klapuri et al. 2006 for continuity; McKinney et al. 2007 for the P-score).
#include "eval/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ts::eval {
namespace {

using Beats = std::vector<double>;

// The metric levels of mir_eval.beat._get_reference_beat_variations: as given, off-beat,
// double, half (odd beats), half (even beats).
std::vector<Beats> variations(const Beats &ref) {
    const std::size_t n = ref.size();
    Beats off, dbl, half_odd, half_even;
    for (std::size_t i = 0; i + 1 < 2 * n; ++i) {
        // numpy.interp at i/2: slope (y[j+1]-y[j])/1 times the fraction, plus y[j].
        const std::size_t j = i / 2;
        const double v = (i % 2 == 0) ? ref[j] : (ref[j + 1] - ref[j]) * 0.5 + ref[j];
        dbl.push_back(v);
        if (i % 2 == 1)
            off.push_back(v);
    }
    for (std::size_t i = 0; i < n; ++i)
        (i % 2 == 0 ? half_odd : half_even).push_back(ref[i]);
    return {ref, off, dbl, half_odd, half_even};
}

double f_measure_beats(const Beats &ref, const Beats &est) {
    if (ref.empty() || est.empty())
        return 0.0;
    const double hits = static_cast<double>(match_events(ref, est, 0.07));
    return f_measure(hits / static_cast<double>(est.size()),
                     hits / static_cast<double>(ref.size()));
}

std::pair<double, double> cemgil(const Beats &ref0, const Beats &est, double sigma = 0.04) {
    if (ref0.empty() || est.empty())
        return {0.0, 0.0};
    std::vector<double> acc;
    for (const auto &ref : variations(ref0)) {
        double a = 0;
        for (double b : ref) {
            double d = std::numeric_limits<double>::infinity();
            for (double e : est)
                d = std::min(d, std::abs(b - e));
            a += std::exp(-d * d / (2.0 * sigma * sigma));
        }
        a /= 0.5 * static_cast<double>(est.size() + ref.size());
        acc.push_back(a);
    }
    return {acc[0], *std::max_element(acc.begin(), acc.end())};
}

double mean(const std::vector<double> &x) {
    double s = 0;
    for (double v : x)
        s += v;
    return s / static_cast<double>(x.size()); // NaN for none, as numpy
}

double goto_score(const Beats &ref, const Beats &est, double threshold = 0.35, double mu = 0.2,
                  double sigma = 0.2) {
    if (ref.empty() || est.empty())
        return 0.0;
    const std::size_t n = ref.size();
    std::vector<double> error(n, 1.0);
    for (std::size_t k = 1; k + 1 < n; ++k) {
        const double prev = 0.5 * (ref[k] - ref[k - 1]);
        const double lo = ref[k] - prev;
        const double next = 0.5 * (ref[k + 1] - ref[k]);
        const double hi = ref[k] + next;
        std::size_t count = 0;
        double found = 0;
        for (double e : est)
            if (e >= lo && e < hi) {
                ++count;
                found = e;
            }
        if (count == 1) {
            const double offset = found - ref[k];
            error[k] = offset < 0 ? offset / prev : offset / next;
        } else {
            error[k] = 1;
        }
    }
    std::vector<std::size_t> wrong;
    for (std::size_t k = 0; k < n; ++k)
        if (std::abs(error[k]) > threshold)
            wrong.push_back(k);
    bool criteria = false;
    std::vector<double> track;
    // numpy slices a[i:j] with Python's rules for negative and out-of-range bounds.
    auto slice = [&](long i, long j) {
        const long len = static_cast<long>(n);
        if (i < 0)
            i = std::max(0L, i + len);
        if (j < 0)
            j = std::max(0L, j + len);
        i = std::min(i, len);
        j = std::min(j, len);
        std::vector<double> out;
        for (long k = i; k < j; ++k)
            out.push_back(error[static_cast<std::size_t>(k)]);
        return out;
    };
    if (wrong.size() < 3) {
        track = slice(static_cast<long>(wrong.front()) + 1, static_cast<long>(wrong.back()) - 1);
        criteria = true;
    } else {
        std::size_t len = 0, start = 0;
        for (std::size_t k = 0; k + 1 < wrong.size(); ++k)
            if (wrong[k + 1] - wrong[k] > len) {
                len = wrong[k + 1] - wrong[k];
                start = k;
            }
        if (static_cast<double>(len) - 1 > 0.25 * (static_cast<double>(n) - 2)) {
            criteria = true;
            track = slice(static_cast<long>(wrong[start]), static_cast<long>(wrong[start + 1]) + 1);
        }
    }
    if (!criteria)
        return 0.0;
    double m = 0;
    for (double v : track)
        m += std::abs(v);
    m /= static_cast<double>(track.size());
    double sd = std::numeric_limits<double>::quiet_NaN();
    if (track.size() > 1) {
        const double avg = mean(track);
        double s = 0;
        for (double v : track)
            s += (v - avg) * (v - avg);
        sd = std::sqrt(s / static_cast<double>(track.size() - 1));
    }
    return (m < mu && sd < sigma) ? 1.0 : 0.0;
}

double p_score(Beats ref, Beats est, double threshold = 0.2) {
    if (est.size() <= 1 || ref.size() <= 1)
        return 0.0;
    const int rate = 100;
    const double offset = std::min(*std::min_element(est.begin(), est.end()),
                                   *std::min_element(ref.begin(), ref.end()));
    for (double &b : est)
        b -= offset;
    for (double &b : ref)
        b -= offset;
    // The impulse trains at 10 ms, as sets of indices (a train holds 0 or 1).
    auto train = [&](const Beats &b) {
        std::vector<long> idx;
        for (double t : b)
            idx.push_back(static_cast<long>(std::ceil(t * rate)));
        std::sort(idx.begin(), idx.end());
        idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
        return idx;
    };
    const auto r = train(ref), e = train(est);
    std::vector<long> gaps;
    for (std::size_t i = 0; i + 1 < r.size(); ++i)
        gaps.push_back(r[i + 1] - r[i]);
    if (gaps.empty())
        return std::numeric_limits<double>::quiet_NaN(); // mir_eval fails here
    std::sort(gaps.begin(), gaps.end());
    const std::size_t g = gaps.size();
    const double median =
        g % 2 ? static_cast<double>(gaps[g / 2])
              : (static_cast<double>(gaps[g / 2 - 1]) + static_cast<double>(gaps[g / 2])) / 2.0;
    const long win = static_cast<long>(std::nearbyint(threshold * median));
    // The cross-correlation summed over lags -win..win counts the pairs within win.
    double sum = 0;
    std::size_t lo = 0;
    for (long t : r) {
        while (lo < e.size() && e[lo] < t - win)
            ++lo;
        for (std::size_t k = lo; k < e.size() && e[k] <= t + win; ++k)
            sum += 1;
    }
    return sum / static_cast<double>(std::max(est.size(), ref.size()));
}

struct Continuity {
    double cmlc = 0, cmlt = 0, amlc = 0, amlt = 0;
};

Continuity continuity(const Beats &ref0, const Beats &est, double phase_threshold = 0.175,
                      double period_threshold = 0.175) {
    if (est.size() <= 1 || ref0.size() <= 1)
        return {};
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> cont, total;
    for (const auto &ref : variations(ref0)) {
        const std::size_t nr = ref.size(), ne = est.size();
        // mir_eval sizes both arrays by the larger count: the scores divide by it.
        std::vector<char> used(std::max(nr, ne), 0);
        std::vector<int> success(std::max(nr, ne), 0);
        for (std::size_t m = 0; m < ne; ++m) {
            std::size_t nearest = 0;
            double dmin = inf;
            for (std::size_t k = 0; k < nr; ++k) {
                const double d = std::abs(est[m] - ref[k]);
                if (d < dmin) {
                    dmin = d;
                    nearest = k;
                }
            }
            if (used[nearest])
                continue;
            double phase, period;
            if (m == 0 || nearest == 0) {
                // ref[nearest - 1] with Python's index -1 when nearest is 0.
                const double ri = nearest + 1 < nr ? ref[nearest + 1] - ref[nearest]
                                                   : ref[nearest] - ref[(nearest + nr - 1) % nr];
                phase = ri == 0 ? (dmin == 0 ? 1 : inf) : std::abs(dmin / ri);
                const double ei = m + 1 < ne ? est[m + 1] - est[m] : est[m] - est[m - 1];
                period = ri == 0 ? (ei == 0 ? 0 : inf) : std::abs(1 - ei / ri);
            } else {
                const double ri = ref[nearest] - ref[nearest - 1];
                phase = std::abs(dmin / ri);
                const double ei = est[m] - est[m - 1];
                period = std::abs(1 - ei / ri);
            }
            if (phase < phase_threshold && period < period_threshold) {
                used[nearest] = 1;
                success[m] = 1;
            }
        }
        // The longest run of successes, and their count.
        std::size_t run = 0, best = 0, count = 0;
        for (int s : success) {
            run = s ? run + 1 : 0;
            best = std::max(best, run);
            count += static_cast<std::size_t>(s);
        }
        cont.push_back(static_cast<double>(best) / static_cast<double>(success.size()));
        total.push_back(static_cast<double>(count) / static_cast<double>(success.size()));
    }
    return {cont[0], total[0], *std::max_element(cont.begin(), cont.end()),
            *std::max_element(total.begin(), total.end())};
}

} // namespace

Scores beats(std::vector<double> reference, std::vector<double> estimate, double min_beat_time) {
    auto trim = [&](std::vector<double> &b) {
        std::erase_if(b, [&](double t) { return !(t >= min_beat_time); });
    };
    trim(reference);
    trim(estimate);
    const auto [cem, cem_best] = cemgil(reference, estimate);
    const auto c = continuity(reference, estimate);
    return {{"f_measure", f_measure_beats(reference, estimate)},
            {"cemgil", cem},
            {"cemgil_best", cem_best},
            {"goto", goto_score(reference, estimate)},
            {"p_score", p_score(reference, estimate)},
            {"cmlc", c.cmlc},
            {"cmlt", c.cmlt},
            {"amlc", c.amlc},
            {"amlt", c.amlt}};
}

} // namespace ts::eval
