// ts-serialize's YAML reader (libts/serialize: read_yaml), every result it emits kept.
#include "core/error.hpp"
#include "fuzz_common.hpp"
#include "serialize/formats.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    fuzz::quiet();
    fuzz::MemFile file(data, size);
    std::vector<ts::result::Result> results;
    try {
        ts::serialize::read_yaml(file.path(), [&](ts::result::Result &&r) { results.push_back(std::move(r)); });
    } catch (const ts::Error &) {
    }
    return 0;
}
