// Bearer tokens: made random, shown once, kept as SHA-256; scopes; the principal of a request.
#pragma once

#include <optional>
#include <string>
#include <string_view>

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

// Looks a presented token up by its hash; fills p when ok.
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
