// The version string comes from meson.build's project() through ts_config.h.
#include "core/version.hpp"

#include "ts_config.h"

namespace ts {
const char *version() { return TS_VERSION; }
} // namespace ts
