// The exec: analyzer protocol: each line a program prints, through exec::parse_line (the
// lenient "program" strictness of the ts-result parser).
#include "analyze/exec.hpp"
#include "core/error.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    fuzz::quiet();
    for (const auto &line : fuzz::lines(data, size)) {
        try {
            (void)ts::analyze::exec::parse_line(line);
        } catch (const ts::Error &) {
        }
    }
    return 0;
}
