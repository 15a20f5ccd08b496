// The analysis engine: one pass over a source feeds every analyzer asked for, through shared
// framers and STFTs.
#pragma once

#include "analyze/analyzer.hpp"
#include "analyze/request.hpp"
#include "decode/source.hpp"

#include <string>
#include <vector>

namespace ts::analyze {

struct RunStats {
    std::int64_t frames = 0;     // frames read from the source
    std::int64_t reads = 0;      // source reads (one pass: frames / block, rounded up)
    std::size_t framers = 0;     // distinct (block, step) framers
    std::size_t stfts = 0;       // distinct (n_fft, step, window) STFTs
};

struct RunOptions {
    bool each_channel = false; // --mix each: one result set per channel
    std::size_t block = 8192;  // frames per source read
    bool progress = false;
    // Keep framewise series in a temporary file (TMPDIR) as they are made, so memory does
    // not grow with the input: the results then hold Result::spilled, not Result::series.
    bool spill = false;
};

// Runs the requests over the source in one pass and returns the results in request order
// (per channel with each_channel). Statistics of the pass go to stats when given.
std::vector<result::Result> run(decode::Source &source, const std::vector<Request> &requests,
                                const RunOptions &options, RunStats *stats = nullptr);

} // namespace ts::analyze
