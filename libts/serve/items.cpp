// Item queries: visibility is a WHERE clause, never a check after loading.
#include "serve/items.hpp"

#include "serve/app.hpp"
#include "serve/db.hpp"
#include "serve/paths.hpp"
#include "serve/problem.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <unordered_map>

namespace fs = std::filesystem;

namespace ts::serve {
namespace {

const char *const item_columns =
    "i.id, i.owner, u.name, i.title, i.description, i.filename, i.media, i.mime, i.origin, "
    "i.created, i.updated, i.public, i.size, i.sha1, i.duration, i.rate, i.channels, i.frames, "
    "i.rowid, m.name, m.id, i.mount_path, m.src, m.out, "
    // the tags in the same statement: one read transaction per item, not two
    "(SELECT json_group_array(tag) FROM (SELECT tag FROM item_tags WHERE item_id = i.id "
    "ORDER BY tag))";
const char *const item_tables =
    " FROM items i JOIN users u ON u.id = i.owner LEFT JOIN mounts m ON m.id = i.mount_id ";

// (?1 user id, ?2 admin): what p may read.
const char *const readable = "(i.public = 1 OR i.owner = ?1 OR ?2 = 1)";

Item row(Db &, Stmt &st) {
    Item it;
    it.id = st.text(0);
    it.owner_id = st.text(1);
    it.owner = st.text(2);
    it.title = st.text(3);
    it.description = st.text(4);
    it.filename = st.text(5);
    it.media = st.text(6);
    it.mime = st.text(7);
    it.origin = st.text(8);
    it.created = st.text(9);
    it.updated = st.text(10);
    it.is_public = st.integer(11) != 0;
    it.size = st.integer(12);
    it.sha1 = st.opt_text(13);
    if (!st.null(14))
        it.duration = st.real(14);
    if (!st.null(15))
        it.rate = st.integer(15);
    if (!st.null(16))
        it.channels = st.integer(16);
    if (!st.null(17))
        it.frames = st.integer(17);
    it.seq = st.integer(18);
    if (!st.null(19)) {
        it.mount = st.text(19);
        it.mount_id = st.text(20);
        it.mount_path = st.text(21);
        it.mount_src = st.text(22);
        it.mount_out = st.text(23);
    }
    if (!st.null(24))
        for (const auto &t : Json::parse(st.text(24)))
            it.tags.push_back(t.get<std::string>());
    return it;
}

} // namespace

TmpFile::~TmpFile() {
    if (fd >= 0)
        ::close(fd);
    if (!keep && !path.empty())
        ::unlink(path.c_str());
}

void check_id(const std::string &s, const char *what) {
    if (!is_uuid(s))
        throw HttpError(404, std::string("no such ") + what);
}

namespace {

// Items this thread read lately, each with the catalog's state it was read in: the count of
// commits of this process's connection and the size of the change journal, both taken
// before the read. An entry is used while both are the same; any write clears the way to
// the catalog (a GET of a .dat or a Range read then costs no query). Visibility is decided
// on the entry as the query's WHERE clause decides it (readable, above).
struct ItemCache {
    struct Entry {
        Item item;
        std::uint64_t commits;
        std::int64_t journal;
    };
    std::uint64_t db_serial = 0;
    std::unordered_map<std::string, Entry> map;
};

ItemCache &item_cache(const Db &db) {
    thread_local ItemCache cache;
    if (cache.db_serial != db.serial()) {
        cache.map.clear();
        cache.db_serial = db.serial();
    }
    return cache;
}

bool may_read(const Item &it, const Principal &p) {
    return it.is_public || it.owner_id == p.user_id || p.admin();
}

} // namespace

std::optional<Item> find_readable(App &app, const Principal &p, const std::string &id) {
    check_id(id, "item");
    Db &writer = app.db();
    ItemCache &cache = item_cache(writer);
    const std::uint64_t commits = writer.commits();
    const std::int64_t journal = writer.journal_size();
    if (auto hit = cache.map.find(id); hit != cache.map.end()) {
        if (hit->second.commits == commits && hit->second.journal == journal) {
            if (!may_read(hit->second.item, p))
                return std::nullopt;
            return hit->second.item;
        }
        cache.map.erase(hit);
    }
    // This thread's read connection: no lock shared with the other requests. The item is
    // read whoever asks (cached for all); whether p may see it is decided after.
    Db &db = writer.reader();
    static const std::string sql =
        std::string("SELECT ") + item_columns + item_tables + "WHERE i.id = ?1";
    Stmt st(db, sql, Stmt::cached);
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    Item it = row(db, st);
    if (cache.map.size() >= 256) // bounded: a thread keeps the items it reads most lately
        cache.map.clear();
    cache.map.emplace(id, ItemCache::Entry{it, commits, journal});
    if (!may_read(it, p))
        return std::nullopt;
    return it;
}

Item find_writable(App &app, const Principal &p, const std::string &id) {
    auto it = find_readable(app, p, id);
    if (!it)
        throw HttpError(404, "no such item");
    if (it->owner_id != p.user_id && !p.admin())
        throw HttpError(403, "only the item's owner or an admin may change it");
    return *it;
}

std::vector<Item> list_items(App &app, const Principal &p, const ItemFilter &f) {
    Db &db = app.db().reader();
    std::string sql = std::string("SELECT ") + item_columns + item_tables + "WHERE " + readable +
                      " AND i.rowid > ?3";
    if (f.collection)
        sql += " AND i.id IN (SELECT item_id FROM collection_items WHERE collection_id = ?4)";
    if (f.text)
        sql += " AND (instr(lower(i.title), lower(?5)) > 0 OR instr(lower(i.description), "
               "lower(?5)) > 0 OR instr(lower(i.filename), lower(?5)) > 0)";
    if (f.tag)
        sql += " AND i.id IN (SELECT item_id FROM item_tags WHERE tag = ?6)";
    if (f.owner)
        sql += " AND u.name = ?7";
    sql += " ORDER BY i.rowid LIMIT ?8";
    Stmt st(db, sql, Stmt::cached);
    st.bind(1, p.user_id).bind(2, p.admin()).bind(3, f.after);
    if (f.collection)
        st.bind(4, *f.collection);
    if (f.text)
        st.bind(5, *f.text);
    if (f.tag)
        st.bind(6, *f.tag);
    if (f.owner)
        st.bind(7, *f.owner);
    st.bind(8, static_cast<std::int64_t>(f.limit) + 1);
    std::vector<Item> out;
    while (st.step())
        out.push_back(row(db, st));
    return out;
}

Json item_json(const Item &it) {
    Json j;
    j["id"] = it.id;
    j["title"] = it.title;
    j["description"] = it.description;
    j["tags"] = it.tags;
    j["public"] = it.is_public;
    j["owner"] = it.owner;
    j["filename"] = it.filename;
    j["mime"] = it.mime;
    j["size"] = it.size;
    j["sha1"] = it.sha1 ? Json(*it.sha1) : Json(nullptr);
    j["duration"] = it.duration ? Json(*it.duration) : Json(nullptr);
    j["rate"] = it.rate ? Json(*it.rate) : Json(nullptr);
    j["channels"] = it.channels ? Json(*it.channels) : Json(nullptr);
    j["frames"] = it.frames ? Json(*it.frames) : Json(nullptr);
    j["origin"] = it.origin;
    j["mount"] = it.mount ? Json(*it.mount) : Json(nullptr);
    j["created"] = it.created;
    j["updated"] = it.updated;
    const std::string base = "/api/v1/items/" + it.id;
    j["links"] = {{"self", base},
                  {"media", base + "/media"},
                  {"peaks", base + "/peaks.dat"},
                  {"waveform", base + "/waveform.png"},
                  {"spectrogram", base + "/spectrogram.png"}};
    return j;
}

int open_media(App &app, const Item &it) {
    const int fd = it.archived() ? open_beneath(it.mount_src, it.mount_path)
                                 : ::open((app.cfg().data / it.media).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw HttpError(404, it.archived() ? "the file is no longer in the archive, or leads out of it"
                                           : "the file is missing from the data folder");
    return fd;
}

fs::path media_path(App &app, const Item &it) {
    if (!it.archived())
        return app.cfg().data / it.media;
    // The tools open a path: it is checked here, and the file itself opened beneath SRC
    // first, so that a name that is gone or leads out is a 404 before any tool runs.
    const int fd = open_media(app, it);
    ::close(fd);
    auto real = resolve_beneath(it.mount_src, it.mount_path, true);
    if (!real)
        throw HttpError(404, "the file is no longer in the archive, or leads out of it");
    return *real;
}

int open_archive_output(const Item &it, const std::string &suffix) {
    if (!it.archived())
        return -1;
    const int fd = open_beneath(it.mount_out, it.mount_path + suffix);
    if (fd < 0 && (errno == EXDEV || errno == ELOOP))
        throw HttpError(404, "the archive's output leads out of the archive");
    if (fd >= 0) {
        struct stat st {};
        if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            ::close(fd);
            return -1;
        }
    }
    return fd;
}

} // namespace ts::serve
