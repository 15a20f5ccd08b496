// Pitch lanes on a log-frequency axis and notes as a piano roll.
#include "graph/music.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

namespace ts::graph {

namespace {
constexpr double semitone = 1.0594630943592953; // 2^(1/12)

} // namespace

double PitchRange::unit(double hz) const {
    return hz > 0 ? std::log(hz / lo) / std::log(hi / lo)
                  : std::numeric_limits<double>::quiet_NaN();
}

PitchRange pitch_range(double lo, double hi) {
    PitchRange r{lo / (semitone * semitone), hi * semitone * semitone};
    if (r.hi < 2 * r.lo) {
        const double mid = std::sqrt(r.lo * r.hi);
        r = {mid / std::sqrt(2.0), mid * std::sqrt(2.0)};
    }
    return r;
}

std::vector<Tick> pitch_ticks(const Area &a, const PitchRange &r) {
    std::vector<Tick> ticks;
    const int priority[] = {0, 0, 0, 1, 1, 1, 1, 2, 2, 2};
    const double mantissa[] = {1, 2, 5, 3, 1.5, 4, 7, 2.5, 6, 8};
    for (double p = std::pow(10.0, std::floor(std::log10(r.lo))); p <= r.hi; p *= 10)
        for (int i = 0; i < 10; ++i) {
            const double f = mantissa[i] * p, u = r.unit(f);
            if (u >= 0 && u <= 1)
                ticks.push_back({a.y + a.h - 2 - u * (a.h - 4), format_hz(f), priority[i]});
        }
    return place_ticks(std::move(ticks), 13);
}

void draw_grid(cairo_t *cr, const Area &a, const std::vector<Tick> &ticks) {
    cairo_save(cr);
    set_color(cr, {0.5, 0.5, 0.5, 0.3});
    cairo_set_line_width(cr, 1);
    for (const Tick &t : ticks) {
        const double y = std::round(t.y - 0.5) + 0.5;
        cairo_move_to(cr, a.x, y);
        cairo_line_to(cr, a.x + a.w, y);
    }
    cairo_stroke(cr);
    cairo_restore(cr);
}

namespace {
bool in_view(const Lane::Mark &m, double t0, double t1) {
    return std::isfinite(m.number) && m.time < t1 && m.time + m.duration > t0;
}
bool sharp(int midi) {
    const int k = ((midi % 12) + 12) % 12;
    return k == 1 || k == 3 || k == 6 || k == 8 || k == 10;
}
} // namespace

RollRange roll_range(const Lane &l, double t0, double t1) {
    int lo = std::numeric_limits<int>::max(), hi = std::numeric_limits<int>::min();
    for (const Lane::Mark &k : l.marks)
        if (in_view(k, t0, t1)) {
            const int m = static_cast<int>(std::lround(k.number));
            lo = std::min(lo, m), hi = std::max(hi, m);
        }
    if (lo > hi)
        return {};
    RollRange r{lo - 1, hi + 1};
    while (r.hi - r.lo + 1 < 13)
        (r.hi - r.lo) % 2 == 0 ? ++r.hi : --r.lo;
    return r;
}

std::vector<Tick> draw_piano_roll(cairo_t *cr, const Area &a, const Lane &l, double t0, double t1,
                                  std::string &range) {
    const RollRange r = roll_range(l, t0, t1);
    const double rh = a.h / (r.hi - r.lo + 1);
    auto top = [&](int m) { return a.y + (r.hi - m) * rh; };
    // the keyboard: sharps' rows shaded, a line under each C
    for (int m = r.lo; m <= r.hi; ++m) {
        if (sharp(m)) {
            set_color(cr, {0, 0, 0, 0.06});
            cairo_rectangle(cr, a.x, top(m), a.w, rh);
            cairo_fill(cr);
        }
        if (((m % 12) + 12) % 12 == 0) {
            set_color(cr, {0, 0, 0, 0.25});
            cairo_set_line_width(cr, 1);
            cairo_move_to(cr, a.x, std::round(top(m) + rh) - 0.5);
            cairo_line_to(cr, a.x + a.w, std::round(top(m) + rh) - 0.5);
            cairo_stroke(cr);
        }
    }
    std::set<int> played;
    set_color(cr, {0.16, 0.44, 0.70, 1});
    for (const Lane::Mark &k : l.marks) {
        if (!in_view(k, t0, t1))
            continue;
        const int m = static_cast<int>(std::lround(k.number));
        played.insert(m);
        const double x0 = a.x + (k.time - t0) / (t1 - t0) * a.w,
                     x1 = a.x + (k.time + k.duration - t0) / (t1 - t0) * a.w;
        cairo_rectangle(cr, x0, top(m) + 0.5, std::max(1.0, x1 - x0 - 1), std::max(1.0, rh - 1));
    }
    cairo_fill(cr);
    if (!played.empty())
        range = "from " + note_name(*played.begin()) + " to " + note_name(*played.rbegin());
    std::vector<Tick> ticks;
    for (int m = r.lo; m <= r.hi; ++m) {
        // sharps only when played, or when every row has room for its name
        if (sharp(m) && !played.count(m) && rh < 12)
            continue;
        const int priority = played.count(m) ? 0 : ((m % 12) + 12) % 12 == 0 ? 1 : 2;
        ticks.push_back({top(m) + rh / 2, note_name(m), priority});
    }
    return place_ticks(std::move(ticks), 12);
}

} // namespace ts::graph
