// The analyzer and parameter parser (analyze::make_requests): each line of the input is a
// -p value when it has an '=', else a -a value. vamp: names are left out: they load plugins.
#include "analyze/engine.hpp"
#include "core/error.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    fuzz::quiet();
    std::vector<std::string> analyzers, params;
    for (auto &line : fuzz::lines(data, size)) {
        if (line.find("vamp:") != std::string::npos)
            return 0;
        (line.find('=') != std::string::npos ? params : analyzers).push_back(std::move(line));
    }
    try {
        const auto requests = ts::analyze::make_requests(analyzers, params);
        bool complete = false;
        (void)ts::analyze::result_ids(requests, &complete);
    } catch (const ts::Error &) {
    }
    return 0;
}
