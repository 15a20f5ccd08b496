// The native FLAC reader (libts/decode/flac_source.hpp): open_flac on the bytes as a regular
// file, every sample decoded; and flac_info, ts-info's facts of the same file.
#include "core/error.hpp"
#include "decode/flac_source.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    fuzz::quiet();
    fuzz::MemFile file(data, size);
    try {
        ts::decode::OpenOptions options;
        options.sha1 = false;
        auto in = std::make_unique<ts::io::Reader>(file.path());
        if (auto source = ts::decode::open_flac(file.path(), in, options)) {
            const auto channels = static_cast<std::size_t>(source->header().channels);
            std::vector<float> buf(channels * 1024);
            while (source->read(buf.data(), 1024) > 0) {
            }
        }
    } catch (const ts::Error &) {
    }
    try {
        ts::io::Reader in(file.path());
        ts::decode::MediaInfo info;
        (void)ts::decode::flac_info(file.path(), in, info);
    } catch (const ts::Error &) {
    }
    return 0;
}
