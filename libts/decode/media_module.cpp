#include "decode/media_module.hpp"

#include "core/module.hpp"
#include "ts_config.h"

namespace ts::decode {

const MediaModule &media_module() {
    static const auto *m = static_cast<const MediaModule *>(
        module::load("media", media_module_abi(TS_VERSION)));
    return *m;
}

} // namespace ts::decode
