// Bearer tokens: made random, shown once, kept as SHA-256; scopes; the principal of a request.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ts::serve {

class Db;

enum Scope : unsigned {
    scope_read = 1,
    scope_annotate = 2,
    scope_process = 4,
    scope_admin = 8,
};

// "read annotate" (spaces or commas) to a mask; nothing for an unknown name or an empty list.
// admin implies every other scope.
std::optional<unsigned> parse_scopes(std::string_view text);
// The mask as "read annotate process admin" (in that order).
std::string format_scopes(unsigned mask);

// A new token: "tsk_" and 43 characters of base64url (32 random bytes).
std::string new_token();
// The hex SHA-256 of some bytes.
std::string sha256_hex(std::string_view bytes);
// The hex SHA-256 of a token: what the catalog keeps.
inline std::string token_hash(std::string_view token) { return sha256_hex(token); }

// Who makes a request. Anonymous: no user (reads of public objects only, when enabled).
struct Principal {
    std::string user_id; // empty when anonymous
    std::string user_name;
    std::string token_id;
    unsigned scopes = 0;
    bool anonymous() const { return user_id.empty(); }
    bool admin() const { return (scopes & scope_admin) != 0; }
    bool has(unsigned scope) const { return (scopes & scope) == scope || admin(); }
};

enum class TokenCheck { ok, unknown, expired, revoked };

// Tokens found valid, by hash, kept for a short time so that a request does not look its
// token up in the catalog. Only valid tokens are kept (a new token works at once); an entry
// goes when its time is up, when the token expires, and at once when the token is revoked:
// by revoke_token in this process, or, from another process (`ts-serve token revoke`),
// through the catalog's change journal (CATALOG-changes, appended to at each
// revocation), whose size is checked on every lookup.
class TokenCache {
  public:
    using Clock = std::chrono::steady_clock;
    explicit TokenCache(Clock::duration ttl = std::chrono::seconds(10)) : ttl_(ttl) {}
    // The principal of a cached token that is still valid at `now` (expires: RFC 3339 UTC).
    std::optional<Principal> get(const std::string &hash, Clock::time_point now,
                                 const std::string &utc_now);
    // The same, reading the UTC clock only for a token that has an expiry.
    std::optional<Principal> get(const std::string &hash, Clock::time_point now);
    // Keeps a token found valid, unless a revocation came since `generation` (what
    // check_journal returned before the token was looked up): a lookup that raced with a
    // revocation is not kept.
    void put(const std::string &hash, const Principal &p, std::optional<std::string> expires,
             Clock::time_point now, std::uint64_t generation);
    void forget_token(const std::string &token_id); // a revocation
    void clear();
    // Clears the cache when the change journal's size differs from the last one seen;
    // returns the generation (counts the revocations and clears seen).
    std::uint64_t check_journal(std::int64_t size);
    std::size_t size();

  private:
    struct Entry {
        Principal p;
        std::optional<std::string> expires;
        Clock::time_point until;
    };
    template <class Utc>
    std::optional<Principal> find(const std::string &hash, Clock::time_point now, Utc utc_now);

    Clock::duration ttl_;
    // Lookups share the lock (every request makes one); changes take it alone.
    std::shared_mutex mutex_;
    std::unordered_map<std::string, Entry> map_;
    std::atomic<std::int64_t> journal_{-2}; // size last seen; -1: no journal yet
    std::atomic<std::uint64_t> generation_{0};
};

// The process's cache, used by check_token and revoke_token.
TokenCache &token_cache();

// Looks a presented token up by its hash (in the cache, else the catalog); fills p when ok.
TokenCheck check_token(Db &db, std::string_view token, Principal &p);

struct NewToken {
    std::string token; // the secret, shown once
    std::string id;
    std::string user_id;
};

// Makes the user if missing and a token for them. expires: RFC 3339, or empty for never.
NewToken create_token(Db &db, const std::string &user, unsigned scopes,
                      const std::string &label, const std::string &expires);

// Marks a token revoked; false when there is no such token.
bool revoke_token(Db &db, const std::string &token_id);

} // namespace ts::serve
