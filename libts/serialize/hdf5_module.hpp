// HDF5 (and the libraries libhdf5 brings: curl, szip, ...) in a module of its own, hdf5.so,
// loaded by the first HDF5 file written or read, so ts-analyze and ts-serialize start
// without it.
#pragma once

#include "serialize/formats.hpp"

namespace ts::serialize {

struct Hdf5Module {
    int abi;
    std::unique_ptr<Writer> (*writer)(io::Output &out, const Options &o);
    void (*read)(const std::string &path, const Emit &emit);
};

constexpr int hdf5_module_abi(const char *version) {
    int h = static_cast<int>(sizeof(Hdf5Module)) + 7;
    for (const char *p = version; *p; ++p)
        h = h * 31 + *p;
    return h & 0x7fffffff;
}

// hdf5.cpp, inside the module.
std::unique_ptr<Writer> hdf5_writer_impl(io::Output &out, const Options &o);
void read_hdf5_impl(const std::string &path, const Emit &emit);

} // namespace ts::serialize
