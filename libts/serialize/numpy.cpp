// Placeholder: npy and npz writers (to be written).
#include "serialize/formats.hpp"

#include "core/error.hpp"

namespace ts::serialize {
std::unique_ptr<Writer> npy_writer(io::Output &, const Options &) { throw Error("npy: not written yet"); }
std::unique_ptr<Writer> npz_writer(io::Output &, const Options &) { throw Error("npz: not written yet"); }
} // namespace ts::serialize
