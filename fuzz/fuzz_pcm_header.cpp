// The TSPCM header parser (libts/pcm/header.hpp parse_header) on the text after the magic line.
#include "core/error.hpp"
#include "fuzz_common.hpp"
#include "pcm/header.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    fuzz::quiet();
    try {
        const auto h = ts::pcm::parse_header({reinterpret_cast<const char *>(data), size}, "fuzz");
        // What is parsed formats back, and parses again.
        (void)ts::pcm::parse_header(ts::pcm::format_header(h, true).substr(ts::pcm::magic.size()), "fuzz");
    } catch (const ts::Error &) {
    }
    return 0;
}
