// The analyzer interface: an analyzer declares what it needs from the shared framing, is fed
// by the engine, and returns its results at the end. Adding one is one file and one line in
// analyzers.def.
#pragma once

#include "analyze/params.hpp"
#include "dsp/window.hpp"
#include "pcm/header.hpp"
#include "result/result.hpp"

#include <complex>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ts::analyze {

struct OutputSpec {
    std::string id;       // "" for the analyzer's single output, else the part after the dot
    std::string name;     // "Spectral centroid"
    std::string unit;     // "Hz", "dBFS", "" …
    result::TimeMode time_mode = result::TimeMode::global;
    result::DataMode data_mode = result::DataMode::value;
    std::string description;
};

// One STFT frame: magnitudes |X[k]| and complex bins for k in [0, n_fft/2].
struct Spectrum {
    const float *magnitude;
    const std::complex<float> *bins;
    int size;      // number of bins, n_fft/2 + 1
    int n_fft;
    double rate;   // sample rate, so bin k is at k * rate / n_fft Hz
};

using BlockFn = std::function<void(const float *interleaved, std::size_t frames, int channels)>;
using FrameFn = std::function<void(const float *frame, std::int64_t index)>;
using SpectrumFn = std::function<void(const Spectrum &spectrum, std::int64_t index)>;

// Given to an analyzer's setup(): the facts of the audio and the subscriptions. Frames are
// whole frames only: frame i covers samples [i*step, i*step + block); an input shorter than
// one block gives none.
class Context {
  public:
    virtual ~Context() = default;
    virtual int rate() const = 0;
    // The input stream's TSPCM header (source, frames, layout, tags) as read, before any
    // per-channel split: its rate and channels may differ from rate() and channels().
    virtual const pcm::Header &stream_header() const = 0;
    // Channels seen by on_blocks: all of the input's (mix "mono"/"all"), or 1 (mix "each").
    virtual int channels() const = 0;
    // Every block of samples as read, interleaved over channels().
    virtual void on_blocks(BlockFn fn) = 0;
    // Mono (the mean of the channels, or the one channel with mix "each") blocks.
    virtual void on_mono(BlockFn fn) = 0;
    // Overlapping mono frames; one framer per (block, step) is shared.
    virtual void on_frames(int block, int step, FrameFn fn) = 0;
    // Windowed STFT of the mono signal; one per (n_fft, step, window) is shared.
    virtual void on_spectrum(int n_fft, int step, dsp::Window window, SpectrumFn fn) = 0;
    // Where framewise series go as they are made (SeriesBuffer::spill_to): a temporary file
    // when the run keeps them out of memory, null to keep them in memory.
    virtual std::shared_ptr<result::SpillFile> spill_file() const { return nullptr; }
};

class Analyzer {
  public:
    virtual ~Analyzer() = default;
    virtual void setup(Context &ctx) = 0;
    // Called once after the last sample. `frames` is the input's length in frames. Fill in
    // each result's output id (Result::id = the OutputSpec id) and data; the engine adds
    // the shared metadata (names, units, modes, audio, params, producer).
    virtual std::vector<result::Result> finish(std::int64_t frames) = 0;
};

struct Definition {
    std::string id;
    std::string name;
    std::string description;
    std::vector<ParamSpec> params;
    std::vector<OutputSpec> outputs;
    // Creates an instance for one run (one per channel with mix "each"). `outputs` holds the
    // output ids asked for (all of them unless the user chose some).
    std::function<std::unique_ptr<Analyzer>(const Params &params,
                                            const std::vector<std::string> &outputs)>
        make;
    // Reads every channel itself (level, stats, loudness): its results say mix "all".
    bool all_channels = false;
};

// A result for output `id`, with the framing filled in for framewise outputs.
result::Result output(const std::string &id);
result::Result framewise(const std::string &id, int rate, int block, int step);

// One result as finish()'s list, moved in: `return {std::move(r)}` would copy it (the
// elements of a braced list are const), twice the memory of a long framewise matrix.
inline std::vector<result::Result> only(result::Result &&r) {
    std::vector<result::Result> v;
    v.push_back(std::move(r));
    return v;
}

} // namespace ts::analyze
