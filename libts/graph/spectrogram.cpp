// Spectrogram measurement (one pass, bounded memory) and drawing.
#include "graph/spectrogram.hpp"

#include "core/error.hpp"
#include "core/signals.hpp"
#include "dsp/mel_filterbank.hpp"
#include "graph/columns.hpp"
#include "graph/stft.hpp"
#include "io/progress.hpp"

#include <algorithm>
#include <cmath>

namespace ts::graph {

SpectrogramData measure_spectrogram(decode::Source &source, int columns,
                                    const SpectrogramOptions &o, bool progress_bar) {
    const pcm::Header &h = source.header();
    SpectrogramData d;
    d.columns = columns;
    d.rate = h.rate;
    d.n_fft = o.n_fft;
    d.bins = o.n_fft / 2 + 1;
    const std::size_t bins = static_cast<std::size_t>(d.bins);
    // bins (max or sum) + the frame count
    std::vector<Combine> ops(bins, o.mean ? Combine::sum : Combine::max);
    ops.push_back(Combine::sum);
    Columns cols(columns, h.frames, ops,
                 std::max<std::size_t>(2 * static_cast<std::size_t>(columns), 256));
    std::vector<float> rec(bins + 1);
    Stft stft(o.n_fft, o.step, o.window, [&](std::int64_t start, const float *p) {
        std::copy(p, p + bins, rec.begin());
        rec[bins] = 1;
        // A frame belongs to the column of its centre.
        cols.add(start + o.n_fft / 2, rec.data());
    });
    const std::size_t block = 8192, channels = static_cast<std::size_t>(h.channels);
    std::vector<float> buf(block * channels), mono(block);
    io::Progress progress("drawing " + source.name(), h.frames, progress_bar);
    std::int64_t pos = 0;
    while (std::size_t n = source.read(buf.data(), block)) {
        signals::check();
        for (std::size_t i = 0; i < n; ++i) {
            float s = 0;
            for (std::size_t c = 0; c < channels; ++c)
                s += buf[i * channels + c];
            mono[i] = s / static_cast<float>(channels);
        }
        stft.push(mono.data(), n);
        pos += static_cast<std::int64_t>(n);
        progress.update(pos);
    }
    stft.finish();
    progress.finish();
    d.frames = pos;
    std::vector<float> values;
    cols.finish(pos, values, d.filled);
    // Keep the powers only (the mean divides by the frame count).
    d.power.resize(static_cast<std::size_t>(columns) * bins);
    for (std::size_t c = 0; c < static_cast<std::size_t>(columns); ++c) {
        const float *r = &values[c * (bins + 1)];
        float count = r[bins];
        for (std::size_t k = 0; k < bins; ++k)
            d.power[c * bins + k] = !d.filled[c] ? 0.0f
                                    : o.mean     ? r[k] / std::max(count, 1.0f)
                                                 : r[k];
    }
    return d;
}

FreqAxis freq_axis(const SpectrogramOptions &o, int rate) {
    FreqAxis f{o.scale, o.fmin, o.fmax};
    if (f.fmax < 0)
        f.fmax = rate / 2.0;
    if (f.fmin < 0)
        f.fmin = o.scale == FreqScale::log ? 20.0 : 0.0;
    if (f.fmax > rate / 2.0)
        throw UsageError("--fmax " + std::to_string(f.fmax) + " is above half the rate (" +
                         std::to_string(rate / 2.0) + " Hz)");
    if (o.scale == FreqScale::log && f.fmin <= 0)
        throw UsageError("--fmin must be above 0 Hz on a log axis");
    if (!(f.fmax > f.fmin))
        throw UsageError("--fmin must be below --fmax (" + std::to_string(f.fmax) + " Hz)");
    return f;
}

double FreqAxis::to_unit(double hz) const {
    switch (scale) {
    case FreqScale::linear:
        return (hz - fmin) / (fmax - fmin);
    case FreqScale::log:
        return std::log(std::max(hz, 1e-9) / fmin) / std::log(fmax / fmin);
    case FreqScale::mel: {
        double lo = dsp::hz_to_mel(fmin, dsp::MelScale::htk),
               hi = dsp::hz_to_mel(fmax, dsp::MelScale::htk);
        return (dsp::hz_to_mel(hz, dsp::MelScale::htk) - lo) / (hi - lo);
    }
    }
    return 0;
}

double FreqAxis::from_unit(double u) const {
    switch (scale) {
    case FreqScale::linear:
        return fmin + u * (fmax - fmin);
    case FreqScale::log:
        return fmin * std::pow(fmax / fmin, u);
    case FreqScale::mel: {
        double lo = dsp::hz_to_mel(fmin, dsp::MelScale::htk),
               hi = dsp::hz_to_mel(fmax, dsp::MelScale::htk);
        return dsp::mel_to_hz(lo + u * (hi - lo), dsp::MelScale::htk);
    }
    }
    return 0;
}

void draw_spectrogram(cairo_t *cr, const Area &a, const SpectrogramData &d,
                      const SpectrogramOptions &o) {
    const int W = d.columns, H = std::max(1, static_cast<int>(std::lround(a.h)));
    const FreqAxis axis = freq_axis(o, d.rate);
    const double bin_hz = static_cast<double>(d.rate) / d.n_fft;
    // Row r (0 at the top) spans [from_unit((H-r-1)/H), from_unit((H-r)/H)] Hz: it takes the
    // largest bin inside that band, or, when no bin falls inside, interpolates at its centre.
    struct Row {
        int k0, k1; // max over bins [k0, k1], or k1 < k0: interpolate k0 .. k0+1
        float frac;
    };
    std::vector<Row> rows(static_cast<std::size_t>(H));
    for (int r = 0; r < H; ++r) {
        double lo = axis.from_unit((H - r - 1.0) / H) / bin_hz,
               hi = axis.from_unit((H - r - 0.0) / H) / bin_hz;
        int k0 = static_cast<int>(std::ceil(lo)), k1 = static_cast<int>(std::floor(hi));
        if (k1 >= k0) {
            rows[static_cast<std::size_t>(r)] = {std::max(k0, 0), std::min(k1, d.bins - 1), 0};
        } else {
            double c = axis.from_unit((H - r - 0.5) / H) / bin_hz;
            int k = std::clamp(static_cast<int>(std::floor(c)), 0, d.bins - 2);
            rows[static_cast<std::size_t>(r)] = {k, k - 1, static_cast<float>(c - k)};
        }
    }
    // Empty columns (more columns than frames) show their nearest filled neighbour.
    std::vector<int> src(static_cast<std::size_t>(W), -1);
    int last = -1;
    for (int c = 0; c < W; ++c) {
        if (d.filled[static_cast<std::size_t>(c)])
            last = c;
        src[static_cast<std::size_t>(c)] = last;
    }
    int next = -1;
    for (int c = W - 1; c >= 0; --c) {
        if (d.filled[static_cast<std::size_t>(c)])
            next = c;
        int &s = src[static_cast<std::size_t>(c)];
        if (next >= 0 && (s < 0 || next - c < c - s))
            s = next;
    }
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, W, H);
    unsigned char *px = cairo_image_surface_get_data(img);
    const int stride = cairo_image_surface_get_stride(img);
    // 256 palette entries: the colour of dB level floor + range * i / 255.
    unsigned char lut[256][3];
    for (int i = 0; i < 256; ++i)
        o.palette.at(i / 255.0, lut[i]);
    const std::size_t bins = static_cast<std::size_t>(d.bins);
    for (int c = 0; c < W; ++c) {
        int s = src[static_cast<std::size_t>(c)];
        const float *p = s >= 0 ? &d.power[static_cast<std::size_t>(s) * bins] : nullptr;
        for (int r = 0; r < H; ++r) {
            double v = 0;
            if (p) {
                const Row &row = rows[static_cast<std::size_t>(r)];
                if (row.k1 >= row.k0) {
                    float m = 0;
                    for (int k = row.k0; k <= row.k1; ++k)
                        m = std::max(m, p[k]);
                    v = m;
                } else {
                    v = p[row.k0] + (p[row.k0 + 1] - p[row.k0]) * row.frac;
                }
            }
            double db = v > 0 ? 10 * std::log10(v) : -1000;
            int i = static_cast<int>(std::lround((db - o.db_floor) / o.db_range * 255));
            const unsigned char *col = lut[std::clamp(i, 0, 255)];
            unsigned char *q = px + r * stride + c * 4;
            q[0] = col[2], q[1] = col[1], q[2] = col[0], q[3] = 255; // BGRx, little-endian
        }
    }
    cairo_surface_mark_dirty(img);
    cairo_save(cr);
    cairo_rectangle(cr, a.x, a.y, a.w, a.h);
    cairo_clip(cr);
    cairo_translate(cr, a.x, a.y);
    cairo_scale(cr, a.w / W, a.h / H);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(img);
}

} // namespace ts::graph
