// Items: upload (raw body), list, get, patch, delete.
#include "core/log.hpp"
#include "serve/app.hpp"
#include "serve/db.hpp"
#include "serve/items.hpp"
#include "serve/paths.hpp"
#include "serve/problem.hpp"
#include "serve/process.hpp"
#include "serve/routes.hpp"
#include "serve/upload.hpp"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fs = std::filesystem;

namespace ts::serve {
namespace {

void rate_limit(RateLimiter &limiter, const Request &req, const char *what) {
    const std::string key = req.principal.anonymous() ? "anon:" + req.raw.remote_addr
                                                      : req.principal.user_id;
    if (const int wait = limiter.take(key); wait > 0)
        throw HttpError(429, std::string("too many ") + what + "; try again later",
                        {{"Retry-After", std::to_string(wait)}});
}


std::vector<std::string> parse_tags(const Json &v) {
    if (!v.is_array() || v.size() > 100)
        throw HttpError(400, "tags must be an array of at most 100 strings");
    std::vector<std::string> out;
    for (const auto &t : v) {
        if (!t.is_string() || t.get<std::string>().empty() || t.get<std::string>().size() > 100)
            throw HttpError(400, "each tag is a string of 1 to 100 bytes");
        out.push_back(t.get<std::string>());
    }
    return out;
}

void set_tags(App &app, const std::string &id, const std::vector<std::string> &tags) {
    Stmt del(app.db(), "DELETE FROM item_tags WHERE item_id = ?1");
    del.bind(1, id).run();
    for (const auto &t : tags) {
        Stmt add(app.db(), "INSERT OR IGNORE INTO item_tags(item_id, tag) VALUES (?1, ?2)");
        add.bind(1, id).bind(2, t).run();
    }
}

std::string text_field(const Json &j, const char *name, std::size_t max) {
    if (!j[name].is_string() || j[name].get<std::string>().size() > max)
        throw HttpError(400, std::string(name) + " must be a string of at most " +
                                 std::to_string(max) + " bytes");
    return j[name].get<std::string>();
}

} // namespace

std::string media_mime(const std::string &container, const std::string &codec) {
    if (container == "wav") return "audio/wav";
    if (container == "flac") return "audio/flac";
    if (container == "mp3") return "audio/mpeg";
    if (container == "ogg") return codec == "opus" ? "audio/ogg; codecs=opus" : "audio/ogg";
    if (container.rfind("mov,mp4", 0) == 0) return "audio/mp4";
    if (container == "aiff") return "audio/aiff";
    if (container == "matroska,webm") return "audio/webm";
    return "application/octet-stream";
}

// Checks a complete temporary file with ts-info and, when it is audio, renames it into
// media/ and records the item; 415 otherwise (the file is removed by tmp's destructor).
Json accept_file(App &app, const Principal &p, TmpFile &tmp, const std::string &id,
                 std::uint64_t length, const std::string &title, const std::string &filename,
                 bool is_public, const std::string &origin, const std::string &sha1) {
    if (::fsync(tmp.fd) != 0)
        throw std::runtime_error(tmp.path.string() + ": fsync: " + std::strerror(errno));
    ::close(tmp.fd);
    tmp.fd = -1;

    // Accepted only if ts-info can read it as audio.
    Argv argv = {app.tool("ts-info")};
    if (!sha1.empty())
        argv.push_back("--no-sha1"); // known already: the file is not read once more for it
    argv.insert(argv.end(), {"--", tmp.path.string()});
    const RunResult info = run(argv, app.cfg().tool_timeout);
    Json facts;
    if (info.status == 0) {
        try {
            facts = Json::parse(info.out);
        } catch (const std::exception &) {
        }
    }
    if (!facts.is_object() || !facts["rate"].is_number() || !facts["channels"].is_number())
        throw HttpError(415, "the body is not audio that ts-info can read");
    if (!sha1.empty())
        facts["sha1"] = sha1;

    const fs::path media = fs::path("media") / id;
    if (::rename(tmp.path.c_str(), (app.cfg().data / media).c_str()) != 0)
        throw std::runtime_error("rename into media/: " + std::string(std::strerror(errno)));
    tmp.keep = true;
    facts.erase("source");
    const std::string now = now_utc();
    {
        auto lock = app.db().lock();
        Transaction t(app.db());
        Stmt st(app.db(),
                "INSERT INTO items(id, owner, title, description, public, filename, media, mime, "
                "size, sha1, info, duration, rate, channels, frames, origin, created, updated) "
                "VALUES (?1, ?2, ?3, '', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                "?16, ?15, ?15)");
        st.bind(1, id).bind(2, p.user_id).bind(3, title.empty() ? filename : title);
        st.bind(4, is_public).bind(5, filename).bind(6, media.string());
        st.bind(7, media_mime(facts.value("container", ""), facts.value("codec", "")));
        st.bind(8, static_cast<std::int64_t>(length));
        if (facts["sha1"].is_string()) st.bind(9, facts["sha1"].get<std::string>()); else st.bind_null(9);
        st.bind(10, facts.dump());
        if (facts["duration"].is_number()) st.bind(11, facts["duration"].get<double>()); else st.bind_null(11);
        st.bind(12, facts["rate"].get<std::int64_t>());
        st.bind(13, facts["channels"].get<std::int64_t>());
        if (facts["frames"].is_number_integer()) st.bind(14, facts["frames"].get<std::int64_t>()); else st.bind_null(14);
        st.bind(15, now);
        st.bind(16, origin);
        st.run();
        Stmt audit(app.db(), "INSERT INTO audit(at, user_id, action, object) VALUES (?1, ?2, ?4, ?3)");
        audit.bind(1, now).bind(2, p.user_id).bind(3, id).bind(4, origin).run();
        t.commit();
    }
    app.prerender().enqueue(id); // the peaks a player asks for first, made in the background
    return item_json(*find_readable(app, p, id));
}

namespace {

void upload(App &app, Request &req, Response &res) {
    rate_limit(app.uploads(), req, "uploads");
    if (!req.raw.has_header("Content-Length"))
        throw HttpError(411, "an upload needs a Content-Length (the raw file as the body)");
    char *end = nullptr;
    const std::string cl = req.raw.get_header_value("Content-Length");
    const unsigned long long length = std::strtoull(cl.c_str(), &end, 10);
    if (cl.empty() || *end != '\0')
        throw HttpError(400, "Content-Length is not a number");
    if (length == 0 || !req.reader)
        throw HttpError(400, "the body is empty: send the audio file as the body");
    if (length > app.cfg().max_upload)
        throw HttpError(413, "an upload is at most " + std::to_string(app.cfg().max_upload) +
                                 " bytes", {{"Connection", "close"}});
    struct statvfs vfs {};
    if (::statvfs(app.tmp_dir().c_str(), &vfs) == 0) {
        const auto free_bytes = static_cast<unsigned long long>(vfs.f_bavail) * vfs.f_frsize;
        if (free_bytes < length + app.cfg().free_floor)
            throw HttpError(507, "not enough free space in the data folder",
                            {{"Connection", "close"}});
    }
    std::string title = req.query("title").value_or("");
    std::string filename = req.query("filename").value_or("upload");
    if (title.size() > 1000 || filename.size() > 255)
        throw HttpError(400, "title is at most 1000 bytes, filename at most 255");
    // The name is only recorded, never used as a path: the server names every file.
    const bool is_public = req.query("public").value_or("false") == "true";

    const std::string id = random_uuid();
    TmpFile tmp;
    tmp.path = app.tmp_dir() / ("upload-" + id);
    tmp.fd = ::open(tmp.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (tmp.fd < 0)
        throw std::runtime_error(tmp.path.string() + ": " + std::strerror(errno));
    const auto sha1 = receive_body(*req.reader, tmp.fd, length);
    if (!sha1)
        throw HttpError(400, "the body ended before Content-Length bytes or could not be stored",
                        {{"Connection", "close"}});
    res.set_header("Location", "/api/v1/items/" + id);
    send_json(req, res, accept_file(app, req.principal, tmp, id, length, title, filename, is_public, "upload", *sha1), 201);
}

void list(App &app, Request &req, Response &res) {
    ItemFilter f;
    f.limit = static_cast<int>(query_number(req, "limit", 50, 1, 200));
    if (auto c = req.query("cursor")) {
        char *end = nullptr;
        f.after = std::strtoll(c->c_str(), &end, 10);
        if (c->empty() || *end != '\0' || f.after < 0)
            throw HttpError(400, "cursor is not one this server gave");
    }
    if (auto c = req.query("collection")) {
        if (!is_uuid(*c))
            throw HttpError(400, "collection must be a collection id");
        f.collection = c;
    }
    f.text = req.query("q");
    f.tag = req.query("tag");
    f.owner = req.query("owner");
    auto items = list_items(app, req.principal, f);
    Json j;
    j["items"] = Json::array();
    const bool more = static_cast<int>(items.size()) > f.limit;
    if (more)
        items.pop_back();
    for (const auto &it : items)
        j["items"].push_back(item_json(it));
    if (more) {
        std::string next = "/api/v1/items?cursor=" + std::to_string(items.back().seq) +
                           "&limit=" + std::to_string(f.limit);
        for (const char *k : {"collection", "q", "tag", "owner"})
            if (auto v = req.query(k))
                next += std::string("&") + k + "=" + httplib::detail::encode_query_param(*v);
        j["next"] = next;
    } else {
        j["next"] = nullptr;
    }
    send_json(req, res, j);
}

void get(App &app, Request &req, Response &res) {
    auto it = find_readable(app, req.principal, req.param("id"));
    if (!it)
        throw HttpError(404, "no such item");
    send_json(req, res, item_json(*it));
}

void patch(App &app, Request &req, Response &res) {
    Item it = find_writable(app, req.principal, req.param("id"));
    const Json j = req.json();
    for (const auto &[k, v] : j.items())
        if (k != "title" && k != "description" && k != "tags" && k != "public")
            throw HttpError(400, "only title, description, tags and public can be changed; not " + k);
    {
        auto lock = app.db().lock();
        Transaction t(app.db());
        if (j.contains("title")) {
            Stmt st(app.db(), "UPDATE items SET title = ?2 WHERE id = ?1");
            st.bind(1, it.id).bind(2, text_field(j, "title", 1000)).run();
        }
        if (j.contains("description")) {
            Stmt st(app.db(), "UPDATE items SET description = ?2 WHERE id = ?1");
            st.bind(1, it.id).bind(2, text_field(j, "description", 100000)).run();
        }
        if (j.contains("public")) {
            if (!j["public"].is_boolean())
                throw HttpError(400, "public must be true or false");
            Stmt st(app.db(), "UPDATE items SET public = ?2 WHERE id = ?1");
            st.bind(1, it.id).bind(2, j["public"].get<bool>()).run();
        }
        if (j.contains("tags"))
            set_tags(app, it.id, parse_tags(j["tags"]));
        Stmt st(app.db(), "UPDATE items SET updated = ?2 WHERE id = ?1");
        st.bind(1, it.id).bind(2, now_utc()).run();
        t.commit();
    }
    send_json(req, res, item_json(*find_readable(app, req.principal, it.id)));
}

void remove(App &app, Request &req, Response &res) {
    Item it = find_writable(app, req.principal, req.param("id"));
    if (it.archived())
        throw HttpError(409, "the item is in the archive mounted as " + *it.mount +
                                 ", which the server never changes: remove the file from the "
                                 "archive, and it leaves the catalog at the next indexing");
    {
        auto lock = app.db().lock();
        Transaction t(app.db());
        Stmt st(app.db(), "DELETE FROM items WHERE id = ?1");
        st.bind(1, it.id).run();
        Stmt audit(app.db(), "INSERT INTO audit(at, user_id, action, object) VALUES (?1, ?2, 'delete', ?3)");
        audit.bind(1, now_utc()).bind(2, req.principal.user_id).bind(3, it.id).run();
        t.commit();
    }
    // The catalog first, then the files: a crash between leaves files nothing refers to,
    // never a row whose file is gone. Derivatives are all under derived/ID/.
    std::error_code ec;
    fs::remove(app.cfg().data / it.media, ec);
    fs::remove_all(app.derived_dir() / it.id, ec);
    res.status = 204;
}

} // namespace

void add_item_routes(std::vector<Route> &r) {
    r.push_back({"GET", "/api/v1/items", scope_read, false, list});
    r.push_back({"POST", "/api/v1/items", scope_process, true, upload});
    r.push_back({"GET", "/api/v1/items/{id}", scope_read, false, get});
    r.push_back({"PATCH", "/api/v1/items/{id}", scope_process, false, patch});
    r.push_back({"DELETE", "/api/v1/items/{id}", scope_process, false, remove});
}

// Shared with routes_media.cpp and routes_collections.cpp.
void rate_limit_renders(App &app, const Request &req) { rate_limit(app.renders(), req, "renders"); }

} // namespace ts::serve
