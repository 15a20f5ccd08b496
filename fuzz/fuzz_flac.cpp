// The native FLAC reader (libts/decode/flac_source.hpp): open_flac on the bytes as a regular
// file, every sample decoded; and flac_info, ts-info's facts of the same file.
#include "decode/flac_source.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    fuzz::quiet();
    fuzz::MemFile file(data, size);
    fuzz::native_reader(file, ts::decode::open_flac,
                        [&](ts::io::Reader &in, ts::decode::MediaInfo &info) {
                            return ts::decode::flac_info(file.path(), in, info);
                        });
    return 0;
}
