// The pitch-tracking parameters pitch and notes share, their checks, and the words of their
// documentation.
#pragma once

#include "analyze/analyzer.hpp"
#include "core/error.hpp"
#include "dsp/yin.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace ts::analyze {

inline std::vector<ParamSpec> pitch_param_specs(int step, const char *median) {
    return {
        {"method",
         ParamType::choice,
         "yinfft",
         0,
         0,
         {"yin", "yinfft"},
         "yin (de Cheveigne & Kawahara 2002) or yinfft (aubio's spectral YIN)"},
        {"block", ParamType::integer, "2048", 64, 65536, {}, "frame length in samples, even"},
        {"step",
         ParamType::integer,
         std::to_string(step),
         1,
         1048576,
         {},
         "hop between frame starts, in samples"},
        {"fmin", ParamType::number, "50", 1, 100000, {}, "lowest f0 searched, Hz"},
        {"fmax", ParamType::number, "2500", 1, 100000, {}, "highest f0 searched, Hz (> fmin)"},
        {"threshold",
         ParamType::number,
         "0",
         0,
         1,
         {},
         "voicing threshold on d'(tau); 0: the method's own (yin 0.15, yinfft 0.85, as aubio)"},
        {"silence",
         ParamType::number,
         "-60",
         -200,
         0,
         {},
         "frames whose mean-square level is below this (dBFS) are unvoiced"},
        {"refine",
         ParamType::boolean,
         "true",
         0,
         0,
         {},
         "yinfft: refine the lag on YIN's time-domain difference (false: aubio's exactly)"},
        {"follow",
         ParamType::boolean,
         "true",
         0,
         0,
         {},
         "yinfft with refine: measure a note that is not ending on the frame's newest samples, "
         "and follow a change of note inside a frame to its newest half (false: the frame's "
         "centre and the whole frame's lag always)"},
        {"median",
         ParamType::number,
         median,
         0,
         10,
         {},
         "half-width of a running median of f0, seconds: a voiced frame whose neighbours "
         "within round(median rate / step) frames are all voiced takes their median (0: none)"},
    };
}

struct PitchShape {
    dsp::YinMethod method = dsp::YinMethod::yinfft;
    int block = 2048;
    int step = 256;
    double fmin = 50, fmax = 2500, threshold = 0.85, silence = -60;
    bool refine = true;
    bool follow = true;
    double median = 0.0; // seconds

    // The running median's half-width in frames.
    int median_radius(int rate) const {
        return static_cast<int>(std::lround(median * rate / step));
    }

    // The tracker these parameters describe, made in place (it holds an FFT plan).
    void make_tracker(std::optional<dsp::PitchTracker> &t, int rate) const {
        t.emplace(method, block, rate, fmin, fmax, threshold, silence, refine, follow);
    }
};

// Each value whose neighbours within `radius` on either side are all voiced becomes the median
// of those 2 radius + 1 values (a short excursion inside a note, an octave error or a frame
// still on the note before, is left out); the others, near an unvoiced value or an end, stay.
template <class Voiced> void running_median(std::vector<float> &v, int radius, Voiced voiced) {
    const auto n = static_cast<std::ptrdiff_t>(v.size());
    const std::ptrdiff_t r = radius;
    if (r <= 0 || n < 2 * r + 1)
        return;
    const std::vector<float> src = v;
    std::vector<float> w(static_cast<std::size_t>(2 * r + 1));
    std::ptrdiff_t unvoiced_at = -1; // the last unvoiced index seen up to i + r
    for (std::ptrdiff_t j = 0; j < 2 * r; ++j)
        if (!voiced(src[static_cast<std::size_t>(j)]))
            unvoiced_at = j;
    for (std::ptrdiff_t i = r; i + r < n; ++i) {
        if (!voiced(src[static_cast<std::size_t>(i + r)]))
            unvoiced_at = i + r;
        if (unvoiced_at >= i - r)
            continue;
        std::copy(src.begin() + (i - r), src.begin() + (i + r + 1), w.begin());
        std::nth_element(w.begin(), w.begin() + r, w.end());
        v[static_cast<std::size_t>(i)] = w[static_cast<std::size_t>(r)];
    }
}

// Reads and checks the parameters: an odd block, or fmax not above fmin, is a usage error.
inline PitchShape pitch_shape(const std::string &analyzer, const Params &p) {
    PitchShape s;
    s.method = p.text("method") == "yin" ? dsp::YinMethod::yin : dsp::YinMethod::yinfft;
    s.block = static_cast<int>(p.integer("block"));
    s.step = static_cast<int>(p.integer("step"));
    s.fmin = p.number("fmin");
    s.fmax = p.number("fmax");
    s.silence = p.number("silence");
    s.refine = p.boolean("refine");
    s.follow = p.boolean("follow");
    s.median = p.number("median");
    const double t = p.number("threshold");
    s.threshold = t > 0 ? t : (s.method == dsp::YinMethod::yin ? 0.15 : 0.85);
    if (s.block % 2 != 0)
        throw UsageError("-p " + analyzer + ".block=" + std::to_string(s.block) + ": must be even");
    if (!(s.fmax > s.fmin))
        throw UsageError("-p " + analyzer + ".fmax: must be above fmin (" +
                         std::to_string(s.fmin) + " Hz)");
    return s;
}

inline const char *pitch_words() {
    return "Frame i holds the mono samples x[0..N) = [i*step, i*step + N), N = block; its "
           "estimate describes best the frame's centre, i*step + N/2 (the result's time is "
           "the frame's start, as for every framewise result). Lags are searched from "
           "tau_min = floor(rate/fmax) to tau_max = ceil(rate/fmin), at least 2 and at most "
           "N/2 - 2 (yin) or N/2 - 1 (yinfft): with the default block of 2048 at 44.1 kHz "
           "the lowest f0 found is about 43 Hz whatever fmin. "
           "yin (de Cheveigne & Kawahara 2002, steps 1-5): difference function d(tau) = "
           "sum_{j<N/2} (x_j - x_{j+tau})^2, computed as e(0) + e(tau) - 2 c(tau) with "
           "e(tau) = sum_{j<N/2} x_{j+tau}^2 and the cross-correlation c(tau) = sum_{j<N/2} "
           "x_j x_{j+tau} by FFT; cumulative mean normalised difference d'(0) = 1, d'(tau) = "
           "d(tau) tau / sum_{j=1..tau} d(j) (1 where that sum is 0); the absolute threshold: "
           "the first tau in range with d'(tau) < threshold, followed down to the local "
           "minimum of d' (none: the frame is unvoiced and the estimate is the global minimum "
           "of d' in range); the period is the vertex of the parabola through d at tau - 1, "
           "tau, tau + 1 (the raw d, which the normalisation does not bias). "
           "yinfft (aubio's pitchyinfft, Brossier 2006): the frame times a periodic Hann "
           "window, its power spectrum |X_k|^2 weighted by an outer/middle-ear curve "
           "(aubio's table: -75.8 dB at 0 Hz, 0 dB at 1 kHz, +8.1 dB at 4 kHz, ... "
           "interpolated linearly in dB between its points), P_k; d(tau) = sum over the N bins "
           "of the whole circle of P_k (1 - cos(2 pi k tau / N)) (an autocorrelation by "
           "FFT); d' as for yin; tau = the global minimum of d' in range, voiced when "
           "d'(tau) < threshold; with refine=true and follow=true (the defaults), the frame's "
           "oldest and newest quarters are compared at a voiced tau, Q = N/4 samples from x_0 "
           "and from x_{N-Q-tau}: the aperiodicity a = sum_{j<Q} (x_j - x_{j+tau})^2 / "
           "sum_{j<Q} (x_j^2 + x_{j+tau}^2) and its denominator, the energy e; the note is not "
           "ending when e_new >= e_old / 5 (7 dB under it at most), and when also a_new > "
           "a_old + 0.3, or, at a lag t = round(tau/k), k = 2 or 3, where d'(t) < 1, the newest "
           "quarter's aperiodicity is below 0.1 and the oldest's 0.3 above it (two notes "
           "sharing a period, 220 Hz for 440 and 660 Hz, leave both ends periodic at tau), the "
           "period changed "
           "inside the frame: d' is computed for its newest half alone (N/2 samples, "
           "the second half of the Hann window times ((i + 1/2)/N)^4, i in [N/2, N), lags up "
           "to N/4 - 1), and when its global minimum, tau_n, is more than max(1, 0.03 tau) "
           "lags from tau, the newer note describes the frame's centre best (the older one "
           "still sounds in its first half, and their common period, e.g. 220 Hz between 440 "
           "and 660 Hz, can be the whole frame's best lag): tau_n and that d' are used from "
           "here on; for tau <= round(rate/1300) (above 1.3 kHz), the lag "
           "round(tau/2) is taken instead when its d' is also below the threshold (aubio's "
           "octave check); the period is the vertex of the parabola through d' around tau "
           "(refine=false, with median=0: aubio's algorithm exactly), or, with refine=true (the "
           "default): "
           "first, for k = 4, 3, 2, the lag of the least d' among round(tau/k) - 1, "
           "round(tau/k), round(tau/k) + 1 replaces tau when that d' is below 0.1 and the "
           "vertex of the parabola through d' around it is at most 2 d'(tau) + 0.001 (the "
           "largest k first: a short period falling between lags can leave a multiple of it "
           "lowest, e.g. lag 44 for a 3 kHz sine; a weak fundamental, 18 dB under the third "
           "harmonic, leaves d'(tau/3) near 0.05, far above d'(tau), and tau stays); failing "
           "that (and but for a frame whose newest half was used), the same lag replaces tau "
           "when its d' is below the threshold and the salience of its first three harmonics "
           "is more than 2.5 times tau's, salience(p) = sum_{h=1..3} m_h / h with m_h the "
           "greatest |X_k| for k within 1 of round(h N / p), X the Hann-windowed frame's "
           "spectrum and p the vertex of the parabola through d' (two notes, the one before "
           "still ringing, can leave their common period lowest, e.g. 349 Hz under 1047 and "
           "1397 Hz: tau's harmonics that are not the sub-multiple's, where a single note has "
           "its fundamental, are then weak; the weak fundamental above scores 2.2 and "
           "stays; the period of a sub-multiple so taken is N / f, f the vertex of the "
           "parabola through ln |X_k| around the greatest |X_k| within 2 bins of N / p, as the "
           "other note skews d' and the time-domain difference); otherwise tau is moved down "
           "the slope of YIN's time-domain difference d_a(t) = sum_{j<N/2} (x_{a+j} - "
           "x_{a+j+t})^2 from a = floor((N/2 - tau)/2) (over the "
           "frame's centre; with follow=true and a note that is not ending, a = N/2 - tau - 1: "
           "over its newest samples; a is lowered by one at each step up that would leave the "
           "frame) to its nearest local minimum (at most tau/2 lags away), "
           "and the period is the vertex of the parabola through d_a there: the ear "
           "weighting's slope skews d' for low tones (unrefined, a 55 Hz sine reads 65 Hz, "
           "as in aubio; 220 Hz reads 222 Hz), which this removes. "
           "f0 = rate / period. A frame whose mean square is below the silence level, "
           "10 log10(mean x^2) < silence, is unvoiced without analysis, and so is a frame "
           "holding a NaN or infinite sample. Last, with median > 0 (pitch: 0.03 s, notes: 0), "
           "r = round(median rate / step) frames: the f0 of a voiced frame whose r neighbours "
           "on either side are all voiced becomes the median of those 2r + 1 values (of their "
           "MIDI pitches for notes), so that a note's few frames off it (an octave, the note "
           "before, an attack) take its pitch and a change of note falls where half the "
           "window has passed it; frames within r of an unvoiced one or of an end keep their "
           "own. It narrows a vibrato: one of 6 Hz and +-50 cents reads +-41 cents (+-48 "
           "without).";
}

} // namespace ts::analyze
