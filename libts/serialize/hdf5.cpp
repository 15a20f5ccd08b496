// Placeholder: HDF5 writer and reader (to be written).
#include "serialize/formats.hpp"

#include "core/error.hpp"

namespace ts::serialize {
std::unique_ptr<Writer> hdf5_writer(io::Output &, const Options &) { throw Error("hdf5: not written yet"); }
void read_hdf5(const std::string &, const Emit &) { throw Error("hdf5: not written yet"); }
} // namespace ts::serialize
