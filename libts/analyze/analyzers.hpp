// The definition function of every analyzer listed in analyzers.def, one per file in this
// folder.
#pragma once

#include "analyze/analyzer.hpp"

namespace ts::analyze {

#define TS_ANALYZER(name) Definition name##_definition();
#include "analyze/analyzers.def"
#undef TS_ANALYZER

} // namespace ts::analyze
