// Per-principal rate limits: a token bucket per key, refilled continuously.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace ts::serve {

class RateLimiter {
  public:
    // per_minute requests on average, bursts of up to burst; per_minute 0 turns it off.
    RateLimiter(double per_minute, double burst) : rate_(per_minute / 60.0), burst_(burst) {}

    // Takes one token for key; returns 0 when allowed, else the seconds to wait (>= 1).
    int take(const std::string &key);

  private:
    struct Bucket {
        double tokens;
        std::chrono::steady_clock::time_point at;
    };
    double rate_; // per second
    double burst_;
    std::mutex mutex_;
    std::map<std::string, Bucket> buckets_;
};

} // namespace ts::serve
