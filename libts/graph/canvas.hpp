// A Cairo drawing surface that ends up as PNG, SVG or PDF bytes in an io::Output, and the
// axes (time, frequency, title) around a plot area.
#pragma once

#include "graph/color.hpp"

#include <cairo.h>

#include <exception>
#include <functional>
#include <string>
#include <string_view>

namespace ts::io {
class Output;
}

namespace ts::graph {

enum class Format { png, svg, pdf };

// -f NAME, or else the -o file's extension (.png, .svg, .pdf); stdout without -f is PNG.
// Throws a usage error for an unknown name or extension.
Format choose_format(const std::string &format, const std::string &output);

// The plot area, in pixels from the top left of the image.
struct Area {
    double x = 0, y = 0, w = 0, h = 0;
};

class Canvas {
  public:
    // A width x height image; SVG and PDF stream into `out` as they are drawn.
    Canvas(Format format, int width, int height, io::Output &out);
    ~Canvas();
    Canvas(const Canvas &) = delete;
    Canvas &operator=(const Canvas &) = delete;
    cairo_t *cr() { return cr_; }
    int width() const { return width_; }
    int height() const { return height_; }
    void fill(const Rgba &c);
    // Finishes the drawing and writes it out (PNG is encoded here). Errors throw.
    void finish();

  private:
    void check(const char *what);
    Format format_;
    int width_, height_;
    io::Output &out_;
    cairo_surface_t *surface_ = nullptr;
    cairo_t *cr_ = nullptr;
    std::exception_ptr error_;
    static cairo_status_t write(void *closure, const unsigned char *data, unsigned int length);
};

void set_color(cairo_t *cr, const Rgba &c);

// The plot area of a width x height image: all of it without axes; with axes, margins for
// the labels on the left and below, the title above, and `right` pixels on the right (more
// than the default 10 for a spectrogram's colour bar).
Area plot_area(int width, int height, bool axes, double right = 10);

// Time labels below the area for [t0, t1] seconds, with ticks every 1, 2 or 5 units.
void draw_time_axis(cairo_t *cr, const Area &a, double t0, double t1, const Rgba &ink);
// Frequency labels left of the area; to_y maps Hz to a 0..1 height (bottom to top), and
// ticks are chosen among 1-2-5 steps (linear) or 1-2-5 per decade (log, mel).
void draw_frequency_axis(cairo_t *cr, const Area &a, double fmin, double fmax, bool linear,
                         const std::function<double(double)> &to_y, const Rgba &ink);
// A label whose top is at y, starting at x (align 0) or ending there (align 1).
void draw_label(cairo_t *cr, double x, double y, std::string_view text, const Rgba &ink,
                double size = 11, double align = 0.0);
void draw_title(cairo_t *cr, const Area &a, std::string_view title, const Rgba &ink);
// Text placed by its anchor: ax 0 starts at x, 1 ends there; ay 0 has its baseline at y, 1
// its top (the height of a digit), 0.5 is centred on y.
void draw_text(cairo_t *cr, double x, double y, std::string_view text, const Rgba &ink, double size,
               double ax, double ay);
// The advance of a text in the labels' font.
double text_width(cairo_t *cr, std::string_view text, double size);

// Frees Cairo's and fontconfig's caches; call once at exit, after every Canvas is gone, so
// leak checkers (AddressSanitizer) see only our own memory.
void release_static_data();

// "1:05", "12.5 s": a time for a label, given the tick step.
std::string format_time(double seconds, double step);
// A frequency label: "440", "1.5k".
std::string format_hz(double f);

} // namespace ts::graph
