// The project version, set by the build.
#pragma once

namespace ts {
const char *version();
}
