// Mounting an archive: a walk of SRC, the facts from OUT's catalog, one transaction.
#include "serve/mounts.hpp"

#include "core/error.hpp"
#include "serve/db.hpp"
#include "serve/items.hpp"
#include "serve/paths.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <set>

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace ts::serve {
namespace {

// A file name's extension in lower case ("" without one).
std::string extension(const std::string &name) {
    const auto dot = name.rfind('.');
    if (dot == std::string::npos)
        return "";
    std::string ext = name.substr(dot + 1);
    for (char &c : ext)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

// archive.mk's audio types (archive-rules' find), any case.
bool audio_name(const std::string &name) {
    static const std::set<std::string> exts = {"wav", "flac", "mp3", "ogg",  "oga",  "opus", "m4a",
                                               "mp4", "aac",  "aif", "aiff", "webm", "wv"};
    return exts.count(extension(name)) > 0;
}

// From the archive's facts when they name the container, else from the file's extension.
std::string mime_of(const std::string &name, const Json &facts) {
    std::string mime = media_mime(facts.value("container", ""), facts.value("codec", ""));
    if (mime != "application/octet-stream")
        return mime;
    static const std::map<std::string, std::string> by_ext = {
        {"wav", "audio/wav"},   {"flac", "audio/flac"}, {"mp3", "audio/mpeg"}, {"ogg", "audio/ogg"},
        {"oga", "audio/ogg"},   {"opus", "audio/ogg; codecs=opus"},            {"m4a", "audio/mp4"},
        {"mp4", "audio/mp4"},   {"aac", "audio/aac"},   {"aif", "audio/aiff"}, {"aiff", "audio/aiff"},
        {"webm", "audio/webm"}, {"wv", "audio/x-wavpack"}};
    auto it = by_ext.find(extension(name));
    return it == by_ext.end() ? mime : it->second;
}

std::string utc(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    return buf;
}

// A whole small file of OUT, opened beneath it; empty when absent or larger than max.
std::string read_beneath(const fs::path &root, const std::string &name, std::size_t max) {
    const int fd = open_beneath(root, name);
    if (fd < 0)
        return {};
    struct stat st {};
    std::string out;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<std::size_t>(st.st_size) <= max) {
        out.resize(static_cast<std::size_t>(st.st_size));
        const ssize_t n = ::pread(fd, out.data(), out.size(), 0);
        out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    }
    ::close(fd);
    return out;
}

// OUT/catalog.jsonl by name under SRC: its "source" is SRC/NAME, SRC as ts-batch resolved it.
std::map<std::string, Json> read_catalog(const fs::path &out, const std::vector<std::string> &prefixes) {
    std::map<std::string, Json> by_name;
    const std::string text = read_beneath(out, "catalog.jsonl", 1u << 30);
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string::npos)
            nl = text.size();
        try {
            Json j = Json::parse(text.substr(pos, nl - pos));
            if (j.is_object() && j["source"].is_string()) {
                const std::string source = j["source"].get<std::string>();
                for (const auto &p : prefixes)
                    if (source.size() > p.size() && source.compare(0, p.size(), p) == 0) {
                        by_name[source.substr(p.size())] = std::move(j);
                        break;
                    }
            }
        } catch (const std::exception &) {
        }
        pos = nl + 1;
    }
    return by_name;
}

std::string user_id(Db &db, const std::string &name) {
    Stmt find(db, "SELECT id FROM users WHERE name = ?1");
    find.bind(1, name);
    if (find.step())
        return find.text(0);
    const std::string id = random_uuid();
    Stmt add(db, "INSERT INTO users(id, name, created) VALUES (?1, ?2, ?3)");
    add.bind(1, id).bind(2, name).bind(3, now_utc()).run();
    return id;
}

fs::path folder(const fs::path &p, const char *what) {
    std::error_code ec;
    const fs::path real = fs::canonical(p, ec);
    if (ec || !fs::is_directory(real, ec))
        throw Error(p.string() + ": the archive's " + what + " folder does not exist");
    return real;
}

bool under(const fs::path &root, const fs::path &p) {
    auto r = root.begin(), q = p.begin();
    for (; r != root.end(); ++r, ++q)
        if (q == p.end() || *r != *q)
            return false;
    return true;
}

void remove_items(Db &db, const fs::path &data, const std::vector<std::string> &ids) {
    for (const auto &id : ids) {
        Stmt st(db, "DELETE FROM items WHERE id = ?1");
        st.bind(1, id).run();
        std::error_code ec;
        fs::remove_all(data / "derived" / id, ec); // the server's renders, never the archive
    }
}

} // namespace

MountReport mount_archive(Db &db, const fs::path &data, const MountSpec &spec) {
    if (spec.name.empty() || spec.name.size() > 100 ||
        !std::all_of(spec.name.begin(), spec.name.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
        }))
        throw UsageError("'" + spec.name + "' is not a mount name: 1 to 100 letters, digits, - _ .");
    const fs::path src = folder(spec.src, "SRC"), out = folder(spec.out, "OUT");
    const fs::path real_data = fs::weakly_canonical(data);
    if (under(src, real_data) || under(out, real_data) || under(real_data, src) || under(real_data, out))
        throw Error(src.string() + ", " + out.string() +
                    ": an archive and the data folder must not hold one another");

    // The walk: regular files only, as archive.mk takes them (find -type f): a symbolic
    // link is not followed, a folder link not entered; OUT is skipped when inside SRC.
    MountReport rep;
    std::vector<std::pair<std::string, struct stat>> files;
    std::error_code ec;
    fs::recursive_directory_iterator walk(src, fs::directory_options::skip_permission_denied, ec);
    if (ec)
        throw Error(src.string() + ": cannot read the archive: " + ec.message());
    for (auto e = fs::begin(walk); e != fs::end(walk); e.increment(ec)) {
        if (ec)
            throw Error(src.string() + ": cannot read the archive: " + ec.message());
        if (e->is_directory(ec) && !e->is_symlink(ec) && under(out, e->path())) {
            e.disable_recursion_pending();
            continue;
        }
        const std::string rel = e->path().lexically_relative(src).string();
        if (!audio_name(rel))
            continue;
        if (e->is_symlink(ec)) {
            rep.skipped.push_back(rel + ": a symbolic link (not followed)");
            continue;
        }
        struct stat st {};
        if (::lstat(e->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (!safe_relative(rel, true)) {
            rep.skipped.push_back(rel + ": a name the server cannot serve");
            continue;
        }
        files.emplace_back(rel, st);
    }
    std::sort(files.begin(), files.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    const auto catalog = read_catalog(out, {src.string() + "/", spec.src.string() + "/"});

    auto lock = db.lock();
    Transaction t(db);
    const std::string owner = user_id(db, spec.owner), now = now_utc();
    {
        Stmt find(db, "SELECT id, collection_id FROM mounts WHERE name = ?1");
        find.bind(1, spec.name);
        if (find.step()) {
            rep.id = find.text(0);
            rep.collection = find.opt_text(1).value_or("");
        }
    }
    if (rep.id.empty()) {
        rep.id = random_uuid();
        Stmt add(db, "INSERT INTO mounts(id, name, src, out, owner, public, created) VALUES "
                     "(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        add.bind(1, rep.id).bind(2, spec.name).bind(3, src.string()).bind(4, out.string());
        add.bind(5, owner).bind(6, spec.is_public).bind(7, now).run();
    } else {
        Stmt up(db, "UPDATE mounts SET src = ?2, out = ?3, owner = ?4, public = ?5 WHERE id = ?1");
        up.bind(1, rep.id).bind(2, src.string()).bind(3, out.string()).bind(4, owner);
        up.bind(5, spec.is_public).run();
    }
    if (rep.collection.empty()) {
        rep.collection = name_uuid("collection\n" + spec.name);
        Stmt c(db, "INSERT OR REPLACE INTO collections(id, owner, title, description, public, "
                   "created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
        c.bind(1, rep.collection).bind(2, owner).bind(3, spec.name);
        c.bind(4, "the archive mounted as " + spec.name + " (read-only)");
        c.bind(5, spec.is_public).bind(6, now).run();
        Stmt m(db, "UPDATE mounts SET collection_id = ?2 WHERE id = ?1");
        m.bind(1, rep.id).bind(2, rep.collection).run();
    }

    std::set<std::string> before;
    {
        Stmt st(db, "SELECT id FROM items WHERE mount_id = ?1");
        st.bind(1, rep.id);
        while (st.step())
            before.insert(st.text(0));
    }
    std::set<std::string> seen;
    for (const auto &[rel, st] : files) {
        Json facts = Json::object();
        if (auto c = catalog.find(rel); c != catalog.end()) {
            facts = c->second;
        } else {
            const std::string info = read_beneath(out, rel + ".info.json", 1u << 20);
            try {
                if (!info.empty())
                    facts = Json::parse(info.substr(0, info.find('\n')));
            } catch (const std::exception &) {
            }
            if (!facts.is_object())
                facts = Json::object();
        }
        facts.erase("source"); // a path on the archive's disk: not shown
        const std::string id = name_uuid("item\n" + spec.name + "\n" + rel);
        seen.insert(id);
        if (!before.count(id))
            ++rep.added;
        const std::string filename = fs::path(rel).filename().string();
        Stmt up(db,
                "INSERT INTO items(id, owner, title, description, public, filename, media, mime, "
                "size, sha1, info, duration, rate, channels, frames, origin, created, updated, "
                "mount_id, mount_path) VALUES (?1, ?2, ?3, '', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                "?12, ?13, ?14, 'archive', ?15, ?15, ?16, ?17) ON CONFLICT(id) DO UPDATE SET "
                "owner = excluded.owner, filename = excluded.filename, media = excluded.media, "
                "mime = excluded.mime, size = excluded.size, sha1 = excluded.sha1, info = "
                "excluded.info, duration = excluded.duration, rate = excluded.rate, channels = "
                "excluded.channels, frames = excluded.frames, mount_id = excluded.mount_id, "
                "mount_path = excluded.mount_path");
        up.bind(1, id).bind(2, owner).bind(3, filename).bind(4, spec.is_public).bind(5, filename);
        // media: the absolute path, for the job runner's tools; every read of the server
        // opens SRC/mount_path beneath SRC instead.
        up.bind(6, (src / rel).string()).bind(7, mime_of(rel, facts));
        up.bind(8, static_cast<std::int64_t>(st.st_size));
        if (facts["sha1"].is_string()) up.bind(9, facts["sha1"].get<std::string>()); else up.bind_null(9);
        up.bind(10, facts.dump());
        if (facts["duration"].is_number()) up.bind(11, facts["duration"].get<double>()); else up.bind_null(11);
        if (facts["rate"].is_number_integer()) up.bind(12, facts["rate"].get<std::int64_t>()); else up.bind_null(12);
        if (facts["channels"].is_number_integer()) up.bind(13, facts["channels"].get<std::int64_t>()); else up.bind_null(13);
        if (facts["frames"].is_number_integer()) up.bind(14, facts["frames"].get<std::int64_t>()); else up.bind_null(14);
        up.bind(15, now).bind(16, rep.id).bind(17, rel).run();
        Stmt c(db, "INSERT OR IGNORE INTO collection_items(collection_id, item_id, added) VALUES "
                   "(?1, ?2, ?3)");
        c.bind(1, rep.collection).bind(2, id).bind(3, now).run();

        // The archive's results file: a set of the result index (its lines read on first use).
        const int fd = open_beneath(out, rel + ".jsonl");
        struct stat rs {};
        const bool have = fd >= 0 && ::fstat(fd, &rs) == 0 && S_ISREG(rs.st_mode);
        if (fd >= 0)
            ::close(fd);
        if (have) {
            ++rep.results;
            const std::string created = utc(rs.st_mtim.tv_sec);
            Stmt same(db, "SELECT 1 FROM result_sets WHERE item_id = ?1 AND set_hash = 'archive' "
                          "AND size = ?2 AND created = ?3 AND indexed = 1");
            same.bind(1, id).bind(2, static_cast<std::int64_t>(rs.st_size)).bind(3, created);
            if (!same.step()) {
                Stmt del(db, "DELETE FROM result_sets WHERE item_id = ?1 AND set_hash = 'archive'");
                del.bind(1, id).run();
                Stmt add(db, "INSERT INTO result_sets(item_id, set_hash, path, mount_id, created, "
                             "size) VALUES (?1, 'archive', ?2, ?3, ?4, ?5)");
                add.bind(1, id).bind(2, rel + ".jsonl").bind(3, rep.id).bind(4, created);
                add.bind(5, static_cast<std::int64_t>(rs.st_size)).run();
            }
        } else {
            Stmt del(db, "DELETE FROM result_sets WHERE item_id = ?1 AND set_hash = 'archive'");
            del.bind(1, id).run();
        }
    }
    std::vector<std::string> gone;
    for (const auto &id : before)
        if (!seen.count(id))
            gone.push_back(id);
    remove_items(db, data, gone);
    rep.removed = static_cast<std::int64_t>(gone.size());
    rep.items = static_cast<std::int64_t>(files.size());
    Stmt done(db, "UPDATE mounts SET indexed = ?2 WHERE id = ?1");
    done.bind(1, rep.id).bind(2, now_utc()).run();
    t.commit();
    db.note_change("mounted " + spec.name); // a running server forgets the items it read
    return rep;
}

std::vector<MountInfo> list_mounts(Db &db) {
    auto lock = db.lock();
    Stmt st(db, "SELECT m.id, m.name, m.src, m.out, u.name, coalesce(m.collection_id, ''), "
                "coalesce(m.indexed, ''), m.public, (SELECT count(*) FROM items i WHERE "
                "i.mount_id = m.id) FROM mounts m JOIN users u ON u.id = m.owner ORDER BY m.name");
    std::vector<MountInfo> out;
    while (st.step())
        out.push_back({st.text(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5),
                       st.text(6), st.integer(7) != 0, st.integer(8)});
    return out;
}

std::vector<std::string> reindex_mounts(Db &db, const fs::path &data) {
    std::vector<std::string> lines;
    for (const auto &m : list_mounts(db)) {
        MountSpec spec{m.name, m.src, m.out, m.owner, m.is_public};
        try {
            const auto r = mount_archive(db, data, spec);
            lines.push_back("archive " + m.name + ": " + std::to_string(r.items) + " items (" +
                            std::to_string(r.added) + " new, " + std::to_string(r.removed) +
                            " gone), " + std::to_string(r.results) + " with results");
        } catch (const std::exception &e) {
            // An archive on a disk that is not there now: its items stay as they were, and
            // their reads answer 404 until it is back.
            lines.push_back("archive " + m.name + " not indexed again: " + e.what());
        }
    }
    return lines;
}

bool unmount(Db &db, const fs::path &data, const std::string &name) {
    auto lock = db.lock();
    Transaction t(db);
    std::string id, collection;
    {
        Stmt find(db, "SELECT id, coalesce(collection_id, '') FROM mounts WHERE name = ?1");
        find.bind(1, name);
        if (!find.step())
            return false;
        id = find.text(0);
        collection = find.text(1);
    }
    std::vector<std::string> ids;
    {
        Stmt st(db, "SELECT id FROM items WHERE mount_id = ?1");
        st.bind(1, id);
        while (st.step())
            ids.push_back(st.text(0));
    }
    remove_items(db, data, ids);
    Stmt c(db, "DELETE FROM collections WHERE id = ?1");
    c.bind(1, collection).run();
    Stmt m(db, "DELETE FROM mounts WHERE id = ?1");
    m.bind(1, id).run();
    t.commit();
    db.note_change("unmounted " + name);
    return true;
}

} // namespace ts::serve
