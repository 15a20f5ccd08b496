// What the user asks of ts-analyze: -a and -p values (and a preset's, the same) parsed into
// requests, with the vamp: and exec: analyzers defined as they are named.
#pragma once

#include "analyze/analyzer.hpp"

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

// The definition a request runs: its own (vamp:, exec:) or the registry's.
const Definition &definition_of(const Request &r);

// The output ids an analyzer declares, in order.
std::vector<std::string> output_ids(const Definition &d);

} // namespace ts::analyze
