// A whole TSPCM stream: pcm::read_header (magic, header, payload length) and pcm::Reader
// reading every frame.
#include "core/error.hpp"
#include "fuzz_common.hpp"
#include "io/input.hpp"
#include "pcm/reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    fuzz::quiet();
    fuzz::MemFile file(data, size);
    try {
        ts::io::Reader in(file.path());
        ts::pcm::Reader reader(in, ts::pcm::read_header(in));
        std::vector<float> buf(static_cast<std::size_t>(reader.header().channels) * 256);
        while (reader.read(buf.data(), 256) > 0) {
        }
    } catch (const ts::Error &) {
    }
    return 0;
}
