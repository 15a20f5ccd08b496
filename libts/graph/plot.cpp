// Drawing lanes of ts-result data over a time range.
#include "graph/plot.hpp"

#include "graph/axes.hpp"
#include "graph/music.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>

namespace ts::graph {
namespace {

// Categorical colours for segment labels (Tableau 10).
Rgba category(std::size_t i) {
    static const unsigned c[] = {0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f,
                                 0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac};
    unsigned v = c[i % 10];
    return {((v >> 16) & 255) / 255.0, ((v >> 8) & 255) / 255.0, (v & 255) / 255.0, 1.0};
}

// A curve's extreme for the band: 4 significant digits, no exponent from 0.001 to 10^7.
std::string format_value(float v) {
    char b[64];
    const double d = v, m = std::fabs(d);
    if (m >= 1000 && m < 1e7)
        std::snprintf(b, sizeof b, "%.0f", d);
    else if (m >= 0.001 && m < 1000)
        std::snprintf(b, sizeof b, "%.4g", d);
    else
        std::snprintf(b, sizeof b, "%.3g", d);
    return b;
}

// The frames of a framewise lane drawn over [t0, t1]: those starting in it, or when none does
// (a frame longer than the span), the one covering t0.
struct Visible {
    std::int64_t first = 0, end = 0;
};
Visible visible_frames(const Lane &l, double t0, double t1) {
    const auto frames = static_cast<std::int64_t>(l.width ? l.values.size() / l.width : 0);
    auto clamp = [&](double f) {
        return static_cast<std::int64_t>(std::clamp(f, 0.0, static_cast<double>(frames)));
    };
    Visible v{clamp(std::ceil((t0 - l.t0) / l.dt - 1e-9)),
              clamp(std::floor((t1 - l.t0) / l.dt + 1e-9) + 1)};
    if (v.end <= v.first) {
        v.first = clamp(std::floor((t0 - l.t0) / l.dt));
        v.end = std::min(frames, v.first + 1);
    }
    return v;
}

// A curve through the frames (or, with more frames in view than pixels, the min/max envelope
// of each pixel column); to_y maps a value to a height from 0 (bottom) to 1, NaN: a gap.
// Steps between neighbouring frames of more than `jump` (in heights) are gaps too (pitch: a
// jump from one note to the next), a frame alone a dot, and a column's envelope splits there.
void draw_curve(cairo_t *cr, const Area &a, const Lane &l, double t0, double t1, Visible vis,
                const Rgba &ink, const std::function<double(double)> &to_y,
                double jump = std::numeric_limits<double>::infinity()) {
    const double span = t1 - t0;
    const int W = static_cast<int>(a.w);
    auto y_of = [&](double v) { return a.y + a.h - 2 - to_y(v) * (a.h - 4); };
    auto usable = [&](std::int64_t i) {
        const float v = l.values[static_cast<std::size_t>(i)];
        return std::isfinite(v) && std::isfinite(to_y(v));
    };
    const auto frames = static_cast<std::int64_t>(l.values.size());
    set_color(cr, ink);
    cairo_set_line_width(cr, 1.2);
    const bool jumps = std::isfinite(jump);
    if (jumps)
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND); // a frame alone is a dot
    if (vis.end - vis.first <= W) { // a polyline through the frames, one past each edge
        bool pen = false;
        double last = 0;
        for (std::int64_t i = std::max<std::int64_t>(vis.first - 1, 0);
             i < std::min(vis.end + 1, frames); ++i) {
            if (!usable(i)) {
                pen = false;
                continue;
            }
            const double x = a.x + (l.t0 + l.dt * static_cast<double>(i) - t0) / span * a.w;
            const float v = l.values[static_cast<std::size_t>(i)];
            const double u = to_y(v), y = y_of(v);
            if (pen && std::abs(u - last) <= jump) {
                cairo_line_to(cr, x, y);
            } else {
                cairo_move_to(cr, x, y);
                if (jumps)
                    cairo_line_to(cr, x, y);
            }
            pen = true, last = u;
        }
        cairo_stroke(cr);
        return;
    }
    auto first_frame = [&](int c) {
        return static_cast<std::int64_t>(std::ceil((t0 + span * c / W - l.t0) / l.dt - 1e-9));
    };
    std::vector<double> us;       // the heights of a column's frames
    for (int c = 0; c < W; ++c) { // min/max envelope per pixel column
        const std::int64_t f0 = std::max<std::int64_t>(first_frame(c), 0),
                           f1 = std::min(first_frame(c + 1), frames);
        us.clear();
        for (std::int64_t i = f0; i < f1; ++i)
            if (usable(i))
                us.push_back(to_y(l.values[static_cast<std::size_t>(i)]));
        std::sort(us.begin(), us.end());
        for (std::size_t k0 = 0, k = 1; k <= us.size(); ++k) {
            if (k < us.size() && us[k] - us[k - 1] <= jump)
                continue;
            const double y0 = a.y + a.h - 2 - us[k - 1] * (a.h - 4),
                         y1 = a.y + a.h - 2 - us[k0] * (a.h - 4);
            cairo_rectangle(cr, a.x + c, y0 - 0.6, 1, y1 - y0 + 1.2);
            k0 = k;
        }
    }
    cairo_fill(cr);
}

// A matrix as an image, the first value of each frame at the bottom; colours from lo to hi
// (per value index k).
void draw_matrix(cairo_t *cr, const Area &a, const Lane &l, double t0, double t1,
                 const std::vector<float> &lo, const std::vector<float> &hi,
                 const Palette &palette) {
    const double span = t1 - t0;
    const int W = static_cast<int>(a.w), H = std::max(1, static_cast<int>(a.h));
    const auto frames = static_cast<std::int64_t>(l.values.size() / l.width);
    auto first_frame = [&](int c) {
        return static_cast<std::int64_t>(std::ceil((t0 + span * c / W - l.t0) / l.dt - 1e-9));
    };
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, W, H);
    unsigned char *px = cairo_image_surface_get_data(img);
    const int stride = cairo_image_surface_get_stride(img);
    std::fill(px, px + static_cast<std::size_t>(stride) * static_cast<std::size_t>(H), 0);
    for (int c = 0; c < W; ++c) {
        std::int64_t f0 = first_frame(c), f1 = first_frame(c + 1);
        if (f1 <= f0) // fewer frames than pixels: the frame covering the column
            f0 = static_cast<std::int64_t>(std::floor((t0 + span * (c + 0.5) / W - l.t0) / l.dt)),
            f1 = f0 + 1;
        f0 = std::max<std::int64_t>(f0, 0);
        f1 = std::min(f1, frames);
        for (int r = 0; r < H && f1 > f0; ++r) {
            auto k = static_cast<std::size_t>((H - 1 - r) * static_cast<double>(l.width) / H);
            float m = -std::numeric_limits<float>::infinity();
            for (std::int64_t i = f0; i < f1; ++i)
                m = std::max(m, l.values[static_cast<std::size_t>(i) * l.width + k]);
            if (!std::isfinite(m))
                continue;
            unsigned char rgb[3];
            palette.at((m - lo[k]) / (hi[k] - lo[k]), rgb);
            unsigned char *q = px + r * stride + c * 4;
            q[0] = rgb[2], q[1] = rgb[1], q[2] = rgb[0], q[3] = 255;
        }
    }
    cairo_surface_mark_dirty(img);
    cairo_set_source_surface(cr, img, a.x, a.y);
    cairo_paint(cr);
    cairo_surface_destroy(img);
}

// Segments coloured by label, with a legend (of the segments in view) along the lane's top.
void draw_segments(cairo_t *cr, const Area &lane, const Area &a, const Lane &l, double t0,
                   double t1, const Rgba &ink) {
    auto x_of = [&](double t) { return a.x + (t - t0) / (t1 - t0) * a.w; };
    std::map<std::string, std::size_t> colours; // label -> category, in order of appearance
    for (const Lane::Mark &m : l.marks) {
        if (m.time > t1 || m.time + m.duration < t0)
            continue;
        auto it = colours.emplace(m.label, colours.size()).first;
        Rgba c = category(it->second);
        c.a = 0.75;
        set_color(cr, c);
        double x0 = x_of(m.time), x1 = x_of(m.time + m.duration);
        cairo_rectangle(cr, x0, a.y, x1 - x0, a.h);
        cairo_fill(cr);
    }
    std::vector<std::pair<std::size_t, std::string>> order;
    for (const auto &[label, i] : colours)
        order.emplace_back(i, label);
    std::sort(order.begin(), order.end());
    double x = a.x + a.w - 8;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
        double w = 14 + 6.5 * static_cast<double>(it->second.size());
        x -= w + 8;
        set_color(cr, category(it->first));
        cairo_rectangle(cr, x, lane.y + 3, 9, 9);
        cairo_fill(cr);
        draw_label(cr, x + 12, lane.y + 2, it->second, ink, 9);
    }
}

} // namespace

void draw_lane(cairo_t *cr, const Area &lane, const Lane &l, double t0, double t1, const Rgba &ink,
               const Palette &palette, bool per_row, bool axes) {
    // The lane's name, a curve's range and a segment legend go in a band along its top, so
    // they never sit on the data (where matrices made them unreadable); the data go below.
    const double band = lane.h >= 40 ? 14 : 0;
    const Area a{lane.x, lane.y + band, lane.w, lane.h - band};
    cairo_save(cr);
    cairo_rectangle(cr, lane.x, lane.y, lane.w, lane.h);
    cairo_clip(cr);
    std::string range;       // the values in view, written in the band
    std::vector<Tick> ticks; // pitch and notes: labels left of the lane
    if (l.kind == Lane::curve || l.kind == Lane::matrix || l.kind == Lane::pitch) {
        // colour and height ranges are those of the frames in view
        const Visible vis = visible_frames(l, t0, t1);
        const std::size_t from = static_cast<std::size_t>(vis.first) * l.width,
                          to = static_cast<std::size_t>(vis.end) * l.width;
        float lo = std::numeric_limits<float>::infinity(), hi = -lo;
        for (std::size_t i = from; i < to; ++i)
            if (std::isfinite(l.values[i]))
                lo = std::min(lo, l.values[i]), hi = std::max(hi, l.values[i]);
        if (!(hi > lo) && l.kind != Lane::pitch) // (pitch_range widens a constant pitch)
            hi = lo + 1;
        if (std::isfinite(lo))
            range = "from " + format_value(lo) + " to " + format_value(hi);
        if (l.kind == Lane::pitch) { // on a log axis, unvoiced frames (NaN) as gaps
            if (std::isfinite(lo)) {
                const PitchRange pr = pitch_range(lo, hi);
                ticks = pitch_ticks(a, pr);
                if (axes)
                    draw_grid(cr, a, ticks);
                // a step of more than a semitone from one frame to the next is a new note
                draw_curve(
                    cr, a, l, t0, t1, vis, ink, [&](double v) { return pr.unit(v); },
                    pr.unit(pr.lo * std::exp2(1 / 12.0)));
            }
        } else if (l.kind == Lane::curve) {
            draw_curve(cr, a, l, t0, t1, vis, ink, [&](double v) { return (v - lo) / (hi - lo); });
        } else {
            // the colour range: the whole matrix's, or each matrix column's (per_row)
            std::vector<float> row_lo(l.width, lo), row_hi(l.width, hi);
            if (per_row) {
                std::fill(row_lo.begin(), row_lo.end(), std::numeric_limits<float>::infinity());
                std::fill(row_hi.begin(), row_hi.end(), -std::numeric_limits<float>::infinity());
                for (std::size_t i = from; i < to; ++i)
                    if (std::isfinite(l.values[i])) {
                        std::size_t k = i % l.width;
                        row_lo[k] = std::min(row_lo[k], l.values[i]);
                        row_hi[k] = std::max(row_hi[k], l.values[i]);
                    }
                for (std::size_t k = 0; k < l.width; ++k)
                    if (!(row_hi[k] > row_lo[k]))
                        row_hi[k] = row_lo[k] + 1;
            }
            draw_matrix(cr, a, l, t0, t1, row_lo, row_hi, palette);
        }
    } else if (l.kind == Lane::events) {
        set_color(cr, {0.85, 0.2, 0.15, 1});
        cairo_set_line_width(cr, 1.5);
        for (const Lane::Mark &m : l.marks) {
            double x = std::round(a.x + (m.time - t0) / (t1 - t0) * a.w) + 0.5;
            cairo_move_to(cr, x, a.y);
            cairo_line_to(cr, x, a.y + a.h);
        }
        cairo_stroke(cr);
    } else if (l.kind == Lane::notes) {
        ticks = draw_piano_roll(cr, a, l, t0, t1, range);
    } else {
        draw_segments(cr, lane, a, l, t0, t1, ink);
    }
    cairo_restore(cr);
    if (axes && !ticks.empty())
        draw_ticks(cr, lane.x, ticks, ink, false, l.kind == Lane::notes ? 12 : 13,
                   l.kind == Lane::notes ? 9 : 10);
    draw_label(cr, lane.x + 3, lane.y + 2, l.unit.empty() ? l.id : l.id + " (" + l.unit + ")", ink,
               10);
    if (!range.empty() && l.kind != Lane::matrix)
        draw_label(cr, lane.x + lane.w - 3, lane.y + 2, range, ink, 9, 1.0);
    set_color(cr, {0.5, 0.5, 0.5, 1});
    cairo_set_line_width(cr, 1);
    cairo_move_to(cr, lane.x, std::round(lane.y + lane.h) - 0.5);
    cairo_line_to(cr, lane.x + lane.w, std::round(lane.y + lane.h) - 0.5);
    cairo_stroke(cr);
}

} // namespace ts::graph
