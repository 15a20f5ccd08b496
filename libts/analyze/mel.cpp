// mel: placeholder until the analyzer lands.
#include "analyze/analyzers.hpp"

#include "core/error.hpp"

namespace ts::analyze {

Definition mel_definition() {
    Definition d;
    d.id = "mel";
    d.name = "mel (not yet available)";
    d.make = [](const Params &, const std::vector<std::string> &) -> std::unique_ptr<Analyzer> {
        throw UsageError("analyzer mel is not available yet");
    };
    return d;
}

} // namespace ts::analyze
