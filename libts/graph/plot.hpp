// Plots of ts-result JSON Lines: framewise curves and matrices, events and segments, each in a
// lane of its own, all sharing one time axis.
#pragma once

#include "graph/canvas.hpp"
#include "graph/color.hpp"

#include <limits>
#include <string>
#include <vector>

namespace ts::graph {

// One drawable result (the others, global results, are skipped when read).
struct Lane {
    std::string id, name, unit, analyzer;
    // pitch: a curve in Hz of a pitch tracker (unit Hz; analyzer pitch, or an output named f0
    // or *pitch*), drawn on a log axis; notes: segments in MIDI (unit MIDI, or the notes
    // analyzer), drawn as a piano roll.
    enum Kind { curve, matrix, events, segments, pitch, notes } kind = curve;
    // curve, pitch: values (NaN for null; pitch: NaN for unvoiced) at times t0 + i * dt;
    // matrix: rows of `width` values.
    std::vector<float> values;
    std::size_t width = 1;
    double t0 = 0, dt = 0, frame_length = 0;
    // events, segments and notes: one mark each. label: data.label, or data.value as text;
    // number: data.value (NaN where null or absent); duration 0 for events.
    struct Mark {
        double time = 0, duration = 0;
        std::string label;
        float number = std::numeric_limits<float>::quiet_NaN();
    };
    std::vector<Mark> marks;
    double end = 0; // the time the result reaches (audio.start + audio.duration)
};

// Reads the drawable results of a JSON Lines file ("-": stdin); `ids`, when not empty, keeps
// only those (a result id, or an analyzer name for all its outputs). A pitch lane X.f0 is
// unvoiced (NaN) where its value is null, NaN or not above 0, and where a framewise X.voiced
// of the same audio and length in the file (drawn or not) is 0. Lines are read by the shared
// validating reader (result::JsonlReader, Strictness::data); a line it rejects throws ts::Error
// naming the file and line, and so does no drawable result.
std::vector<Lane> read_lanes(const std::string &path, const std::vector<std::string> &ids);

// Draws a lane in its area over [t0, t1] seconds. Matrices are coloured from their minimum to
// their maximum, or with `per_row` from each row's (each coefficient or band) own. With
// `axes`, pitch and notes lanes are labelled (Hz, note names) left of the area.
void draw_lane(cairo_t *cr, const Area &a, const Lane &lane, double t0, double t1, const Rgba &ink,
               const Palette &palette, bool per_row = false, bool axes = false);

} // namespace ts::graph
