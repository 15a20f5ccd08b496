// zcr: placeholder until the analyzer lands.
#include "analyze/analyzers.hpp"

#include "core/error.hpp"

namespace ts::analyze {

Definition zcr_definition() {
    Definition d;
    d.id = "zcr";
    d.name = "zcr (not yet available)";
    d.make = [](const Params &, const std::vector<std::string> &) -> std::unique_ptr<Analyzer> {
        throw UsageError("analyzer zcr is not available yet");
    };
    return d;
}

} // namespace ts::analyze
