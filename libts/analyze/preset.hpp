// Presets: named sets of analyzers with parameters, in YAML (presets/*.yaml).
#pragma once

#include <string>
#include <vector>

namespace ts::analyze {

struct Preset {
    std::vector<std::string> analyzers; // as -a values
    std::vector<std::string> params;    // as -p values: NAME.KEY=VALUE
};

// Loads NAME (searched in $TS_PRESET_PATH, the presets folder beside the build or install,
// then the installed data folder) or a path (anything with a '/' or ending in .yaml).
Preset load_preset(const std::string &name_or_path);
// Names of the presets found on the search path.
std::vector<std::string> preset_names();

} // namespace ts::analyze
