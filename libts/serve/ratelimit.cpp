// Token buckets.
#include "serve/ratelimit.hpp"

#include <algorithm>
#include <cmath>

namespace ts::serve {

int RateLimiter::take(const std::string &key) {
    if (rate_ <= 0)
        return 0;
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst_, now});
    Bucket &b = it->second;
    if (!fresh) {
        const double dt = std::chrono::duration<double>(now - b.at).count();
        b.tokens = std::min(burst_, b.tokens + dt * rate_);
        b.at = now;
    }
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return 0;
    }
    return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / rate_)));
}

} // namespace ts::serve
