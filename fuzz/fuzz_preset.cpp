// Presets (libts/analyze/preset.hpp load_preset): a YAML file, then its analyzers and
// parameters through make_requests as ts-analyze --preset does.
#include "analyze/engine.hpp"
#include "analyze/preset.hpp"
#include "core/error.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    fuzz::quiet();
    fuzz::MemFile file(data, size);
    try {
        const auto preset = ts::analyze::load_preset(file.path());
        for (const auto &a : preset.analyzers)
            if (a.find("vamp:") != std::string::npos) // plugins are loaded: not fuzzed here
                return 0;
        (void)ts::analyze::make_requests(preset.analyzers, preset.params);
    } catch (const ts::Error &) {
    }
    return 0;
}
