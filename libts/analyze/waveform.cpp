// waveform: placeholder until the analyzer lands.
#include "analyze/analyzers.hpp"

#include "core/error.hpp"

namespace ts::analyze {

Definition waveform_definition() {
    Definition d;
    d.id = "waveform";
    d.name = "waveform (not yet available)";
    d.make = [](const Params &, const std::vector<std::string> &) -> std::unique_ptr<Analyzer> {
        throw UsageError("analyzer waveform is not available yet");
    };
    return d;
}

} // namespace ts::analyze
