// Parts of TimeSide loaded only when first used: FFmpeg's demuxers and decoders (the media
// module) and HDF5 bring over a hundred shared libraries whose loading alone takes longer than
// a small tool's whole run (bench/RESULTS.md), so a tool links none of them and loads its module
// when an input or output needs it.
#pragma once

#include <string>

namespace ts::module {

// An entry table of module NAME ("media", "hdf5"): the file NAME.so, next to the build's
// own tools when run from the build tree, else in the installed module folder
// (LIBDIR/timeside). Loaded once; its entry `ts_NAME_module` (or `ts_NAME_PART_module`, for
// a module whose tables serve several folders: media's decode and encode) must give a table
// whose first member, an int, equals `abi` (the module and the tool come from the same
// build). Throws ts::Error naming the file and the loader's message when it cannot be loaded.
const void *load(const std::string &name, int abi, const std::string &part = "");

// A table's ABI stamp: changes with its size and the version, so a stale module is refused.
constexpr int abi(unsigned table_size, const char *version) {
    unsigned h = table_size; // unsigned: wraps, never overflows
    for (const char *p = version; *p; ++p)
        h = h * 31u + static_cast<unsigned char>(*p);
    return static_cast<int>(h & 0x7fffffffu);
}

// The folder modules are loaded from (for messages and --version --verbose).
std::string folder();

} // namespace ts::module
