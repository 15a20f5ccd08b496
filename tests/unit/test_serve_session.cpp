// ts-serve's browser sessions on a temporary catalog: made from a token, kept hashed, ended by
// sign-out, expiry and the token's revocation; the cookie parser; the sign-in limiter.
#include "serve/auth.hpp"
#include "serve/db.hpp"
#include "serve/session.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace ts::serve;

namespace {

struct Catalog {
    fs::path dir;
    std::unique_ptr<Db> db;
    Catalog() {
        dir = fs::temp_directory_path() / ("ts-session-test-" + std::to_string(::getpid()));
        fs::remove_all(dir);
        fs::create_directories(dir);
        db = std::make_unique<Db>(dir / "catalog.sqlite");
    }
    ~Catalog() {
        db.reset();
        fs::remove_all(dir);
    }
    std::int64_t count() {
        Stmt st(*db, "SELECT count(*) FROM sessions");
        st.step();
        return st.integer(0);
    }
};

} // namespace

TEST_CASE("serve: a session carries its token's user and scopes, hashed") {
    Catalog c;
    const auto t = create_token(*c.db, "alice", scope_read | scope_annotate, "", "");
    Principal p;
    TokenCheck check = TokenCheck::unknown;
    const auto s = create_session(*c.db, t.token, 3600, p, check);
    REQUIRE(s);
    CHECK(check == TokenCheck::ok);
    CHECK(s->secret.size() == 43);
    CHECK(s->max_age == 3600);
    CHECK(s->secret.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos);
    {
        Stmt st(*c.db, "SELECT hash, scopes FROM sessions");
        REQUIRE(st.step());
        CHECK(st.text(0) == sha256_hex(s->secret)); // the secret itself is not kept
        CHECK(st.text(1) == "read annotate");
    }
    Principal q;
    std::string expires;
    CHECK(check_session(*c.db, s->secret, q, &expires) == TokenCheck::ok);
    CHECK(q.user_name == "alice");
    CHECK(q.user_id == t.user_id);
    CHECK(q.token_id == t.id);
    CHECK(q.has(scope_annotate));
    CHECK_FALSE(q.has(scope_process));
    CHECK(expires == s->expires);
    CHECK(expires > now_utc());

    Principal r;
    CHECK(check_session(*c.db, s->secret + "x", r) == TokenCheck::unknown);
    CHECK(check_session(*c.db, "", r) == TokenCheck::unknown);
    CHECK(r.user_id.empty());

    CHECK(end_session(*c.db, s->secret));
    CHECK_FALSE(end_session(*c.db, s->secret));
    CHECK(check_session(*c.db, s->secret, r) == TokenCheck::unknown);
}

TEST_CASE("serve: an unusable token makes no session") {
    Catalog c;
    Principal p;
    TokenCheck check = TokenCheck::ok;
    CHECK_FALSE(create_session(*c.db, "tsk_nothing-like-it", 3600, p, check));
    CHECK(check == TokenCheck::unknown);
    const auto old = create_token(*c.db, "bob", scope_read, "", "2001-01-01T00:00:00Z");
    CHECK_FALSE(create_session(*c.db, old.token, 3600, p, check));
    CHECK(check == TokenCheck::expired);
    CHECK(c.count() == 0);
}

TEST_CASE("serve: revoking or expiring the token ends its sessions") {
    Catalog c;
    const auto t = create_token(*c.db, "alice", scope_read, "", "");
    Principal p;
    TokenCheck check;
    const auto a = create_session(*c.db, t.token, 3600, p, check);
    const auto b = create_session(*c.db, t.token, 3600, p, check);
    REQUIRE((a && b));
    CHECK(a->secret != b->secret);
    CHECK(revoke_token(*c.db, t.id));
    CHECK(check_session(*c.db, a->secret, p) == TokenCheck::revoked);
    CHECK(check_session(*c.db, b->secret, p) == TokenCheck::revoked);

    // A token expiring in 10 minutes caps a 12-hour session at 10 minutes.
    const std::time_t soon = std::time(nullptr) + 600;
    std::tm tm{};
    gmtime_r(&soon, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    const auto u = create_token(*c.db, "carol", scope_read, "", when);
    const auto s = create_session(*c.db, u.token, 12 * 3600, p, check);
    REQUIRE(s);
    CHECK(s->max_age >= 598);
    CHECK(s->max_age <= 600);
    CHECK(s->expires.substr(0, 19) == std::string(when).substr(0, 19));
    Stmt st(*c.db, "UPDATE tokens SET expires = '2001-01-01T00:00:00Z' WHERE id = ?1");
    st.bind(1, u.id).run();
    CHECK(check_session(*c.db, s->secret, p) == TokenCheck::expired);
}

TEST_CASE("serve: expired sessions are refused, then purged") {
    Catalog c;
    const auto t = create_token(*c.db, "alice", scope_read, "", "");
    Principal p;
    TokenCheck check;
    const auto s = create_session(*c.db, t.token, 3600, p, check);
    REQUIRE(s);
    c.db->exec("UPDATE sessions SET expires = '2000-01-01T00:00:00.000Z'");
    CHECK(check_session(*c.db, s->secret, p) == TokenCheck::expired);
    CHECK(c.count() == 1);
    REQUIRE(create_session(*c.db, t.token, 3600, p, check)); // purges the expired one
    CHECK(c.count() == 1);
    CHECK(check_session(*c.db, s->secret, p) == TokenCheck::unknown);
}

TEST_CASE("serve: the session cookie in a Cookie header") {
    CHECK(session_cookie("ts_session=abc") == "abc");
    CHECK(session_cookie("theme=dark; ts_session=abc; lang=fr") == "abc");
    CHECK(session_cookie("theme=dark;ts_session=\"abc\"") == "abc");
    CHECK(session_cookie("xts_session=abc") == std::nullopt);
    CHECK(session_cookie("ts_sessionx=abc; a=b") == std::nullopt);
    CHECK(session_cookie("") == std::nullopt);
    CHECK(session_cookie("ts_session") == std::nullopt);
    CHECK(session_cookie("ts_session=") == "");
}

TEST_CASE("serve: Set-Cookie attributes") {
    CHECK(session_set_cookie("S", 43200, false) ==
          "ts_session=S; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200");
    CHECK(session_set_cookie("S", 60, true) ==
          "ts_session=S; HttpOnly; SameSite=Strict; Path=/; Max-Age=60; Secure");
    const std::string clear = session_clear_cookie(false);
    CHECK(clear.rfind("ts_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0", 0) == 0);
}

TEST_CASE("serve: failed sign-ins are limited per address") {
    SignInLimiter lim(60, 3); // drains one failure a second
    CHECK(lim.blocked("a") == 0);
    for (int i = 0; i < 3; ++i) {
        CHECK(lim.blocked("a") == 0);
        lim.failed("a");
    }
    CHECK(lim.blocked("a") == 1);
    CHECK(lim.blocked("b") == 0); // another address
    SignInLimiter off(0, 3);
    for (int i = 0; i < 10; ++i)
        off.failed("a");
    CHECK(off.blocked("a") == 0);
}
