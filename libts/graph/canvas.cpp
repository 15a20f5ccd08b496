// Cairo surfaces written to an io::Output, and axes.
#include "graph/canvas.hpp"

#include "core/error.hpp"
#include "io/output.hpp"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <fontconfig/fontconfig.h>
#include <png.h>

#include <cmath>
#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace ts::graph {

namespace {

// PNG is written with libpng rather than cairo_surface_write_to_png_stream, which leaves
// zlib at its default level (6), a large share of a big spectrogram's time. Level 3 is much
// faster for files of about the same size (bench/RESULTS.md).
constexpr int png_level = 3;

struct PngSink {
    cairo_write_func_t write;
    void *closure;
};

void png_write_data(png_structp png, png_bytep data, size_t n) {
    auto *sink = static_cast<PngSink *>(png_get_io_ptr(png));
    if (sink->write(sink->closure, data, static_cast<unsigned int>(n)) != CAIRO_STATUS_SUCCESS)
        png_error(png, "write error");
}
void png_flush_data(png_structp) {}
void png_quiet(png_structp, png_const_charp) {} // errors are reported by the caller

// Writes the ARGB32 image surface as an 8-bit RGB PNG, or RGBA (un-premultiplied) when any
// pixel is not opaque. False on an error (libpng's, or a failed write).
bool write_png(cairo_surface_t *surface, cairo_write_func_t write, void *closure) {
    const int w = cairo_image_surface_get_width(surface),
              h = cairo_image_surface_get_height(surface);
    const int stride = cairo_image_surface_get_stride(surface);
    const unsigned char *data = cairo_image_surface_get_data(surface);
    bool alpha = false;
    for (int y = 0; y < h && !alpha; ++y) {
        const auto *p = reinterpret_cast<const std::uint32_t *>(data + y * stride);
        for (int x = 0; x < w; ++x)
            if ((p[x] >> 24) != 255) {
                alpha = true;
                break;
            }
    }
    const int channels = alpha ? 4 : 3;
    std::vector<unsigned char> row(static_cast<std::size_t>(w) * channels);
    PngSink sink{write, closure};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, png_quiet, png_quiet);
    if (!png)
        return false;
    png_infop info = png_create_info_struct(png);
    if (!info || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return false;
    }
    png_set_write_fn(png, &sink, png_write_data, png_flush_data);
    png_set_compression_level(png, png_level);
    png_set_IHDR(png, info, static_cast<png_uint_32>(w), static_cast<png_uint_32>(h), 8,
                 alpha ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < h; ++y) {
        const auto *p = reinterpret_cast<const std::uint32_t *>(data + y * stride);
        unsigned char *q = row.data();
        for (int x = 0; x < w; ++x, q += channels) {
            const std::uint32_t v = p[x], a = v >> 24;
            std::uint32_t r = (v >> 16) & 255, g = (v >> 8) & 255, b = v & 255;
            if (alpha && a != 255 && a != 0) // Cairo stores premultiplied colours
                r = (r * 255 + a / 2) / a, g = (g * 255 + a / 2) / a, b = (b * 255 + a / 2) / a;
            q[0] = static_cast<unsigned char>(r), q[1] = static_cast<unsigned char>(g),
            q[2] = static_cast<unsigned char>(b);
            if (alpha)
                q[3] = static_cast<unsigned char>(a);
        }
        png_write_row(png, row.data());
    }
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return true;
}

} // namespace

Format choose_format(const std::string &format, const std::string &output) {
    std::string name = format;
    if (name.empty()) {
        if (output.empty() || output == "-")
            return Format::png;
        auto dot = output.rfind('.');
        auto slash = output.rfind('/');
        if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
            throw UsageError("-o " + output +
                             ": no extension to choose the format by; add "
                             ".png, .svg or .pdf, or give -f");
        name = output.substr(dot + 1);
        for (auto &c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (name == "png")
        return Format::png;
    if (name == "svg")
        return Format::svg;
    if (name == "pdf")
        return Format::pdf;
    throw UsageError((format.empty() ? "-o " + output + ": unknown image format '" + name + "'"
                                     : "-f: unknown format '" + name + "'") +
                     "; choose png, svg or pdf");
}

cairo_status_t Canvas::write(void *closure, const unsigned char *data, unsigned int length) {
    auto *self = static_cast<Canvas *>(closure);
    if (self->error_)
        return CAIRO_STATUS_WRITE_ERROR;
    try {
        self->out_.write(data, length);
    } catch (...) {
        self->error_ = std::current_exception();
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

Canvas::Canvas(Format format, int width, int height, io::Output &out)
    : format_(format), width_(width), height_(height), out_(out) {
    switch (format) {
    case Format::png:
        surface_ = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
        break;
    case Format::svg:
        surface_ = cairo_svg_surface_create_for_stream(write, this, width, height);
        // pixels, not points, so that viewers show the size asked for
        cairo_svg_surface_set_document_unit(surface_, CAIRO_SVG_UNIT_PX);
        break;
    case Format::pdf:
        surface_ = cairo_pdf_surface_create_for_stream(write, this, width, height);
        cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_CREATOR, "ts-graph (timeside)");
        break;
    }
    if (cairo_surface_status(surface_) != CAIRO_STATUS_SUCCESS)
        throw Error(std::string("cannot make a ") + std::to_string(width) + "x" +
                    std::to_string(height) +
                    " image: " + cairo_status_to_string(cairo_surface_status(surface_)));
    cr_ = cairo_create(surface_);
}

Canvas::~Canvas() {
    if (cr_)
        cairo_destroy(cr_);
    if (surface_)
        cairo_surface_destroy(surface_);
}

void Canvas::check(const char *what) {
    if (error_)
        std::rethrow_exception(error_);
    cairo_status_t s = cairo_status(cr_);
    if (s == CAIRO_STATUS_SUCCESS)
        s = cairo_surface_status(surface_);
    if (s != CAIRO_STATUS_SUCCESS)
        throw Error(std::string(what) + ": " + cairo_status_to_string(s));
}

void Canvas::fill(const Rgba &c) {
    cairo_save(cr_);
    cairo_set_operator(cr_, CAIRO_OPERATOR_SOURCE);
    set_color(cr_, c);
    cairo_paint(cr_);
    cairo_restore(cr_);
}

void Canvas::finish() {
    check("drawing");
    cairo_surface_flush(surface_);
    if (format_ == Format::png) {
        const bool ok = write_png(surface_, write, this);
        if (error_)
            std::rethrow_exception(error_);
        if (!ok)
            throw Error("writing the PNG: libpng failed");
    } else {
        cairo_surface_finish(surface_);
        check("writing the image");
    }
}

void release_static_data() {
    cairo_debug_reset_static_data();
    FcFini();
}

void set_color(cairo_t *cr, const Rgba &c) {
    cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a);
}

Area plot_area(int width, int height, bool axes, double right) {
    if (!axes)
        return {0, 0, static_cast<double>(width), static_cast<double>(height)};
    const double left = 52, top = 22, bottom = 22;
    return {left, top, std::max(1.0, width - left - right), std::max(1.0, height - top - bottom)};
}

namespace {

// The smallest of 1, 2, 5 x 10^k (or the minute steps for times) at least `raw`.
double nice_step(double raw, bool time) {
    if (time && raw > 30) {
        for (double s : {60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0})
            if (s >= raw)
                return s;
        return std::ceil(raw / 3600) * 3600;
    }
    double p = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * p >= raw * 0.999)
            return m * p;
    return 10 * p;
}

void text_at(cairo_t *cr, double x, double y, std::string_view text, double ax, double ay,
             double size) {
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    std::string s(text);
    // Placed by the height of a digit rather than the text's own, so labels side by side
    // share a baseline whatever their letters (descenders, parentheses).
    cairo_text_extents_t e, digit;
    cairo_text_extents(cr, s.c_str(), &e);
    cairo_text_extents(cr, "0", &digit);
    cairo_move_to(cr, x - e.x_advance * ax, y + digit.height * ay);
    cairo_show_text(cr, s.c_str());
}

} // namespace

std::string format_time(double t, double step) {
    char b[48];
    if (step >= 60 || t >= 60) {
        long s = std::lround(t);
        if (s >= 3600)
            std::snprintf(b, sizeof b, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
        else if (step >= 1)
            std::snprintf(b, sizeof b, "%ld:%02ld", s / 60, s % 60);
        else
            std::snprintf(b, sizeof b, "%ld:%04.1f", static_cast<long>(t) / 60, std::fmod(t, 60));
        return b;
    }
    int digits = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
    std::snprintf(b, sizeof b, "%.*f s", digits, t);
    return b;
}

void draw_time_axis(cairo_t *cr, const Area &a, double t0, double t1, const Rgba &ink) {
    if (!(t1 > t0))
        return;
    cairo_save(cr);
    set_color(cr, ink);
    cairo_set_line_width(cr, 1);
    double step = nice_step((t1 - t0) * 90.0 / a.w, true);
    for (double k = std::ceil(t0 / step - 1e-9); k * step <= t1 + 1e-9; ++k) {
        const double t = k * step + 0.0; // + 0.0: never "-0"
        double x = std::round(a.x + (t - t0) / (t1 - t0) * a.w) + 0.5;
        cairo_move_to(cr, x, a.y + a.h);
        cairo_line_to(cr, x, a.y + a.h + 4);
        cairo_stroke(cr);
        double anchor = x < a.x + 20 ? 0.0 : x > a.x + a.w - 20 ? 1.0 : 0.5;
        text_at(cr, x, a.y + a.h + 7, format_time(t, step), anchor, 1.0, 10);
    }
    cairo_restore(cr);
}

void draw_frequency_axis(cairo_t *cr, const Area &a, double fmin, double fmax, bool linear,
                         const std::function<double(double)> &to_y, const Rgba &ink) {
    cairo_save(cr);
    set_color(cr, ink);
    cairo_set_line_width(cr, 1);
    std::vector<double> ticks;
    if (linear) {
        double step = nice_step((fmax - fmin) * 40.0 / a.h, false);
        for (double f = std::ceil(fmin / step) * step; f <= fmax; f += step)
            ticks.push_back(f);
    } else {
        // a mel axis starts at 0 Hz: label it so, rather than with the 1 Hz tick sitting there
        if (fmin <= 0)
            ticks.push_back(0);
        for (double p = 1; p <= 1e5; p *= 10)
            for (double m : {1.0, 2.0, 5.0})
                if (m * p >= fmin && m * p <= fmax && m * p > 0)
                    ticks.push_back(m * p);
    }
    double last = 1e9;
    for (double f : ticks) {
        double y = std::round(a.y + a.h - to_y(f) * a.h) + 0.5;
        if (std::abs(last - y) < 14)
            continue; // too close to the previous label
        last = y;
        cairo_move_to(cr, a.x - 4, y);
        cairo_line_to(cr, a.x, y);
        cairo_stroke(cr);
        text_at(cr, a.x - 6, y, format_hz(f), 1.0, 0.5, 10);
    }
    text_at(cr, a.x - 6, a.y - 6, "Hz", 1.0, 0.0, 10);
    cairo_restore(cr);
}

void draw_label(cairo_t *cr, double x, double y, std::string_view text, const Rgba &ink,
                double size, double align) {
    cairo_save(cr);
    set_color(cr, ink);
    text_at(cr, x, y, text, align, 1.0, size);
    cairo_restore(cr);
}

void draw_title(cairo_t *cr, const Area &a, std::string_view title, const Rgba &ink) {
    cairo_save(cr);
    set_color(cr, ink);
    text_at(cr, a.x, 5, title, 0.0, 1.0, 12);
    cairo_restore(cr);
}

void draw_text(cairo_t *cr, double x, double y, std::string_view text, const Rgba &ink, double size,
               double ax, double ay) {
    cairo_save(cr);
    set_color(cr, ink);
    text_at(cr, x, y, text, ax, ay, size);
    cairo_restore(cr);
}

double text_width(cairo_t *cr, std::string_view text, double size) {
    cairo_save(cr);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t e;
    cairo_text_extents(cr, std::string(text).c_str(), &e);
    cairo_restore(cr);
    return e.x_advance;
}

std::string format_hz(double f) {
    char b[32];
    if (f >= 1000)
        std::snprintf(b, sizeof b, "%gk", f / 1000);
    else
        std::snprintf(b, sizeof b, "%g", f);
    return b;
}

} // namespace ts::graph
