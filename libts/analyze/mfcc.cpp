// mfcc: placeholder until the analyzer lands.
#include "analyze/analyzers.hpp"

#include "core/error.hpp"

namespace ts::analyze {

Definition mfcc_definition() {
    Definition d;
    d.id = "mfcc";
    d.name = "mfcc (not yet available)";
    d.make = [](const Params &, const std::vector<std::string> &) -> std::unique_ptr<Analyzer> {
        throw UsageError("analyzer mfcc is not available yet");
    };
    return d;
}

} // namespace ts::analyze
