// Context wrapping for errors.
#include "core/error.hpp"

namespace ts {

void rethrow_with_context(const std::string &context) {
    try {
        throw;
    } catch (const Error &e) {
        throw Error(context + ": " + e.what(), e.status());
    }
}

} // namespace ts
