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
    unsigned h = static_cast<unsigned>(sizeof(Hdf5Module)) + 7u; // unsigned: wraps, never overflows
    for (const char *p = version; *p; ++p)
        h = h * 31u + static_cast<unsigned char>(*p);
    return static_cast<int>(h & 0x7fffffffu);
}

// hdf5.cpp, inside the module.
std::unique_ptr<Writer> hdf5_writer_impl(io::Output &out, const Options &o);
void read_hdf5_impl(const std::string &path, const Emit &emit);

} // namespace ts::serialize
