// Melody extraction scores: mir_eval.melody (Poliner et al. 2007, "Melody transcription from
// music audio: approaches and evaluation"; Salamon et al. 2014, "Melody extraction from
// polyphonic music signals").
#include "eval/metrics.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>

namespace ts::eval {
namespace {

using Vec = std::vector<double>;

// numpy.allclose(a, b) for equal lengths: |a - b| <= 1e-8 + 1e-5 |b| everywhere.
bool allclose(const Vec &a, const Vec &b) {
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!(std::abs(a[i] - b[i]) <= 1e-8 + 1e-5 * std::abs(b[i])))
            return false;
    return true;
}

// scipy.interpolate.interp1d(x, y, 'linear')(t), t inside [x0, xn].
double linear_at(const Vec &x, const Vec &y, double t) {
    std::size_t i = static_cast<std::size_t>(std::lower_bound(x.begin(), x.end(), t) - x.begin());
    i = std::clamp<std::size_t>(i, 1, x.size() - 1);
    const double slope = (y[i] - y[i - 1]) / (x[i] - x[i - 1]);
    return slope * (t - x[i - 1]) + y[i - 1];
}

// interp1d(x, y, 'zero')(t): the value of the last x at or before t.
double zero_at(const Vec &x, const Vec &y, double t) {
    std::size_t i = static_cast<std::size_t>(std::upper_bound(x.begin(), x.end(), t) - x.begin());
    return y[i == 0 ? 0 : std::min(i - 1, x.size() - 1)];
}

void check_range(const Vec &x, double t) {
    if (t < x.front() || t > x.back())
        throw Error("melody: a time to resample at lies outside the contour's times");
}

// mir_eval.melody.resample_melody_series, kind 'linear'.
void resample(Vec times, Vec cents, Vec voicing, Vec new_times, Vec &cents_out, Vec &voicing_out) {
    if (times.size() == new_times.size() && allclose(times, new_times)) {
        cents_out = std::move(cents);
        voicing_out = std::move(voicing);
        return;
    }
    for (double &t : times)
        t = round_decimals(t, 10);
    for (double &t : new_times)
        t = round_decimals(t, 10);
    const double new_max = *std::max_element(new_times.begin(), new_times.end());
    if (new_max > *std::max_element(times.begin(), times.end())) {
        times.push_back(new_max);
        cents.push_back(0);
        voicing.push_back(0);
    }
    if (times.size() < 2)
        throw Error("melody: a contour needs two times to be resampled");
    for (std::size_t i = 1; i < times.size(); ++i)
        if (!(times[i] > times[i - 1]))
            throw Error("melody: the contour's times are not strictly increasing");
    Vec held = cents;
    for (std::size_t n = 1; n < cents.size(); ++n)
        if (cents[n] == 0)
            held[n] = held[n - 1];
    bool binary = true;
    for (double v : voicing)
        binary = binary && (v == 0 || v == 1);
    cents_out.resize(new_times.size());
    voicing_out.resize(new_times.size());
    for (std::size_t i = 0; i < new_times.size(); ++i) {
        const double t = new_times[i];
        check_range(times, t);
        double c = linear_at(times, held, t);
        c *= (zero_at(times, cents, t) != 0) ? 1.0 : 0.0;
        cents_out[i] = c;
        voicing_out[i] = binary ? zero_at(times, voicing, t) : linear_at(times, voicing, t);
    }
}

// mir_eval.melody.constant_hop_timebase.
Vec timebase(double hop, double end) {
    end = round_decimals(end, 10);
    const double n = std::floor(end / hop);
    const std::size_t count = static_cast<std::size_t>(n) + 1;
    Vec t(count);
    // numpy.linspace(0, stop, count): step = stop / (count - 1), i * step, the last exactly stop.
    const double stop = hop * n;
    if (count == 1)
        t[0] = 0;
    else {
        const double step = stop / static_cast<double>(count - 1);
        for (std::size_t i = 0; i < count; ++i)
            t[i] = static_cast<double>(i) * step;
        t[count - 1] = stop;
    }
    for (double &v : t)
        v = round_decimals(v, 10);
    return t;
}

void to_cents(Contour &c, Vec &cents, Vec &voicing) {
    if (c.time.empty())
        throw Error("melody: an empty contour");
    if (c.time[0] > 0) {
        c.time.insert(c.time.begin(), 0.0);
        c.frequency.insert(c.frequency.begin(), c.frequency[0]);
        if (!c.voicing.empty())
            c.voicing.insert(c.voicing.begin(), c.voicing[0]);
    }
    const std::size_t n = c.time.size();
    voicing = c.voicing;
    if (voicing.empty()) {
        voicing.resize(n);
        for (std::size_t i = 0; i < n; ++i)
            voicing[i] = c.frequency[i] > 0 ? 1.0 : 0.0;
    } else {
        for (std::size_t i = 0; i < n; ++i)
            if (c.frequency[i] == 0)
                voicing[i] = 0;
    }
    cents.assign(n, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        if (c.frequency[i] != 0)
            cents[i] = 1200.0 * std::log2(std::abs(c.frequency[i]) / 10.0);
}

} // namespace

Scores melody(Contour reference, Contour estimate, double hop, double cent_tolerance) {
    for (const Contour *c : {&reference, &estimate})
        if (c->frequency.size() != c->time.size() ||
            (!c->voicing.empty() && c->voicing.size() != c->time.size()))
            throw Error("melody: times, frequencies and voicing differ in length");
    Vec rc, rv, ec, ev;
    to_cents(reference, rc, rv);
    to_cents(estimate, ec, ev);
    const double r_end = *std::max_element(reference.time.begin(), reference.time.end());
    const double e_end = *std::max_element(estimate.time.begin(), estimate.time.end());
    if (hop > 0) {
        Vec a, b;
        resample(reference.time, rc, rv, timebase(hop, r_end), a, b);
        rc = std::move(a);
        rv = std::move(b);
        resample(estimate.time, ec, ev, timebase(hop, e_end), a, b);
        ec = std::move(a);
        ev = std::move(b);
    } else {
        Vec a, b;
        resample(estimate.time, ec, ev, reference.time, a, b);
        ec = std::move(a);
        ev = std::move(b);
    }
    ec.resize(rc.size(), 0.0);
    ev.resize(rv.size(), 0.0);
    const std::size_t n = rv.size();
    for (std::size_t i = 0; i < n; ++i)
        for (double v : {rv[i], ev[i]})
            if (v < 0 || v > 1)
                throw Error("melody: voicing must lie in 0..1");

    double ref_sum = 0, ref_pos = 0, ref_zero = 0, recall = 0, false_alarm = 0;
    for (std::size_t i = 0; i < n; ++i) {
        ref_sum += rv[i];
        if (rv[i] > 0) {
            ref_pos += 1;
            recall += ev[i];
        } else {
            ref_zero += 1;
            false_alarm += ev[i];
        }
    }
    const double vr = n == 0 ? 0.0 : (ref_pos == 0 ? 1.0 : recall / ref_pos);
    const double vfa = n == 0 ? 0.0 : (ref_zero == 0 ? 0.0 : false_alarm / ref_zero);

    double pitch_hits = 0, chroma_hits = 0, voiced_hits = 0, unvoiced_hits = 0;
    std::size_t both = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (rv[i] <= 0)
            unvoiced_hits += (1.0 - ev[i]);
        if (ec[i] == 0 || rc[i] == 0)
            continue;
        ++both;
        const double d = std::abs(rc[i] - ec[i]);
        const double octave = 1200.0 * std::floor(d / 1200 + 0.5);
        const bool pitch_ok = d < cent_tolerance;
        if (pitch_ok) {
            pitch_hits += rv[i];
            voiced_hits += rv[i] * ev[i];
        }
        if (std::abs(d - octave) < cent_tolerance)
            chroma_hits += rv[i];
    }
    double rpa = 0, rca = 0;
    if (n > 0 && ref_sum != 0 && both > 0) {
        rpa = pitch_hits / ref_sum;
        rca = chroma_hits / ref_sum;
    }
    double oa = 0;
    if (n > 0) {
        const double ratio = ref_sum == 0 ? 0.0 : ref_pos / ref_sum;
        oa = (ratio * voiced_hits + unvoiced_hits) / static_cast<double>(n);
    }
    return {{"voicing_recall", vr},
            {"voicing_false_alarm", vfa},
            {"raw_pitch_accuracy", rpa},
            {"raw_chroma_accuracy", rca},
            {"overall_accuracy", oa}};
}

} // namespace ts::eval
