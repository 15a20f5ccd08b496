// Waveform measurement (one pass, bounded memory) and drawing.
#include "graph/waveform.hpp"

#include "core/signals.hpp"
#include "io/progress.hpp"
#include "graph/columns.hpp"
#include "graph/stft.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

namespace ts::graph {

namespace {
// The spectral centroid frames of the centroid style: 2048 samples every 1024, hann.
constexpr int centroid_fft = 2048, centroid_step = 1024;
// Centroids map to colours on a log scale between these (clamped to rate/2).
constexpr double centroid_low = 60, centroid_high = 12000;

// Folds p[0, n) into the minimum lo, the maximum hi and the sum of squares sq, keeping eight
// partial results side by side: one running min/max is a chain of dependent instructions that
// the compiler cannot vectorize (NaN rules), eight independent ones become vector min/max.
// This loop is most of the waveform's time once the input is decoded.
void reduce(const float *p, std::size_t n, float &lo, float &hi, float &sq) {
    constexpr std::size_t lanes = 8;
    float l[lanes], h[lanes], s[lanes];
    for (std::size_t j = 0; j < lanes; ++j)
        l[j] = lo, h[j] = hi, s[j] = 0;
    std::size_t k = 0;
    for (; k + lanes <= n; k += lanes)
        for (std::size_t j = 0; j < lanes; ++j) {
            const float v = p[k + j];
            l[j] = v < l[j] ? v : l[j];
            h[j] = v > h[j] ? v : h[j];
            s[j] += v * v;
        }
    for (; k < n; ++k) {
        const float v = p[k];
        l[0] = v < l[0] ? v : l[0];
        h[0] = v > h[0] ? v : h[0];
        s[0] += v * v;
    }
    for (std::size_t j = 0; j < lanes; ++j)
        lo = std::min(lo, l[j]), hi = std::max(hi, h[j]), sq += s[j];
}
} // namespace

WaveformData measure_waveform(decode::Source &source, int columns, const WaveformOptions &o,
                              bool centroid, bool progress_bar) {
    const pcm::Header &h = source.header();
    WaveformData d;
    d.columns = columns;
    d.lanes = o.split ? h.channels : 1;
    d.rate = h.rate;
    const std::size_t lanes = static_cast<std::size_t>(d.lanes),
                      channels = static_cast<std::size_t>(h.channels);
    std::vector<Combine> ops;
    for (std::size_t l = 0; l < lanes; ++l)
        ops.insert(ops.end(), {Combine::min, Combine::max, Combine::sum, Combine::sum});
    ops.insert(ops.end(), {Combine::sum, Combine::sum});
    Columns cols(columns, h.frames, ops,
                 std::max<std::size_t>(8 * static_cast<std::size_t>(columns), 4096));

    std::optional<Stft> stft;
    std::vector<float> freqs;
    if (centroid) {
        for (int k = 0; k <= centroid_fft / 2; ++k)
            freqs.push_back(static_cast<float>(k) * static_cast<float>(h.rate) / centroid_fft);
        stft.emplace(centroid_fft, centroid_step, dsp::Window::hann,
                     [&](std::int64_t start, const float *p) {
                         double e = 0, m = 0, fm = 0;
                         for (std::size_t k = 1; k < freqs.size(); ++k) {
                             double mag = std::sqrt(p[k]);
                             e += p[k], m += mag, fm += mag * freqs[k];
                         }
                         if (m <= 0)
                             return;
                         float rec[2] = {0, 0};
                         std::vector<float> all(ops.size(), 0.0f);
                         // only the centroid slots: min/max slots get neutral values
                         for (std::size_t l = 0; l < lanes; ++l) {
                             all[4 * l] = INFINITY;
                             all[4 * l + 1] = -INFINITY;
                         }
                         rec[0] = static_cast<float>(fm / m * e);
                         rec[1] = static_cast<float>(e);
                         all[4 * lanes] = rec[0];
                         all[4 * lanes + 1] = rec[1];
                         cols.add(start + centroid_fft / 2, all.data());
                     });
    }

    const std::size_t block = 8192;
    std::vector<float> buf(block * channels), mono(block), lane(o.split ? block * channels : 0);
    io::Progress progress("drawing " + source.name(), h.frames, progress_bar);
    std::int64_t pos = 0;
    while (std::size_t n = source.read(buf.data(), block)) {
        signals::check();
        // The mix of the channels. Mono and stereo, nearly every input, get loops of their own:
        // the general one (a loop over channels, then a division) was half the waveform's time.
        // Halving is exact, so stereo gives the same mix as the general loop.
        if (channels == 1)
            std::copy_n(buf.data(), n, mono.data());
        else if (channels == 2)
            for (std::size_t i = 0; i < n; ++i)
                mono[i] = (buf[2 * i] + buf[2 * i + 1]) * 0.5f;
        else
            for (std::size_t i = 0; i < n; ++i) {
                float s = 0;
                for (std::size_t c = 0; c < channels; ++c)
                    s += buf[i * channels + c];
                mono[i] = s / static_cast<float>(channels);
            }
        if (o.split)
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t c = 0; c < channels; ++c)
                    lane[c * block + i] = buf[i * channels + c];
        std::size_t i = 0;
        while (i < n) {
            std::int64_t end = 0;
            float *r = cols.record_at(pos + static_cast<std::int64_t>(i), end);
            std::size_t stop = static_cast<std::size_t>(
                std::min<std::int64_t>(static_cast<std::int64_t>(n), end - pos));
            for (std::size_t l = 0; l < lanes; ++l) {
                const float *p = o.split ? &lane[l * block] : mono.data();
                float sq = 0;
                reduce(p + i, stop - i, r[4 * l], r[4 * l + 1], sq);
                r[4 * l + 2] += sq;
                r[4 * l + 3] += static_cast<float>(stop - i);
            }
            i = stop;
        }
        if (stft)
            stft->push(mono.data(), n);
        pos += static_cast<std::int64_t>(n);
        progress.update(pos);
    }
    if (stft)
        stft->finish();
    progress.finish();
    d.frames = pos;
    cols.finish(pos, d.values, d.filled);
    return d;
}

namespace {

// A sample value to a height in [-1, 1] of the lane's half height.
struct Scaler {
    AmpScale scale;
    double range, zoom;
    double operator()(double v) const {
        if (scale == AmpScale::db) {
            double a = std::abs(v);
            if (a <= 0)
                return 0;
            double h = std::max(0.0, 1.0 + 20 * std::log10(a) / range);
            return v < 0 ? -h : h;
        }
        return std::clamp(v * zoom, -1.0, 1.0);
    }
};

} // namespace

double waveform_zoom(const WaveformData &d, const WaveformOptions &o) {
    const std::size_t n = d.slots(), W = static_cast<std::size_t>(d.columns);
    double peak = 0;
    for (std::size_t c = 0; c < W; ++c)
        if (d.filled[c])
            for (int l = 0; l < d.lanes; ++l)
                peak = std::max({peak, std::abs(static_cast<double>(d.values[c * n + 4 * l])),
                                 std::abs(static_cast<double>(d.values[c * n + 4 * l + 1]))});
    return o.scale == AmpScale::zoom && peak > 0 ? 1.0 / peak : 1.0;
}

void draw_waveform(cairo_t *cr, const Area &a, const WaveformData &d, const WaveformOptions &o,
                   const Rgba &fg) {
    const std::size_t n = d.slots(), W = static_cast<std::size_t>(d.columns);
    Scaler sc{o.scale, o.db_range, waveform_zoom(d, o)};
    // Centroids per column, interpolated between the columns that a centroid frame fell in
    // (frames are 1024 samples apart, columns often fewer).
    std::vector<double> centroid;
    if (o.style == WaveStyle::centroid) {
        centroid.assign(W, -1.0);
        for (std::size_t c = 0; c < W; ++c) {
            double e = d.filled[c] ? d.values[c * n + 4 * d.lanes + 1] : 0.0;
            if (e > 0)
                centroid[c] = d.values[c * n + 4 * d.lanes] / e;
        }
        std::ptrdiff_t prev = -1;
        for (std::size_t c = 0; c <= W; ++c) {
            if (c < W && centroid[c] < 0)
                continue;
            std::size_t from = prev < 0 ? 0 : static_cast<std::size_t>(prev) + 1;
            for (std::size_t k = from; k < c; ++k) {
                if (prev < 0 && c < W)
                    centroid[k] = centroid[c];
                else if (c == W)
                    centroid[k] =
                        prev < 0 ? centroid_low : centroid[static_cast<std::size_t>(prev)];
                else {
                    double f = static_cast<double>(k - static_cast<std::size_t>(prev)) /
                               static_cast<double>(c - static_cast<std::size_t>(prev));
                    centroid[k] =
                        centroid[static_cast<std::size_t>(prev)] * (1 - f) + centroid[c] * f;
                }
            }
            prev = static_cast<std::ptrdiff_t>(c);
        }
    }
    const double lane_h = a.h / d.lanes;
    cairo_save(cr);
    cairo_rectangle(cr, a.x, a.y, a.w, a.h);
    cairo_clip(cr);
    for (int l = 0; l < d.lanes; ++l) {
        const double top = a.y + l * lane_h, mid = top + lane_h / 2, half = lane_h / 2;
        auto lo = [&](std::size_t c) { return sc(d.values[c * n + 4 * l]); };
        auto hi = [&](std::size_t c) { return sc(d.values[c * n + 4 * l + 1]); };
        if (o.style == WaveStyle::peaks || o.style == WaveStyle::centroid) {
            set_color(cr, fg);
            for (std::size_t c = 0; c < W; ++c) {
                if (!d.filled[c] || d.values[c * n + 4 * l + 3] <= 0)
                    continue;
                if (o.style == WaveStyle::centroid) {
                    double f = centroid[c];
                    double high = std::min(centroid_high, d.rate / 2.0);
                    double t = std::log(std::max(f, centroid_low) / centroid_low) /
                               std::log(high / centroid_low);
                    set_color(cr, o.palette.at(0.3 + 0.6 * std::clamp(t, 0.0, 1.0)));
                }
                double y0 = mid - hi(c) * half, y1 = mid - lo(c) * half;
                cairo_rectangle(cr, a.x + static_cast<double>(c), y0, 1.0, y1 - y0);
                if (o.style == WaveStyle::centroid)
                    cairo_fill(cr);
            }
            cairo_fill(cr);
        } else if (o.style == WaveStyle::bars) {
            set_color(cr, fg);
            const std::size_t period = static_cast<std::size_t>(o.bar_width + o.bar_gap);
            for (std::size_t b = 0; b * period < W; ++b) {
                double v = 0;
                bool any = false;
                for (std::size_t c = b * period; c < std::min(W, b * period + o.bar_width); ++c)
                    if (d.filled[c] && d.values[c * n + 4 * l + 3] > 0)
                        v = std::max({v, std::abs(lo(c)), std::abs(hi(c))}), any = true;
                if (!any || v <= 0)
                    continue;
                double x = a.x + static_cast<double>(b * period), w = o.bar_width;
                double y0 = mid - v * half, hgt = 2 * v * half;
                double r = o.rounded ? std::min(w / 2, hgt / 2) : 0;
                if (r > 0.5) {
                    cairo_new_sub_path(cr);
                    cairo_arc(cr, x + w - r, y0 + r, r, -M_PI / 2, 0);
                    cairo_arc(cr, x + w - r, y0 + hgt - r, r, 0, M_PI / 2);
                    cairo_arc(cr, x + r, y0 + hgt - r, r, M_PI / 2, M_PI);
                    cairo_arc(cr, x + r, y0 + r, r, M_PI, 3 * M_PI / 2);
                    cairo_close_path(cr);
                } else {
                    cairo_rectangle(cr, x, y0, w, hgt);
                }
            }
            cairo_fill(cr);
        } else { // contour: the peak envelope, smoothed by a moving average
            std::vector<double> env(W, 0.0);
            for (std::size_t c = 0; c < W; ++c)
                if (d.filled[c] && d.values[c * n + 4 * l + 3] > 0)
                    env[c] = std::max(std::abs(lo(c)), std::abs(hi(c)));
            const std::size_t r = std::max<std::size_t>(2, W / 240);
            std::vector<double> sm(W, 0.0);
            double acc = 0;
            for (std::size_t c = 0; c < W + r; ++c) {
                if (c < W)
                    acc += env[c];
                if (c >= 2 * r + 1)
                    acc -= env[c - 2 * r - 1];
                if (c >= r) {
                    std::size_t at = c - r;
                    std::size_t lo_i = at >= r ? at - r : 0, hi_i = std::min(W - 1, at + r);
                    sm[at] = acc / static_cast<double>(hi_i - lo_i + 1);
                }
            }
            set_color(cr, fg);
            cairo_move_to(cr, a.x, mid);
            for (std::size_t c = 0; c < W; ++c)
                cairo_line_to(cr, a.x + c + 0.5, mid - sm[c] * half);
            cairo_line_to(cr, a.x + W, mid);
            for (std::size_t c = W; c-- > 0;)
                cairo_line_to(cr, a.x + c + 0.5, mid + sm[c] * half);
            cairo_close_path(cr);
            cairo_fill(cr);
        }
    }
    cairo_restore(cr);
}

} // namespace ts::graph
