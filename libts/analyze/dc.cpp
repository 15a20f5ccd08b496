// dc: placeholder until the analyzer lands.
#include "analyze/analyzers.hpp"

#include "core/error.hpp"

namespace ts::analyze {

Definition dc_definition() {
    Definition d;
    d.id = "dc";
    d.name = "dc (not yet available)";
    d.make = [](const Params &, const std::vector<std::string> &) -> std::unique_ptr<Analyzer> {
        throw UsageError("analyzer dc is not available yet");
    };
    return d;
}

} // namespace ts::analyze
