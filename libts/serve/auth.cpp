// Tokens and scopes. Only the hash is stored, so a copy of the catalog grants nothing.
#include "serve/auth.hpp"

#include "core/error.hpp"
#include "serve/db.hpp"
#include "serve/paths.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ts::serve {

std::optional<unsigned> parse_scopes(std::string_view text) {
    unsigned mask = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == ','))
            ++i;
        std::size_t j = i;
        while (j < text.size() && text[j] != ' ' && text[j] != ',')
            ++j;
        if (j == i)
            break;
        const std::string_view w = text.substr(i, j - i);
        if (w == "read")
            mask |= scope_read;
        else if (w == "annotate")
            mask |= scope_annotate;
        else if (w == "process")
            mask |= scope_process;
        else if (w == "admin")
            mask |= scope_admin;
        else
            return std::nullopt;
        i = j;
    }
    if (mask == 0)
        return std::nullopt;
    if (mask & scope_admin)
        mask |= scope_read | scope_annotate | scope_process;
    return mask;
}

std::string format_scopes(unsigned mask) {
    std::string out;
    const std::pair<unsigned, const char *> names[] = {{scope_read, "read"},
                                                       {scope_annotate, "annotate"},
                                                       {scope_process, "process"},
                                                       {scope_admin, "admin"}};
    for (const auto &[bit, name] : names)
        if (mask & bit) {
            if (!out.empty())
                out += ' ';
            out += name;
        }
    return out;
}

std::string new_token() {
    unsigned char b[32];
    if (RAND_bytes(b, sizeof b) != 1)
        throw Error("no random bytes from OpenSSL");
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out = "tsk_";
    // base64url without padding: 32 bytes are 43 characters.
    unsigned acc = 0;
    int bits = 0;
    for (unsigned char c : b) {
        acc = (acc << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += alphabet[(acc >> bits) & 63];
        }
    }
    if (bits > 0)
        out += alphabet[(acc << (6 - bits)) & 63];
    return out;
}

std::string sha256_hex(std::string_view bytes) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr) != 1)
        throw Error("SHA-256 failed");
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

template <class Utc>
std::optional<Principal> TokenCache::find(const std::string &hash, Clock::time_point now,
                                          Utc utc_now) {
    std::shared_lock g(mutex_);
    auto it = map_.find(hash);
    // A stale entry stays until it is replaced or the map is cleared: lookups do not write.
    if (it == map_.end() || now >= it->second.until ||
        (it->second.expires && *it->second.expires <= utc_now()))
        return std::nullopt;
    return it->second.p;
}

std::optional<Principal> TokenCache::get(const std::string &hash, Clock::time_point now,
                                         const std::string &utc_now) {
    return find(hash, now, [&] { return utc_now; });
}

std::optional<Principal> TokenCache::get(const std::string &hash, Clock::time_point now) {
    return find(hash, now, [] { return now_utc(); });
}

void TokenCache::put(const std::string &hash, const Principal &p,
                     std::optional<std::string> expires, Clock::time_point now,
                     std::uint64_t generation) {
    std::unique_lock g(mutex_);
    if (generation != generation_.load())
        return;
    if (map_.size() >= 10000) // bounded: many distinct tokens in a TTL only cost lookups
        map_.clear();
    map_[hash] = Entry{p, std::move(expires), now + ttl_};
}

void TokenCache::forget_token(const std::string &token_id) {
    std::unique_lock g(mutex_);
    ++generation_;
    for (auto it = map_.begin(); it != map_.end();)
        it = it->second.p.token_id == token_id ? map_.erase(it) : std::next(it);
}

void TokenCache::clear() {
    std::unique_lock g(mutex_);
    ++generation_;
    map_.clear();
}

std::uint64_t TokenCache::check_journal(std::int64_t size) {
    if (size == journal_.load(std::memory_order_acquire))
        return generation_.load(std::memory_order_acquire);
    std::unique_lock g(mutex_);
    if (size != journal_.load()) {
        ++generation_;
        map_.clear();
        journal_ = size;
    }
    return generation_.load();
}

std::size_t TokenCache::size() {
    std::lock_guard g(mutex_);
    return map_.size();
}

TokenCache &token_cache() {
    static TokenCache cache;
    return cache;
}

TokenCheck check_token(Db &db, std::string_view token, Principal &p) {
    if (token.size() < 8 || token.size() > 200)
        return TokenCheck::unknown;
    TokenCache &cache = token_cache();
    const std::uint64_t generation = cache.check_journal(db.journal_size());
    const std::string hash = token_hash(token);
    const auto now = TokenCache::Clock::now();
    if (auto hit = cache.get(hash, now)) {
        p = *hit;
        return TokenCheck::ok;
    }
    const std::string utc = now_utc();
    Db &r = db.reader();
    Stmt st(r, "SELECT t.id, t.user_id, u.name, t.scopes, t.expires, t.revoked "
               "FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?1", Stmt::cached);
    st.bind(1, hash);
    if (!st.step())
        return TokenCheck::unknown;
    if (!st.null(5))
        return TokenCheck::revoked;
    if (!st.null(4) && st.text(4) <= utc)
        return TokenCheck::expired;
    p.token_id = st.text(0);
    p.user_id = st.text(1);
    p.user_name = st.text(2);
    p.scopes = parse_scopes(st.text(3)).value_or(0);
    cache.put(hash, p, st.opt_text(4), now, generation);
    return TokenCheck::ok;
}

NewToken create_token(Db &db, const std::string &user, unsigned scopes,
                      const std::string &label, const std::string &expires) {
    auto lock = db.lock();
    Transaction t(db);
    NewToken out;
    {
        Stmt find(db, "SELECT id FROM users WHERE name = ?1");
        find.bind(1, user);
        if (find.step()) {
            out.user_id = find.text(0);
        } else {
            out.user_id = random_uuid();
            Stmt add(db, "INSERT INTO users(id, name, created) VALUES (?1, ?2, ?3)");
            add.bind(1, out.user_id).bind(2, user).bind(3, now_utc()).run();
        }
    }
    out.token = new_token();
    out.id = random_uuid();
    Stmt add(db, "INSERT INTO tokens(id, user_id, hash, scopes, label, created, expires) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    add.bind(1, out.id).bind(2, out.user_id).bind(3, token_hash(out.token));
    add.bind(4, format_scopes(scopes)).bind(5, label).bind(6, now_utc());
    if (expires.empty())
        add.bind_null(7);
    else
        add.bind(7, expires);
    add.run();
    t.commit();
    return out;
}

bool revoke_token(Db &db, const std::string &token_id) {
    auto lock = db.lock();
    Stmt st(db, "UPDATE tokens SET revoked = ?2 WHERE id = ?1 AND revoked IS NULL");
    st.bind(1, token_id).bind(2, now_utc()).run();
    if (db.changes() == 0)
        return false;
    token_cache().forget_token(token_id);
    // The journal tells a server running in another process.
    db.note_change("revoked " + token_id);
    return true;
}

} // namespace ts::serve
