// The ts-result JSON Lines reader (libts/result/read.hpp JsonlReader), as ts-serialize and
// ts-graph read a .jsonl file.
#include "core/error.hpp"
#include "fuzz_common.hpp"
#include "result/read.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    fuzz::quiet();
    fuzz::MemFile file(data, size);
    try {
        ts::result::JsonlReader reader(file.path());
        ts::result::Result r;
        while (reader.next(r)) {
        }
    } catch (const ts::Error &) {
    }
    return 0;
}
