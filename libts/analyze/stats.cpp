// stats: placeholder until the analyzer lands.
#include "analyze/analyzers.hpp"

#include "core/error.hpp"

namespace ts::analyze {

Definition stats_definition() {
    Definition d;
    d.id = "stats";
    d.name = "stats (not yet available)";
    d.make = [](const Params &, const std::vector<std::string> &) -> std::unique_ptr<Analyzer> {
        throw UsageError("analyzer stats is not available yet");
    };
    return d;
}

} // namespace ts::analyze
