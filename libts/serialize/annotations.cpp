// Placeholder: jams, audacity, sonic-visualiser, lab, elan (to be written).
#include "serialize/formats.hpp"

#include "core/error.hpp"

namespace ts::serialize {
std::unique_ptr<Writer> jams_writer(io::Output &, const Options &) { throw Error("jams: not written yet"); }
void read_jams(const std::string &, const Emit &) { throw Error("jams: not written yet"); }
std::unique_ptr<Writer> audacity_writer(io::Output &, const Options &) { throw Error("audacity: not written yet"); }
std::unique_ptr<Writer> sonic_visualiser_writer(io::Output &, const Options &) { throw Error("sonic-visualiser: not written yet"); }
std::unique_ptr<Writer> lab_writer(io::Output &, const Options &) { throw Error("lab: not written yet"); }
std::unique_ptr<Writer> elan_writer(io::Output &, const Options &) { throw Error("elan: not written yet"); }
} // namespace ts::serialize
