// spectral: placeholder until the analyzer lands.
#include "analyze/analyzers.hpp"

#include "core/error.hpp"

namespace ts::analyze {

Definition spectral_definition() {
    Definition d;
    d.id = "spectral";
    d.name = "spectral (not yet available)";
    d.make = [](const Params &, const std::vector<std::string> &) -> std::unique_ptr<Analyzer> {
        throw UsageError("analyzer spectral is not available yet");
    };
    return d;
}

} // namespace ts::analyze
