// Pitch lanes on a log-frequency axis.
#include "render/music.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace ts::graph {

namespace {
constexpr double semitone = 1.0594630943592953; // 2^(1/12)

std::string format_hz(double f) {
    char b[32];
    if (f >= 1000)
        std::snprintf(b, sizeof b, "%gk", f / 1000);
    else
        std::snprintf(b, sizeof b, "%g", f);
    return b;
}
} // namespace

double PitchRange::unit(double hz) const {
    return hz > 0 ? std::log(hz / lo) / std::log(hi / lo) : std::numeric_limits<double>::quiet_NaN();
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

} // namespace ts::graph
