// Browser sessions kept hashed in the catalog (table sessions, schema version 3).
#include "serve/session.hpp"

#include "serve/db.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace ts::serve {
namespace {

std::string utc(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.000Z", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

// The seconds of an RFC 3339 UTC time's first 19 characters; nothing when unreadable.
std::optional<std::time_t> parse_utc(const std::string &s) {
    std::tm tm{};
    if (s.size() < 19 || std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
                                     &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

} // namespace

std::optional<NewSession> create_session(Db &db, std::string_view token, long ttl, Principal &p,
                                         TokenCheck &check) {
    check = check_token(db, token, p);
    if (check != TokenCheck::ok)
        return std::nullopt;
    auto lock = db.lock();
    const std::time_t now = std::time(nullptr);
    std::time_t end = now + ttl;
    {
        Stmt st(db, "SELECT expires FROM tokens WHERE id = ?1");
        st.bind(1, p.token_id);
        if (st.step() && !st.null(0))
            if (const auto t = parse_utc(st.text(0)))
                end = std::min(end, *t);
    }
    NewSession s;
    s.secret = new_token().substr(4); // 43 characters of base64url: 256 random bits
    s.expires = utc(end);
    s.max_age = std::max<long>(1, static_cast<long>(end - now));
    Transaction t(db);
    Stmt purge(db, "DELETE FROM sessions WHERE expires <= ?1");
    purge.bind(1, now_utc()).run();
    Stmt add(db, "INSERT INTO sessions(hash, token_id, user_id, scopes, created, expires) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    add.bind(1, sha256_hex(s.secret)).bind(2, p.token_id).bind(3, p.user_id);
    add.bind(4, format_scopes(p.scopes)).bind(5, now_utc()).bind(6, s.expires).run();
    t.commit();
    return s;
}

TokenCheck check_session(Db &db, std::string_view secret, Principal &p, std::string *expires) {
    if (secret.size() < 16 || secret.size() > 200)
        return TokenCheck::unknown;
    auto lock = db.lock();
    Stmt st(db, "SELECT s.token_id, s.user_id, u.name, s.scopes, s.expires, t.revoked, t.expires "
                "FROM sessions s JOIN tokens t ON t.id = s.token_id "
                "JOIN users u ON u.id = s.user_id WHERE s.hash = ?1");
    st.bind(1, sha256_hex(secret));
    if (!st.step())
        return TokenCheck::unknown;
    if (!st.null(5))
        return TokenCheck::revoked;
    const std::string now = now_utc();
    if (st.text(4) <= now || (!st.null(6) && st.text(6) <= now))
        return TokenCheck::expired;
    p.token_id = st.text(0);
    p.user_id = st.text(1);
    p.user_name = st.text(2);
    p.scopes = parse_scopes(st.text(3)).value_or(0);
    if (expires)
        *expires = st.text(4);
    return TokenCheck::ok;
}

bool end_session(Db &db, std::string_view secret) {
    if (secret.empty() || secret.size() > 200)
        return false;
    auto lock = db.lock();
    Stmt st(db, "DELETE FROM sessions WHERE hash = ?1");
    st.bind(1, sha256_hex(secret)).run();
    return db.changes() > 0;
}

std::optional<std::string> session_cookie(std::string_view h) {
    const std::string_view name = session_cookie_name;
    std::size_t i = 0;
    while (i < h.size()) {
        while (i < h.size() && (h[i] == ' ' || h[i] == ';'))
            ++i;
        std::size_t j = h.find(';', i);
        if (j == std::string_view::npos)
            j = h.size();
        std::string_view pair = h.substr(i, j - i);
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos) {
            std::string_view k = pair.substr(0, eq), v = pair.substr(eq + 1);
            while (!k.empty() && k.back() == ' ')
                k.remove_suffix(1);
            while (!v.empty() && v.back() == ' ')
                v.remove_suffix(1);
            if (v.size() >= 2 && v.front() == '"' && v.back() == '"')
                v = v.substr(1, v.size() - 2);
            if (k == name)
                return std::string(v);
        }
        i = j;
    }
    return std::nullopt;
}

std::string session_set_cookie(const std::string &secret, long max_age, bool secure) {
    return std::string(session_cookie_name) + "=" + secret +
           "; HttpOnly; SameSite=Strict; Path=/; Max-Age=" + std::to_string(max_age) +
           (secure ? "; Secure" : "");
}

std::string session_clear_cookie(bool secure) {
    return std::string(session_cookie_name) +
           "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT" +
           (secure ? "; Secure" : "");
}

void SignInLimiter::drain(Bucket &b, std::chrono::steady_clock::time_point now) const {
    const double dt = std::chrono::duration<double>(now - b.at).count();
    b.failures = std::max(0.0, b.failures - dt * rate_);
    b.at = now;
}

int SignInLimiter::blocked(const std::string &key) {
    if (rate_ <= 0)
        return 0;
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    const auto it = buckets_.find(key);
    if (it == buckets_.end())
        return 0;
    drain(it->second, now);
    if (it->second.failures + 1.0 <= burst_)
        return 0;
    return std::max(1, static_cast<int>(std::ceil((it->second.failures + 1.0 - burst_) / rate_)));
}

void SignInLimiter::failed(const std::string &key) {
    if (rate_ <= 0)
        return;
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (buckets_.size() > 100000) // a flood of addresses: forget the drained ones
        for (auto it = buckets_.begin(); it != buckets_.end();) {
            drain(it->second, now);
            it = it->second.failures <= 0.0 ? buckets_.erase(it) : std::next(it);
        }
    auto [it, fresh] = buckets_.try_emplace(key, Bucket{0.0, now});
    if (!fresh)
        drain(it->second, now);
    it->second.failures += 1.0;
}

} // namespace ts::serve
