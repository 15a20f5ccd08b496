// Whole images for ts-graph's commands: open and read the input, measure it, then draw the
// plot, its axes and title, and write the image (only once everything is read, so a bad input
// leaves no output).
#pragma once

#include "pcm/raw.hpp"
#include "graph/canvas.hpp"
#include "graph/spectrogram.hpp"
#include "graph/waveform.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ts::io {
class Output;
}

namespace ts::graph {

// What every image shares.
struct Frame {
    int width = 1200;
    std::optional<int> height; // default: 300 waveform, 400 spectrogram, 120 per plot lane
    bool axes = true;
    std::string title; // empty: the input's name
    Rgba background{1, 1, 1, 1};
    Rgba foreground;
    Format format = Format::png;
    double start = 0; // the time range drawn, in seconds
    std::optional<double> end;
    pcm::RawInput raw; // headerless audio input
    bool progress = false;
};

void render_waveform(const std::string &input, const Frame &f, const WaveformOptions &o,
                     io::Output &out);
void render_spectrogram(const std::string &input, const Frame &f, const SpectrogramOptions &o,
                        io::Output &out);

struct PlotOptions {
    std::vector<std::string> ids; // keep only these results or analyzers
    Palette palette;              // matrices
    bool per_row = false;         // matrices coloured row by row
    std::string audio;            // an audio lane on top, when not empty
    bool audio_spectrogram = false;
    SpectrogramOptions spectrogram; // of the audio lane
};
void render_plot(const std::string &results, const Frame &f, const PlotOptions &o, io::Output &out);

// The man page sections that describe the styles, spectrograms, plots, palettes and colours.
std::vector<std::pair<std::string, std::string>> manual_sections();

} // namespace ts::graph
