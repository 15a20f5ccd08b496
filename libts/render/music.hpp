// Pitch tracks on a log-frequency axis.
#pragma once

#include "render/axes.hpp"
#include "render/plot.hpp"

#include <vector>

namespace ts::graph {

// The log-frequency range of a pitch lane whose voiced values in view span [lo, hi] Hz: two
// semitones beyond each, and an octave at least (around their geometric mean).
struct PitchRange {
    double lo = 100, hi = 1000;
    double unit(double hz) const; // 0 at lo, 1 at hi; NaN for hz <= 0
};
PitchRange pitch_range(double lo, double hi);

// The Hz ticks of a pitch lane whose data area is a (a value of height u in 0..1 at
// a.y + a.h - 2 - u * (a.h - 4), as curves are drawn): 1, 2, 5 x 10^k first, then 3, 1.5,
// 4, 7, then 2.5, 6, 8, those that fit, placed as draw_ticks places them.
std::vector<Tick> pitch_ticks(const Area &a, const PitchRange &r);
// Light lines across the area at the ticks.
void draw_grid(cairo_t *cr, const Area &a, const std::vector<Tick> &ticks);

} // namespace ts::graph
