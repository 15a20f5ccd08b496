// loudness: placeholder until the analyzer lands.
#include "analyze/analyzers.hpp"

#include "core/error.hpp"

namespace ts::analyze {

Definition loudness_definition() {
    Definition d;
    d.id = "loudness";
    d.name = "loudness (not yet available)";
    d.make = [](const Params &, const std::vector<std::string> &) -> std::unique_ptr<Analyzer> {
        throw UsageError("analyzer loudness is not available yet");
    };
    return d;
}

} // namespace ts::analyze
