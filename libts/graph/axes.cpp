// Value axes: ticks, amplitude scales, colour bars, channel and note names.
#include "graph/axes.hpp"

#include "pcm/layout.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <numeric>
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

std::vector<Tick> place_ticks(std::vector<Tick> ticks, double spacing) {
    std::stable_sort(ticks.begin(), ticks.end(), [](const Tick &a, const Tick &b) {
        return a.priority != b.priority ? a.priority < b.priority : a.y < b.y;
    });
    std::vector<Tick> placed;
    for (const Tick &t : ticks)
        if (std::all_of(placed.begin(), placed.end(),
                        [&](const Tick &p) { return std::abs(p.y - t.y) >= spacing; }))
            placed.push_back(t);
    std::sort(placed.begin(), placed.end(), [](const Tick &a, const Tick &b) { return a.y < b.y; });
    return placed;
}

std::vector<Tick> draw_ticks(cairo_t *cr, double x, std::vector<Tick> ticks, const Rgba &ink,
                             bool right, double spacing, double size) {
    const std::vector<Tick> placed = place_ticks(std::move(ticks), spacing);
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
            return nice(px / half / zoom, {1, 2, 5});
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

void draw_colour_bar(cairo_t *cr, const Area &a, const Palette &palette, double floor, double range,
                     double title_end, const Rgba &ink) {
    const double bx = a.x + a.w + 8, bw = 10;
    const int H = std::max(1, static_cast<int>(std::lround(a.h)));
    // one pixel per row, the colour of the spectrogram's 256 levels (see draw_spectrogram)
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, H);
    unsigned char *px = cairo_image_surface_get_data(img);
    const int stride = cairo_image_surface_get_stride(img);
    for (int r = 0; r < H; ++r) {
        unsigned char rgb[3];
        palette.at(std::round((1 - (r + 0.5) / H) * 255) / 255, rgb);
        unsigned char *q = px + r * stride;
        q[0] = rgb[2], q[1] = rgb[1], q[2] = rgb[0], q[3] = 255;
    }
    cairo_surface_mark_dirty(img);
    cairo_save(cr);
    cairo_rectangle(cr, bx, a.y, bw, a.h);
    cairo_clip(cr);
    cairo_translate(cr, bx, a.y);
    cairo_scale(cr, bw, a.h / H);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(img);

    auto y_of = [&](double db) { return a.y + a.h - (db - floor) / range * a.h; };
    const double step = nice(range * 24 / a.h, {1, 2, 5});
    std::vector<Tick> ticks{{y_of(floor), format_number(floor), 0},
                            {y_of(floor + range), format_number(floor + range), 0}};
    for (double k = std::ceil(floor / step - 1e-9); k * step <= floor + range + 1e-9; ++k)
        ticks.push_back({y_of(k * step), format_number(k * step), 1});
    draw_ticks(cr, bx + bw, std::move(ticks), ink, true);
    draw_text(cr, bx, a.y - 6, "dB", ink, 10, 0.0, 0.0);
    if (!palette.name().empty()) {
        const std::string name = palette.name() + " palette";
        if (a.x + a.w - text_width(cr, name, 10) > title_end + 16)
            draw_text(cr, a.x + a.w, a.y - 6, name, ink, 10, 1.0, 0.0);
    }
}

std::vector<std::string> channel_names(int channels, const std::string &layout) {
    std::vector<std::string> ids;
    if (const auto speakers = pcm::parse_layout(layout))
        for (int sp : *speakers)
            ids.push_back(pcm::speaker_name(sp));
    std::vector<std::string> names;
    if (channels == 1)
        return {"mono"};
    if (static_cast<int>(ids.size()) != channels) {
        if (channels == 2)
            return {"L", "R"};
        for (int c = 1; c <= channels; ++c)
            names.push_back(std::to_string(c));
        return names;
    }
    // back channels are the surrounds unless side channels are there too
    const bool sides = std::find(ids.begin(), ids.end(), "SL") != ids.end();
    static const std::pair<const char *, const char *> short_names[] = {
        {"FL", "L"},   {"FR", "R"},  {"FC", "C"},  {"LFE", "LFE"}, {"FLC", "Lc"},
        {"FRC", "Rc"}, {"BC", "Cs"}, {"SL", "Ls"}, {"SR", "Rs"},   {"WL", "Lw"},
        {"WR", "Rw"},  {"DL", "Lt"}, {"DR", "Rt"}};
    for (const std::string &id : ids) {
        std::string n = id;
        if (id == "BL" || id == "BR")
            n = std::string(id == "BL" ? "L" : "R") + (sides ? "b" : "s");
        for (const auto &[ff, ours] : short_names)
            if (id == ff)
                n = ours;
        names.push_back(n);
    }
    return names;
}

void draw_channel_names(cairo_t *cr, const Area &a, const std::vector<std::string> &names,
                        const Rgba &ink, const Rgba &background) {
    const double lane_h = a.h / static_cast<double>(names.size());
    Rgba box = background.a > 0.5 ? background : Rgba{1, 1, 1, 1};
    box.a = 0.8;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const double top = a.y + lane_h * static_cast<double>(i);
        if (i > 0) { // a light line between lanes
            set_color(cr, {0.5, 0.5, 0.5, 0.5});
            cairo_set_line_width(cr, 1);
            cairo_move_to(cr, a.x, std::round(top) + 0.5);
            cairo_line_to(cr, a.x + a.w, std::round(top) + 0.5);
            cairo_stroke(cr);
        }
        const double w = text_width(cr, names[i], 10);
        set_color(cr, box);
        cairo_rectangle(cr, a.x + 3, top + 3, w + 6, 13);
        cairo_fill(cr);
        draw_text(cr, a.x + 6, top + 5, names[i], ink, 10, 0.0, 1.0);
    }
}

std::string note_name(int midi) {
    static const char *const names[] = {"C",  "C#", "D",  "D#", "E",  "F",
                                        "F#", "G",  "G#", "A",  "A#", "B"};
    const int octave = (midi >= 0 ? midi / 12 : (midi - 11) / 12) - 1;
    return names[((midi % 12) + 12) % 12] + std::to_string(octave);
}

} // namespace ts::graph
