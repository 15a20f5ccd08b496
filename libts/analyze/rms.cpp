// rms: placeholder until the analyzer lands.
#include "analyze/analyzers.hpp"

#include "core/error.hpp"

namespace ts::analyze {

Definition rms_definition() {
    Definition d;
    d.id = "rms";
    d.name = "rms (not yet available)";
    d.make = [](const Params &, const std::vector<std::string> &) -> std::unique_ptr<Analyzer> {
        throw UsageError("analyzer rms is not available yet");
    };
    return d;
}

} // namespace ts::analyze
