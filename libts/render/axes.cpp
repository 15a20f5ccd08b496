// Value axes: ticks and amplitude scales.
#include "render/axes.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace ts::graph {
namespace {

std::string format_number(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.4g", std::abs(v) < 1e-9 ? 0.0 : v);
    return b;
}

// The smallest of `steps` x 10^k (steps within [1, 10)) at least raw.
double nice(double raw, std::initializer_list<double> steps) {
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : steps)
        if (m * p >= raw * 0.999)
            return m * p;
    return 10 * p;
}

} // namespace

std::vector<Tick> draw_ticks(cairo_t *cr, double x, std::vector<Tick> ticks, const Rgba &ink,
                             bool right, double spacing, double size) {
    std::stable_sort(ticks.begin(), ticks.end(), [](const Tick &a, const Tick &b) {
        return a.priority != b.priority ? a.priority < b.priority : a.y < b.y;
    });
    std::vector<Tick> placed;
    for (const Tick &t : ticks)
        if (std::all_of(placed.begin(), placed.end(),
                        [&](const Tick &p) { return std::abs(p.y - t.y) >= spacing; }))
            placed.push_back(t);
    std::sort(placed.begin(), placed.end(), [](const Tick &a, const Tick &b) { return a.y < b.y; });
    const double dir = right ? 1 : -1;
    cairo_save(cr);
    set_color(cr, ink);
    cairo_set_line_width(cr, 1);
    for (const Tick &t : placed) {
        const double y = std::round(t.y - 0.5) + 0.5;
        cairo_move_to(cr, x, y);
        cairo_line_to(cr, x + 4 * dir, y);
        cairo_stroke(cr);
        draw_text(cr, x + 6 * dir, y, t.label, ink, size, right ? 0.0 : 1.0, 0.5);
    }
    cairo_restore(cr);
    return placed;
}

void draw_amplitude_axis(cairo_t *cr, const Area &a, int lanes, AmpScale scale, double db_range,
                         double zoom, const Rgba &ink) {
    const double lane_h = a.h / lanes, half = lane_h / 2;
    // labels 18 px apart or more, or 12 when that leaves only the centre and the edges
    auto step_for = [&](double px) {
        if (scale != AmpScale::db)
            return nice(px / half / zoom, {1, 2, 2.5, 5});
        for (double s : {1.0, 2.0, 3.0, 6.0, 12.0, 24.0, 48.0, 96.0})
            if (s / db_range * half >= px)
                return s;
        return db_range;
    };
    const double full = scale == AmpScale::db ? db_range : 1 / zoom;
    double step = step_for(18);
    if (step >= full * 0.999)
        step = step_for(12);
    std::vector<Tick> ticks;
    for (int l = 0; l < lanes; ++l) {
        const double mid = a.y + l * lane_h + half;
        // h: height from the centre line in half heights; lanes meeting leave their edges out
        auto add = [&](double h, double value, int priority) {
            if ((h > 0.999 && l > 0) || (h < -0.999 && l < lanes - 1))
                return;
            ticks.push_back({mid - h * half, format_number(value), priority});
        };
        if (scale == AmpScale::db) {
            add(0, -db_range, 0);
            for (double level = 0; level > -db_range + 1e-9; level -= step) {
                const double h = 1 + level / db_range;
                add(h, level, level == 0 ? 1 : 2);
                add(-h, level, level == 0 ? 1 : 2);
            }
        } else {
            add(0, 0, 0);
            for (int k = 1; k * step * zoom <= 1.001; ++k) { // zoom: the peak is about 1/zoom
                const double v = k * step, h = v * zoom;
                add(h, v, h > 0.999 ? 1 : 2);
                add(-h, -v, h > 0.999 ? 1 : 2);
            }
        }
    }
    draw_ticks(cr, a.x, std::move(ticks), ink);
    if (scale == AmpScale::db)
        draw_text(cr, a.x - 6, a.y - 6, "dBFS", ink, 10, 1.0, 0.0);
}

} // namespace ts::graph
