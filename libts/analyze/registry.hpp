// The explicit table of analyzers, built from the list analyzers.def (no self-registration,
// which a static link can drop).
#pragma once

#include "analyze/analyzer.hpp"

#include <vector>

namespace ts::analyze {

const std::vector<Definition> &registry();
const Definition *find(const std::string &id);

} // namespace ts::analyze
