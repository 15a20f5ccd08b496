// Value axes beside a plot: labelled ticks, a waveform's amplitude scale, a spectrogram's
// colour bar, channel names and note names.
#pragma once

#include "graph/canvas.hpp"
#include "graph/color.hpp"
#include "graph/waveform.hpp"

#include <string>
#include <vector>

namespace ts::graph {

// A labelled tick at height y; lower priorities are placed first.
struct Tick {
    double y;
    std::string label;
    int priority = 2;
};

// The ticks kept, top to bottom: in order of priority (then from the top), each at least
// `spacing` pixels from those already kept.
std::vector<Tick> place_ticks(std::vector<Tick> ticks, double spacing);
// Draws 4-pixel tick marks from x outwards (to the left, or with `right` to the right) and
// their labels beyond them, vertically centred on each tick. Ticks are placed in order of
// priority (then from the top), each at least `spacing` pixels from those already placed;
// the others are left out. Returns the ticks drawn, top to bottom.
std::vector<Tick> draw_ticks(cairo_t *cr, double x, std::vector<Tick> ticks, const Rgba &ink,
                             bool right = false, double spacing = 13, double size = 10);

// The amplitude labels left of a waveform of `lanes` lanes: linear (full scale at the lane's
// edges, over `zoom` for --amplitude zoom) in 1-2-5 steps, or dB (0 dBFS at the edges,
// -db_range at the centre line) in steps of 1, 2, 3, 6, 12, ... dB, with "dBFS" above.
void draw_amplitude_axis(cairo_t *cr, const Area &a, int lanes, AmpScale scale, double db_range,
                         double zoom, const Rgba &ink);

// A colour bar right of the plot area a (in the margin plot_area leaves with right =
// colour_bar_margin): the palette from floor dB (bottom) to floor + range dB (top), ticked in
// dB, "dB" above it and "<name> palette" above the plot's right end when the title leaves room
// (title_end: the x where the title ends).
constexpr double colour_bar_margin = 60;
void draw_colour_bar(cairo_t *cr, const Area &a, const Palette &palette, double floor, double range,
                     double title_end, const Rgba &ink);

// The names of a stream's channels from its layout as FFmpeg describes it (ts-info's
// channel_layout: "stereo", "5.1(side)", "3 channels (FL+FR+LFE)"): L, R, C, LFE, Ls, Rs, Lb,
// Rb, Lc, Rc, Cs, ... (FFmpeg's own abbreviation for the rarer ones). An empty or unknown
// layout names one channel "mono", two L and R, and more 1, 2, 3, ...
std::vector<std::string> channel_names(int channels, const std::string &layout);
// Each name in a box at the top left of its lane (lanes of equal height, top to bottom),
// with a light line between lanes.
void draw_channel_names(cairo_t *cr, const Area &a, const std::vector<std::string> &names,
                        const Rgba &ink, const Rgba &background);

// "C4", "A#4" (MIDI 60, 70; 69 = A4 = 440 Hz).
std::string note_name(int midi);

} // namespace ts::graph
