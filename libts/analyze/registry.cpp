// The table of analyzers, in the order of analyzers.def; each definition lives in its own file.
#include "analyze/registry.hpp"

#include "analyze/analyzers.hpp"

namespace ts::analyze {

const std::vector<Definition> &registry() {
    static const std::vector<Definition> table = {
#define TS_ANALYZER(name) name##_definition(),
#include "analyze/analyzers.def"
#undef TS_ANALYZER
    };
    return table;
}

const Definition *find(const std::string &id) {
    for (const auto &d : registry())
        if (d.id == id)
            return &d;
    return nullptr;
}

} // namespace ts::analyze
