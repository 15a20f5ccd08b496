// The analysis engine: one pass over a source feeds every analyzer asked for, through shared
// framers and STFTs.
#pragma once

#include "analyze/analyzer.hpp"
#include "decode/source.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ts::analyze {

// What the user asked: "-a spectral.centroid" is {analyzer "spectral", outputs {"centroid"}}.
struct Request {
    std::string analyzer;
    std::vector<std::string> outputs; // empty: all
    std::map<std::string, std::string> params;
    // The definition of a dynamic analyzer (vamp:, exec:), made when the request is parsed;
    // null for the registry's. A dynamic analyzer fills in its results' metadata itself
    // (id, names, modes, params): the engine adds only the audio facts.
    std::shared_ptr<const Definition> definition;
};

// Parses "-a" values (comma lists of NAME or NAME.OUTPUT) and "-p NAME.KEY=VALUE" values into
// requests, merging repeats; unknown names, outputs and keys are usage errors with a "did
// you mean". Parameters for an analyzer not asked for are an error too, and every request's
// parameters are validated here. "vamp:LIBRARY:PLUGIN[:OUTPUT]" names a VAMP plugin;
// "exec:COMMAND" takes the rest of its -a value verbatim, commas included. In -p, the
// analyzer name is everything before the last '.' ahead of the '=' (keys have no dots).
std::vector<Request> make_requests(const std::vector<std::string> &analyzers,
                                   const std::vector<std::string> &params);

// The ids of the results the requests give for one input (for each channel with --mix each),
// in request order and each analyzer's declared order, without repeats: what ts-analyze
// checks against a format that holds one result before it opens any input. *complete is
// false when an exec: analyzer is among the requests: its ids are known only when it runs.
std::vector<std::string> result_ids(const std::vector<Request> &requests, bool *complete);

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
};

// Runs the requests over the source in one pass and returns the results in request order
// (per channel with each_channel). Statistics of the pass go to stats when given.
std::vector<result::Result> run(decode::Source &source, const std::vector<Request> &requests,
                                const RunOptions &options, RunStats *stats = nullptr);

} // namespace ts::analyze
