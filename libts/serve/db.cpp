// SQLite through its C API, errors as ts::Error naming the catalog.
#include "serve/db.hpp"

#include "core/error.hpp"
#include "serve/schema.hpp"

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <ctime>

namespace ts::serve {

Stmt::Stmt(Db &db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &st_,
                           nullptr) != SQLITE_OK)
        db.fail("preparing a statement");
}

Stmt::Stmt(Db &db, std::string_view sql, Cached) : db_(db), key_(sql) {
    if (auto it = db.cache_.find(key_); it != db.cache_.end()) {
        st_ = it->second;
        db.cache_.erase(it); // in use: a nested statement of the same SQL prepares its own
        return;
    }
    if (sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &st_, nullptr) != SQLITE_OK)
        db.fail("preparing a statement");
}

Stmt::~Stmt() {
    if (key_.empty() || !st_) {
        sqlite3_finalize(st_);
        return;
    }
    // Reset ends the statement's read transaction: the next use sees newer commits.
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
    if (!db_.cache_.emplace(std::move(key_), st_).second)
        sqlite3_finalize(st_);
}

Stmt &Stmt::bind(int i, std::string_view v) {
    if (sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) !=
        SQLITE_OK)
        db_.fail("binding a value");
    return *this;
}

Stmt &Stmt::bind(int i, std::int64_t v) {
    if (sqlite3_bind_int64(st_, i, v) != SQLITE_OK)
        db_.fail("binding a value");
    return *this;
}

Stmt &Stmt::bind(int i, double v) {
    if (sqlite3_bind_double(st_, i, v) != SQLITE_OK)
        db_.fail("binding a value");
    return *this;
}

Stmt &Stmt::bind_null(int i) {
    if (sqlite3_bind_null(st_, i) != SQLITE_OK)
        db_.fail("binding a value");
    return *this;
}

bool Stmt::step() {
    const int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    db_.fail("running a statement");
}

void Stmt::run() {
    while (step()) {
    }
}

bool Stmt::null(int col) const { return sqlite3_column_type(st_, col) == SQLITE_NULL; }

std::string Stmt::text(int col) const {
    const auto *p = sqlite3_column_text(st_, col);
    return p ? std::string(reinterpret_cast<const char *>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(st_, col)))
             : std::string();
}

std::int64_t Stmt::integer(int col) const { return sqlite3_column_int64(st_, col); }
double Stmt::real(int col) const { return sqlite3_column_double(st_, col); }

std::optional<std::string> Stmt::opt_text(int col) const {
    if (null(col))
        return std::nullopt;
    return text(col);
}

namespace {
std::atomic<std::uint64_t> db_serials{0};
} // namespace

void Db::open(int flags) {
    serial_ = ++db_serials;
    if (sqlite3_open_v2(name_.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
        std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw Error(name_ + ": cannot open the catalog: " + why);
    }
    sqlite3_busy_timeout(db_, 5000);
}

Db::Db(const std::filesystem::path &file) : name_(file.string()) {
    open(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX);
    exec("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;");
    sqlite3_wal_hook(db_, &Db::on_commit, this);
    migrate(*this);
}

int Db::on_commit(void *self, sqlite3 *db, const char *name, int pages) {
    static_cast<Db *>(self)->commits_.fetch_add(1, std::memory_order_acq_rel);
    // This hook replaces SQLite's own, which checkpoints the WAL once it holds 1000 pages.
    if (pages >= 1000)
        sqlite3_wal_checkpoint(db, name);
    return SQLITE_OK;
}

std::int64_t Db::journal_size() const {
    struct stat st {};
    return ::stat(journal_path().c_str(), &st) == 0 ? static_cast<std::int64_t>(st.st_size) : -1;
}

void Db::note_change(const std::string &line) {
    // One line per change, so that the size grows at each (a time could repeat).
    const std::string text = line + "\n";
    const std::string path = journal_path();
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
        const int e = errno;
        if (fd >= 0)
            ::close(fd);
        throw Error(path + ": cannot tell a running server of the change: " + std::strerror(e));
    }
    ::close(fd);
}

Db::Db(const std::string &file, ReaderTag) : name_(file) {
    // The catalog exists and is in WAL mode (the writer made it): readers never block it.
    open(SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
    exec("PRAGMA query_only=ON;");
}

Db::~Db() {
    for (auto &[sql, st] : cache_)
        sqlite3_finalize(st);
    cache_.clear();
    {
        std::lock_guard g(readers_mutex_);
        readers_.clear();
    }
    sqlite3_close(db_);
}

Db &Db::reader() {
    // (serial, connection) of each Db this thread read from; serials are never reused, so a
    // slot of a destroyed Db is never matched again.
    thread_local std::vector<std::pair<std::uint64_t, Db *>> mine;
    for (const auto &[serial, db] : mine)
        if (serial == serial_)
            return *db;
    auto made = std::unique_ptr<Db>(new Db(name_, ReaderTag{}));
    Db *db = made.get();
    {
        std::lock_guard g(readers_mutex_);
        readers_.push_back(std::move(made));
    }
    if (mine.size() >= 8)
        mine.erase(mine.begin());
    mine.emplace_back(serial_, db);
    return *db;
}

void Db::exec(std::string_view sql) {
    char *err = nullptr;
    std::string s(sql);
    if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string why = err ? err : "unknown error";
        sqlite3_free(err);
        throw Error(name_ + ": " + why);
    }
}

std::int64_t Db::changes() const { return sqlite3_changes64(db_); }

std::int64_t Db::schema_version() {
    Stmt st(*this, "PRAGMA user_version");
    st.step();
    return st.integer(0);
}

void Db::fail(const std::string &what) const {
    throw Error(name_ + ": " + what + ": " + sqlite3_errmsg(db_));
}

Transaction::Transaction(Db &db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
    if (!done_) {
        try {
            db_.exec("ROLLBACK");
        } catch (...) {
        }
    }
}

void Transaction::commit() {
    db_.exec("COMMIT");
    done_ = true;
}

std::string now_utc() {
    using namespace std::chrono;
    const auto now = system_clock::now();
    const std::time_t t = system_clock::to_time_t(now);
    const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[80];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms));
    return buf;
}

} // namespace ts::serve
