// Browser sessions: a token exchanged once for an HttpOnly cookie. The cookie's secret is 32
// random bytes; the catalog keeps only its SHA-256, the token it came from, that token's user
// and scopes, and an expiry. A session ends with its expiry, its token's expiry or revocation,
// or sign-out.
#pragma once

#include "serve/auth.hpp"

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace ts::serve {

class Db;

// The cookie's name, and the header a cookie-authenticated request other than GET or HEAD must
// carry with the value 1 (a custom header makes a cross-site request need a CORS preflight,
// which the server never grants).
inline constexpr const char *session_cookie_name = "ts_session";
inline constexpr const char *csrf_header = "X-TimeSide-Request";

struct NewSession {
    std::string secret;  // the cookie's value, shown once
    std::string expires; // RFC 3339 UTC
    long max_age = 0;    // seconds until expires
};

// Exchanges a presented token for a session lasting ttl seconds (or until the token's own
// expiry, when sooner). Fills p with the token's principal; nothing when the token is not
// usable (check says why). Expired sessions are purged on the way.
std::optional<NewSession> create_session(Db &db, std::string_view token, long ttl, Principal &p,
                                         TokenCheck &check);

// Looks a cookie's secret up: ok (p filled), unknown, expired, or revoked (its token was).
TokenCheck check_session(Db &db, std::string_view secret, Principal &p,
                         std::string *expires = nullptr);

// Removes a session; false when there was none.
bool end_session(Db &db, std::string_view secret);

// The value of the session cookie in a Cookie header ("a=1; ts_session=X"); nothing if absent.
std::optional<std::string> session_cookie(std::string_view cookie_header);

// Set-Cookie values: the session's, and one that clears it.
std::string session_set_cookie(const std::string &secret, long max_age, bool secure);
std::string session_clear_cookie(bool secure);

// Failed sign-ins per key (the client's address): each failure fills a bucket that drains at
// per_minute; while it holds burst failures, sign-ins are refused (429) without being checked.
class SignInLimiter {
  public:
    SignInLimiter(double per_minute, double burst) : rate_(per_minute / 60.0), burst_(burst) {}
    // 0 when a sign-in may be tried, else the seconds to wait (>= 1).
    int blocked(const std::string &key);
    void failed(const std::string &key);

  private:
    struct Bucket {
        double failures;
        std::chrono::steady_clock::time_point at;
    };
    void drain(Bucket &b, std::chrono::steady_clock::time_point now) const;
    double rate_, burst_;
    std::mutex mutex_;
    std::map<std::string, Bucket> buckets_;
};

} // namespace ts::serve
