// Placeholder: audiowaveform .dat/.json and wavesurfer peaks (to be written).
#include "serialize/formats.hpp"

#include "core/error.hpp"

namespace ts::serialize {
std::unique_ptr<Writer> dat_writer(io::Output &, const Options &) { throw Error("dat: not written yet"); }
std::unique_ptr<Writer> awf_json_writer(io::Output &, const Options &) { throw Error("audiowaveform-json: not written yet"); }
std::unique_ptr<Writer> wavesurfer_writer(io::Output &, const Options &) { throw Error("wavesurfer: not written yet"); }
} // namespace ts::serialize
