// Two-pass loudness normalisation (EBU R128): measure a source, then the gain to a target.
#pragma once

#include "decode/source.hpp"

namespace ts::analyze {

// A source's integrated loudness (LUFS) and true peak (dBTP); NaN where not defined
// (silence, an input shorter than 400 ms).
struct LoudnessFacts {
    double integrated;
    double true_peak;
};

// Reads the whole source through the loudness analyzer.
LoudnessFacts measure_loudness(decode::Source &source);

struct Gain {
    double db = 0;        // the gain to apply
    bool limited = false; // lowered below target - integrated to keep the true peak down
};

// The gain that brings `facts` to `target` LUFS, lowered when the true peak would rise above
// `ceiling` dBTP (a linear gain, as ffmpeg-normalize's linear mode: the sound is not
// compressed). 0 dB for an input whose loudness is not defined.
Gain normalize_gain(const LoudnessFacts &facts, double target, double ceiling);

} // namespace ts::analyze
