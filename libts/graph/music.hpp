// Lanes for musicians: pitch tracks on a log-frequency axis, notes as a piano roll.
#pragma once

#include "graph/axes.hpp"
#include "graph/plot.hpp"

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

// The MIDI rows of the piano roll of the notes in view: from the lowest less one to the
// highest plus one, 13 rows (an octave) at least.
struct RollRange {
    int lo = 54, hi = 66;
};
RollRange roll_range(const Lane &l, double t0, double t1);
// Draws the notes of a notes lane as bars at their pitch (rows of a.h / (hi - lo + 1) px,
// the highest at the top; sharps' rows shaded, a line under each C) over [t0, t1]. Gives
// the note-name ticks (the notes played first, then the Cs, then the other naturals, and
// sharps not played only when rows are 12 px or more; placed as draw_ticks places them at
// size 9) and in `range` "from A3 to A5".
std::vector<Tick> draw_piano_roll(cairo_t *cr, const Area &a, const Lane &l, double t0, double t1,
                                  std::string &range);

} // namespace ts::graph
