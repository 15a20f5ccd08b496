// spectrogram: placeholder until the analyzer lands.
#include "analyze/analyzers.hpp"

#include "core/error.hpp"

namespace ts::analyze {

Definition spectrogram_definition() {
    Definition d;
    d.id = "spectrogram";
    d.name = "spectrogram (not yet available)";
    d.make = [](const Params &, const std::vector<std::string> &) -> std::unique_ptr<Analyzer> {
        throw UsageError("analyzer spectrogram is not available yet");
    };
    return d;
}

} // namespace ts::analyze
