// SuperFlux onset detection function and its peak picker (Böck and Widmer, "Maximum filter
// vibrato suppression for onset detection", DAFx 2013), written from the paper.
#include "dsp/odf_superflux.hpp"
#include "dsp/onset.hpp"

#include <algorithm>
#include <cmath>

namespace ts::dsp {

SuperFlux::SuperFlux(const SuperFluxShape &shape) : shape_(shape) {
    const int bins = shape.n_fft / 2 + 1;
    const double fmax = std::min(shape.fmax, shape.rate / 2);
    // Centres spaced by 1/bands_per_octave octave from fmin, snapped to bins; a centre that
    // falls on the bin of the one before is dropped (the low bands of a short FFT).
    std::vector<int> centre;
    const int n = static_cast<int>(std::floor(std::log2(fmax / shape.fmin) * shape.bands_per_octave));
    for (int i = 0; i <= n; ++i) {
        const double f = shape.fmin * std::exp2(static_cast<double>(i) / shape.bands_per_octave);
        const int k = std::min(bins - 1, static_cast<int>(std::lround(f * shape.n_fft / shape.rate)));
        if (centre.empty() || k > centre.back())
            centre.push_back(k);
    }
    // A triangle rising from centre j-1 (weight 0) to centre j (1) and falling to centre
    // j+1 (0), scaled to sum 1: band levels are weighted means of the magnitudes.
    for (std::size_t j = 1; j + 1 < centre.size(); ++j) {
        const int a = centre[j - 1], b = centre[j], c = centre[j + 1];
        std::vector<float> w;
        double sum = 0;
        for (int k = a + 1; k < c; ++k) {
            const double v = k <= b ? static_cast<double>(k - a) / (b - a)
                                    : static_cast<double>(c - k) / (c - b);
            w.push_back(static_cast<float>(v));
            sum += v;
        }
        for (float &v : w)
            v = static_cast<float>(v / sum);
        first_.push_back(a + 1);
        count_.push_back(static_cast<int>(w.size()));
        offset_.push_back(static_cast<int>(weights_.size()));
        weights_.insert(weights_.end(), w.begin(), w.end());
    }
    level_.assign(first_.size(), 0.0f);
    ref_.assign(first_.size(), 0.0f);
    slots_ = static_cast<std::size_t>(shape.lag + shape.history - 1);
    past_.assign(slots_ * first_.size(), 0.0f);
}

float SuperFlux::next(const float *magnitude, float gain) {
    const std::size_t nb = first_.size();
    const float scale = static_cast<float>(shape_.compression) * gain;
    float *__restrict level = level_.data();
    for (std::size_t j = 0; j < nb; ++j) {
        const float *__restrict m = magnitude + first_[j];
        const float *__restrict w = weights_.data() + offset_[j];
        const int n = count_[j];
        float b = 0.0f;
#pragma omp simd reduction(+ : b)
        for (int k = 0; k < n; ++k)
            b += w[k] * m[k];
        level[j] = 1.0f + scale * b;
    }
    // log10, by the hand-written ln of onset.hpp (libm's log10f took a quarter of the time).
    for (std::size_t j = 0; j < nb; ++j)
        level[j] = ln_at_least_1(level[j]) * 0.434294482f;
    // The reference of band j: the largest level of bands j-r .. j+r over the frames
    // t-lag-history+1 .. t-lag (the ring holds frames t-lag-history+1 .. t-1, each already
    // maximum-filtered over frequency), then the flux over it.
    float *__restrict ref = ref_.data();
    for (int h = shape_.lag; h < shape_.lag + shape_.history; ++h) {
        const float *__restrict p =
            past_.data() + ((head_ + slots_ - static_cast<std::size_t>(h)) % slots_) * nb;
        if (h == shape_.lag)
            std::copy(p, p + nb, ref);
        else
            for (std::size_t j = 0; j < nb; ++j)
                ref[j] = std::max(ref[j], p[j]);
    }
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (std::size_t j = 0; j < nb; ++j)
        sum += std::max(0.0f, level[j] - ref[j]);
    // This frame, maximum-filtered over frequency (bands j-r .. j+r, clipped), into the ring.
    float *__restrict slot = past_.data() + head_ * nb;
    std::copy(level, level + nb, slot);
    for (std::size_t d = 1; d <= static_cast<std::size_t>(shape_.max_bands / 2) && d < nb; ++d) {
        for (std::size_t j = d; j < nb; ++j)
            slot[j] = std::max(slot[j], level[j - d]);
        for (std::size_t j = 0; j + d < nb; ++j)
            slot[j] = std::max(slot[j], level[j + d]);
    }
    head_ = (head_ + 1) % slots_;
    return sum;
}

SuperFluxPeaks superflux_peaks(double frame_rate, double threshold, double mean_before_s,
                               double mean_after_s, int min_gap) {
    const auto frames = [frame_rate](double s) {
        return static_cast<int>(std::lround(std::max(0.0, s) * frame_rate));
    };
    SuperFluxPeaks p;
    p.threshold = threshold;
    p.mean_before = frames(mean_before_s);
    p.mean_after = frames(mean_after_s);
    p.max_before = frames(0.01);
    p.max_after = frames(0.05);
    p.min_gap = min_gap;
    return p;
}

std::vector<std::size_t> pick_superflux(const std::vector<float> &odf,
                                        const std::vector<bool> &loud,
                                        const SuperFluxPeaks &rule,
                                        const std::function<bool(std::size_t)> &reject) {
    std::vector<std::size_t> out;
    const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(odf.size());
    const double span = static_cast<double>(rule.mean_before + rule.mean_after + 1);
    for (std::ptrdiff_t t = 0; t < n; ++t) {
        const float v = odf[static_cast<std::size_t>(t)];
        if (v <= 0.0f || !loud[static_cast<std::size_t>(t)])
            continue;
        bool top = true;
        for (std::ptrdiff_t i = std::max<std::ptrdiff_t>(0, t - rule.max_before);
             top && i <= std::min(n - 1, t + rule.max_after); ++i)
            top = odf[static_cast<std::size_t>(i)] <= v;
        if (!top)
            continue;
        // The mean over the window, frames outside the input counting as 0.
        double sum = 0.0;
        for (std::ptrdiff_t i = std::max<std::ptrdiff_t>(0, t - rule.mean_before);
             i <= std::min(n - 1, t + rule.mean_after); ++i)
            sum += odf[static_cast<std::size_t>(i)];
        if (v < sum / span + rule.threshold)
            continue;
        if (reject && reject(static_cast<std::size_t>(t)))
            continue;
        if (!out.empty() && static_cast<std::size_t>(t) - out.back() <
                                static_cast<std::size_t>(rule.min_gap))
            continue;
        out.push_back(static_cast<std::size_t>(t));
    }
    return out;
}

std::size_t rise_start(const std::vector<float> &odf, std::size_t t, std::ptrdiff_t floor,
                       const RiseRule &rule) {
    if (!(rule.fraction > 0) || t >= odf.size())
        return t;
    const double level = rule.fraction * odf[t];
    std::size_t f = t;
    while (f > 0 && static_cast<std::ptrdiff_t>(f) - 1 > floor &&
           t - f < static_cast<std::size_t>(rule.max_back) && odf[f - 1] >= level)
        --f;
    return t - f >= static_cast<std::size_t>(std::max(1, rule.min_rise)) ? f : t;
}

bool is_release(const std::vector<float> &block_db, std::size_t c, const ReleaseRule &rule) {
    const std::size_t reach = static_cast<std::size_t>(rule.reach);
    const std::size_t near = static_cast<std::size_t>(rule.near);
    const std::size_t drop = static_cast<std::size_t>(rule.drop_blocks);
    if (c < reach || c + reach > block_db.size() || near >= reach)
        return false;
    double fall = -1e30;
    for (std::size_t k = c - reach; k + drop < c + reach && k + drop < block_db.size(); ++k)
        fall = std::max(fall, static_cast<double>(block_db[k]) - block_db[k + drop]);
    if (!(fall > rule.fall_db))
        return false;
    // A fall that comes back: the level rises by more than fall_db from its lowest point
    // (since block c-reach) somewhere in blocks c-near .. c+near-1: a new note.
    double low = 1e30;
    for (std::size_t k = c - reach; k < c + near; ++k) {
        low = std::min(low, static_cast<double>(block_db[k]));
        if (k >= c - near && block_db[k] - low > rule.fall_db)
            return false;
    }
    double before = 0, after = 0;
    for (std::size_t k = c - reach; k < c - near; ++k)
        before += block_db[k];
    for (std::size_t k = c + near; k < c + reach; ++k)
        after += block_db[k];
    const double n = static_cast<double>(reach - near);
    return after / n < before / n - rule.fall_db;
}

} // namespace ts::dsp
