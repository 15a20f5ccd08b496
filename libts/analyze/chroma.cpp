// chroma: placeholder until the analyzer lands.
#include "analyze/analyzers.hpp"

#include "core/error.hpp"

namespace ts::analyze {

Definition chroma_definition() {
    Definition d;
    d.id = "chroma";
    d.name = "chroma (not yet available)";
    d.make = [](const Params &, const std::vector<std::string> &) -> std::unique_ptr<Analyzer> {
        throw UsageError("analyzer chroma is not available yet");
    };
    return d;
}

} // namespace ts::analyze
