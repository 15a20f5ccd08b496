// ts-serve's catalog on a temporary folder: the token cache (revocation refused at once, in
// this process and from another), the item cache (current after every commit, in this
// process and from another), per-thread read connections with cached statements,
// name-based ids, and files opened beneath a root.
#include "serve/app.hpp"
#include "serve/auth.hpp"
#include "serve/db.hpp"
#include "serve/items.hpp"
#include "serve/paths.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <thread>

namespace fs = std::filesystem;
using namespace ts::serve;

namespace {

struct Folder {
    fs::path dir;
    explicit Folder(const char *what) {
        dir = fs::temp_directory_path() / (std::string("ts-") + what + "-" + std::to_string(::getpid()));
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    ~Folder() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

} // namespace

TEST_CASE("serve: the token cache answers, and a revoked token is refused at once") {
    Folder f("tokens");
    Db db(f.dir / "catalog.sqlite");
    const auto t = create_token(db, "alice", scope_read, "", "");
    const auto other = create_token(db, "bob", scope_read, "", "");
    Principal p;
    REQUIRE(check_token(db, t.token, p) == TokenCheck::ok);
    CHECK(p.user_name == "alice");
    CHECK(p.token_id == t.id);
    // Cached: answered without the catalog (its row changed behind the cache's back).
    db.exec("UPDATE tokens SET scopes = 'admin' WHERE id = '" + t.id + "'");
    Principal q;
    REQUIRE(check_token(db, t.token, q) == TokenCheck::ok);
    CHECK(q.scopes == scope_read);
    // Revoked in this process: refused on the very next request.
    REQUIRE(revoke_token(db, t.id));
    CHECK(check_token(db, t.token, q) == TokenCheck::revoked);
    Principal r;
    CHECK(check_token(db, other.token, r) == TokenCheck::ok);
    CHECK(check_token(db, "tsk_not-a-token-at-all", r) == TokenCheck::unknown);

    // Revoked by another process (ts-serve token revoke): the journal tells this one.
    REQUIRE(check_token(db, other.token, r) == TokenCheck::ok); // cached
    const pid_t child = ::fork();
    if (child == 0) {
        Db own(f.dir / "catalog.sqlite");
        ::_exit(revoke_token(own, other.id) ? 0 : 1);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    CHECK(check_token(db, other.token, r) == TokenCheck::revoked);
}

TEST_CASE("serve: cached tokens expire with their TTL and their expiry") {
    TokenCache cache(std::chrono::seconds(5));
    const auto t0 = TokenCache::Clock::now();
    Principal p;
    p.token_id = "id1";
    p.user_id = "u";
    auto gen = cache.check_journal(-1);
    cache.put("h1", p, std::nullopt, t0, gen);
    cache.put("h2", p, std::string("2026-01-01T00:00:00.000Z"), t0, gen);
    CHECK(cache.get("h1", t0 + std::chrono::seconds(4), "2025-06-01T00:00:00.000Z"));
    CHECK_FALSE(cache.get("h1", t0 + std::chrono::seconds(5), "2025-06-01T00:00:00.000Z"));
    CHECK(cache.get("h2", t0, "2025-12-31T23:59:59.999Z"));
    CHECK_FALSE(cache.get("h2", t0, "2026-01-01T00:00:00.000Z"));
    cache.put("h3", p, std::nullopt, t0, gen);
    cache.forget_token("id1");
    CHECK(cache.size() == 0);
    // A lookup that started before a revocation is not kept after it.
    cache.put("h3", p, std::nullopt, t0, gen);
    CHECK(cache.size() == 0);
    gen = cache.check_journal(-1);
    cache.put("h4", p, std::nullopt, t0, gen);
    CHECK(cache.size() == 1);
    const auto before = gen;
    gen = cache.check_journal(10);
    CHECK(gen != before);
    CHECK(cache.size() == 0); // the journal appeared: nothing cached may predate it
    cache.put("h4", p, std::nullopt, t0, before); // looked up before the revocation
    CHECK(cache.size() == 0);
    cache.put("h4", p, std::nullopt, t0, gen);
    CHECK(cache.check_journal(10) == gen);
    CHECK(cache.size() == 1);
    cache.check_journal(21);
    CHECK(cache.size() == 0);
}

TEST_CASE("serve: each thread reads through its own connection, seeing every commit") {
    Folder f("readers");
    Db db(f.dir / "catalog.sqlite");
    Db &mine = db.reader();
    CHECK(&mine == &db.reader());
    CHECK(&mine != &db);
    Db *theirs = nullptr;
    std::thread([&] { theirs = &db.reader(); }).join();
    CHECK(theirs != &mine);
    create_token(db, "alice", scope_read, "", "");
    for (int i = 0; i < 3; ++i) {
        Stmt st(mine, "SELECT count(*) FROM users", Stmt::cached);
        REQUIRE(st.step());
        CHECK(st.integer(0) == 1 + i);
        create_token(db, "user" + std::to_string(i), scope_read, "", "");
    }
    {
        // The same SQL nested: the second prepares its own statement.
        Stmt a(mine, "SELECT name FROM users ORDER BY name", Stmt::cached);
        Stmt b(mine, "SELECT name FROM users ORDER BY name", Stmt::cached);
        REQUIRE(a.step());
        REQUIRE(b.step());
        CHECK(a.text(0) == b.text(0));
    }
    // Readers cannot write.
    CHECK_THROWS(mine.exec("DELETE FROM users"));
}

TEST_CASE("serve: cached items follow every commit, and another process's changes") {
    Folder f("items");
    Config cfg;
    cfg.data = f.dir;
    prepare_data(cfg.data, false);
    App app(cfg);
    Db &db = app.db();
    const auto alice = create_token(db, "alice", scope_read, "", "");
    const auto bob = create_token(db, "bob", scope_read, "", "");
    const std::string id = "0b7a2c1e-4d5f-4a6b-8c9d-0e1f2a3b4c5d";
    Stmt(db, "INSERT INTO items(id, owner, title, filename, media, mime, size, info, created, "
             "updated) VALUES (?1, ?2, 'first', 'a.wav', 'a.wav', 'audio/wav', 4, '{}', 'x', 'x')")
        .bind(1, id).bind(2, alice.user_id).run();
    Principal a, b;
    a.user_id = alice.user_id;
    a.scopes = scope_read;
    b.user_id = bob.user_id;
    b.scopes = scope_read;
    const std::uint64_t commits = db.commits();
    REQUIRE(find_readable(app, a, id));
    CHECK(find_readable(app, a, id)->title == "first"); // now from the cache
    CHECK_FALSE(find_readable(app, b, id));            // private: the cache decides as the query
    // A commit of this process: read again at once.
    Stmt(db, "UPDATE items SET title = 'second', public = 1 WHERE id = ?1").bind(1, id).run();
    CHECK(db.commits() == commits + 1);
    CHECK(find_readable(app, a, id)->title == "second");
    REQUIRE(find_readable(app, b, id));
    // Another process's commit is told through the change journal.
    CHECK(db.journal_size() == -1); // none yet
    const pid_t pid = ::fork();
    if (pid == 0) {
        try {
            Db other(f.dir / "catalog.sqlite");
            Stmt(other, "UPDATE items SET public = 0 WHERE id = ?1").bind(1, id).run();
            other.note_change("test");
        } catch (...) {
            ::_exit(1);
        }
        ::_exit(0);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    CHECK(db.commits() == commits + 1); // not this process's
    CHECK(db.journal_size() == 5); // "test\n"
    CHECK_FALSE(find_readable(app, b, id));
    CHECK(find_readable(app, a, id)->title == "second");
}

TEST_CASE("serve: name-based ids and files opened beneath a root") {
    CHECK(name_uuid("item\narch\na.wav") == name_uuid("item\narch\na.wav"));
    CHECK(name_uuid("item\narch\na.wav") != name_uuid("item\narch\nb.wav"));
    CHECK(is_uuid(name_uuid("x")));
    CHECK(name_uuid("x")[14] == '5');

    Folder f("beneath");
    const fs::path root = f.dir / "root";
    fs::create_directories(root / "sub");
    std::ofstream(root / "sub" / "a 100%.wav") << "inside";
    std::ofstream(f.dir / "secret") << "outside";
    fs::create_symlink("../../secret", root / "sub" / "out.wav");
    fs::create_symlink(f.dir / "secret", root / "abs.wav");
    fs::create_symlink("a 100%.wav", root / "sub" / "in.wav");
    auto read_all = [](int fd) {
        char buf[64];
        const ssize_t n = ::read(fd, buf, sizeof buf);
        ::close(fd);
        return std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    };
    int fd = open_beneath(root, "sub/a 100%.wav");
    REQUIRE(fd >= 0);
    CHECK(read_all(fd) == "inside");
    fd = open_beneath(root, "sub/in.wav"); // a link that stays inside
    REQUIRE(fd >= 0);
    CHECK(read_all(fd) == "inside");
    for (const char *bad : {"sub/out.wav", "abs.wav"}) {
        errno = 0;
        CHECK(open_beneath(root, bad) == -1);
        CHECK((errno == EXDEV || errno == ELOOP));
    }
    for (const char *bad : {"../secret", "sub/../../secret", "/etc/passwd", "", "sub//a", "./x"})
        CHECK(open_beneath(root, bad) == -1);
    errno = 0;
    CHECK(open_beneath(root, "sub/none.wav") == -1);
    CHECK(errno == ENOENT);
}
