// hdf5_writer and read_hdf5 (formats.hpp) through hdf5.so.
#include "serialize/hdf5_module.hpp"

#include "core/module.hpp"
#include "ts_config.h"

namespace ts::serialize {
namespace {

const Hdf5Module &hdf5() {
    static const auto *m =
        static_cast<const Hdf5Module *>(module::load("hdf5", hdf5_module_abi(TS_VERSION)));
    return *m;
}

} // namespace

std::unique_ptr<Writer> hdf5_writer(io::Output &out, const Options &o) {
    return hdf5().writer(out, o);
}

void read_hdf5(const std::string &path, const Emit &emit) { hdf5().read(path, emit); }

} // namespace ts::serialize
