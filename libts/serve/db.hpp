// A small SQLite wrapper: one connection, statements with bound values, transactions.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace ts::serve {

class Db;

// A prepared statement; bind with 1-based indexes, step() until it returns false.
class Stmt {
  public:
    struct Cached {};
    static constexpr Cached cached{};
    Stmt(Db &db, std::string_view sql);
    // Taken from the connection's statement cache (prepared once per connection) and given
    // back, reset, when destroyed. For thread-private connections (Db::reader()) only.
    Stmt(Db &db, std::string_view sql, Cached);
    ~Stmt();
    Stmt(const Stmt &) = delete;
    Stmt &operator=(const Stmt &) = delete;

    Stmt &bind(int i, std::string_view v);
    Stmt &bind(int i, const char *v) { return bind(i, std::string_view(v)); }
    Stmt &bind(int i, const std::string &v) { return bind(i, std::string_view(v)); }
    Stmt &bind(int i, std::int64_t v);
    Stmt &bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
    Stmt &bind(int i, bool v) { return bind(i, static_cast<std::int64_t>(v ? 1 : 0)); }
    Stmt &bind(int i, double v);
    Stmt &bind_null(int i);
    template <class T> Stmt &bind(int i, const std::optional<T> &v) {
        return v ? bind(i, *v) : bind_null(i);
    }

    bool step(); // true while a row is available
    void run();  // steps to the end
    bool null(int col) const;
    std::string text(int col) const;
    std::int64_t integer(int col) const;
    double real(int col) const;
    std::optional<std::string> opt_text(int col) const;

  private:
    Db &db_;
    sqlite3_stmt *st_ = nullptr;
    std::string key_; // the SQL of a cached statement
};

class Db {
  public:
    // Opens (creating) the catalog with WAL, foreign keys and a busy timeout, and brings its
    // schema to the current version.
    explicit Db(const std::filesystem::path &file);
    ~Db();

    // This thread's own connection to the same catalog, for queries only (PRAGMA
    // query_only): made on the thread's first call, closed with this Db. Requests read
    // through it without the shared connection's lock, with cached statements. It sees
    // every transaction committed before the statement starts.
    Db &reader();
    Db(const Db &) = delete;
    Db &operator=(const Db &) = delete;

    void exec(std::string_view sql);
    std::int64_t changes() const;
    std::int64_t schema_version();
    [[noreturn]] void fail(const std::string &what) const;

    // The connection is shared by the server's threads: hold the lock around a request's
    // statements (SQLite itself is in serialized mode, the lock makes a sequence atomic).
    std::unique_lock<std::recursive_mutex> lock() { return std::unique_lock(mutex_); }

    // Commits made through this connection, counted after each has landed (its WAL hook):
    // a copy of catalog rows taken when the count was N is current while it is still N,
    // as far as this process's writes go.
    std::uint64_t commits() const { return commits_.load(std::memory_order_acquire); }

    // The catalog's change journal (CATALOG-changes): another process that changes what a
    // running server keeps in memory (a token revoked, a mount added or removed) appends a
    // line to it, and the server compares its size (-1: none yet) at each request.
    std::string journal_path() const { return name_ + "-changes"; }
    std::int64_t journal_size() const;
    void note_change(const std::string &line); // appends line and a newline; throws on failure

    std::uint64_t serial() const { return serial_; } // tells Db objects apart
    sqlite3 *handle() { return db_; }
    const std::string &file() const { return name_; }

  private:
    friend class Stmt;
    struct ReaderTag {};
    Db(const std::string &file, ReaderTag);
    void open(int flags);

    static int on_commit(void *self, sqlite3 *db, const char *name, int pages);

    sqlite3 *db_ = nullptr;
    std::atomic<std::uint64_t> commits_{0};
    std::recursive_mutex mutex_;
    std::string name_;
    std::unordered_map<std::string, sqlite3_stmt *> cache_; // idle cached statements
    std::uint64_t serial_ = 0;                                // tells Db objects apart
    std::mutex readers_mutex_;
    std::vector<std::unique_ptr<Db>> readers_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back when left by an exception.
class Transaction {
  public:
    explicit Transaction(Db &db);
    ~Transaction();
    void commit();

  private:
    Db &db_;
    bool done_ = false;
};

// The current UTC time as RFC 3339 with milliseconds (2026-12-03T18:55:15.123Z).
std::string now_utc();

} // namespace ts::serve
