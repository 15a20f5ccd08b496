// Results of an item: the index of the results its jobs made, each result in every
// ts-serialize format, a framewise series reduced to min/max per bucket for a player lane,
// and plots by ts-graph plot. Nothing here starts a job: a missing result is a 404.
#include "core/log.hpp"
#include "serve/app.hpp"
#include "serve/db.hpp"
#include "serve/items.hpp"
#include "serve/paths.hpp"
#include "serve/problem.hpp"
#include "serve/process.hpp"
#include "serve/routes.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <fstream>
#include <limits>

namespace fs = std::filesystem;

namespace ts::serve {
namespace {

struct ResultSet {
    std::string hash, path, job, created, mount_id;
    std::int64_t size = 0;
    bool indexed = false;
};

ResultSet set_row(Stmt &st) {
    return {st.text(0), st.text(1), st.text(2), st.text(3), st.text(4), st.integer(5),
            st.integer(6) != 0};
}

const char *const set_columns =
    "s.set_hash, s.path, coalesce(s.job_id, ''), s.created, coalesce(s.mount_id, ''), s.size, "
    "s.indexed";

// The results files of an item: its jobs' (rows the artifacts table's trigger wrote) and its
// archive's, newest first.
std::vector<ResultSet> result_sets(App &app, const std::string &item) {
    Db &db = app.db().reader();
    Stmt st(db, std::string("SELECT ") + set_columns +
                    " FROM result_sets s WHERE s.item_id = ?1 ORDER BY s.created DESC",
            Stmt::cached);
    st.bind(1, item);
    std::vector<ResultSet> out;
    while (st.step())
        out.push_back(set_row(st));
    return out;
}

// A set's file: a job's under the data folder, an archive's beneath the mount's OUT. -1
// when it is gone (or leads out of the archive).
int open_set(App &app, const Item &it, const ResultSet &s) {
    if (!s.mount_id.empty()) {
        if (!it.archived() || it.mount_id != s.mount_id)
            return -1;
        return open_beneath(it.mount_out, s.path);
    }
    return ::open((app.cfg().data / s.path).c_str(), O_RDONLY | O_CLOEXEC);
}

std::string read_all(int fd) {
    std::string out;
    char buf[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

// Reads a set's file once and records each line (what the index shows, where the line is).
void index_set(App &app, const Item &it, ResultSet &s, int fd) {
    const std::string text = read_all(fd);
    struct Line {
        std::string id, analyzer, name, time_mode, data_mode, params;
        std::optional<std::string> unit;
        std::size_t offset, length;
    };
    std::vector<Line> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string::npos)
            nl = text.size();
        if (nl > pos) {
            try {
                const Json j = Json::parse(std::string_view(text).substr(pos, nl - pos));
                if (j.is_object() && j.contains("id") && j["id"].is_string())
                    lines.push_back({j["id"].get<std::string>(), j.value("analyzer", ""),
                                     j.value("name", ""), j.value("time_mode", ""),
                                     j.value("data_mode", ""),
                                     j.contains("params") ? j["params"].dump() : "{}",
                                     j.contains("unit") && j["unit"].is_string()
                                         ? std::optional<std::string>(j["unit"].get<std::string>())
                                         : std::nullopt,
                                     pos, nl - pos});
            } catch (const std::exception &) {
            }
        }
        pos = nl + 1;
    }
    Db &db = app.db();
    auto lock = db.lock();
    Transaction t(db);
    Stmt del(db, "DELETE FROM result_index WHERE item_id = ?1 AND set_hash = ?2");
    del.bind(1, it.id).bind(2, s.hash).run();
    std::int64_t position = 0;
    for (const auto &l : lines) {
        Stmt add(db, "INSERT OR IGNORE INTO result_index(item_id, set_hash, result_id, position, "
                     "analyzer, name, unit, time_mode, data_mode, params, offset, length) VALUES "
                     "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
        add.bind(1, it.id).bind(2, s.hash).bind(3, l.id).bind(4, position++).bind(5, l.analyzer);
        add.bind(6, l.name).bind(7, l.unit).bind(8, l.time_mode).bind(9, l.data_mode);
        add.bind(10, l.params).bind(11, static_cast<std::int64_t>(l.offset));
        add.bind(12, static_cast<std::int64_t>(l.length)).run();
    }
    Stmt done(db, "UPDATE result_sets SET indexed = 1, size = ?3 WHERE item_id = ?1 AND set_hash = ?2");
    done.bind(1, it.id).bind(2, s.hash).bind(3, static_cast<std::int64_t>(text.size())).run();
    t.commit();
    s.indexed = true;
    s.size = static_cast<std::int64_t>(text.size());
}

// Indexes the sets not indexed yet (a job's new results file, an archive just mounted) and
// those whose file changed size since (an archive's results remade by a later run): a file
// is read here once, and then only stat'ed.
void index_new_sets(App &app, const Item &it) {
    for (auto &s : result_sets(app, it.id)) {
        const int fd = open_set(app, it, s);
        if (fd < 0)
            continue;
        struct stat st {};
        if (!s.indexed || (::fstat(fd, &st) == 0 && st.st_size != s.size))
            index_set(app, it, s, fd);
        ::close(fd);
    }
}

bool plain_id(const std::string &s) {
    if (s.empty() || s.size() > 200)
        return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == ':'))
            return false;
    return true;
}

Item readable_item(App &app, const Request &req) {
    auto it = find_readable(app, req.principal, req.param("id"));
    if (!it)
        throw HttpError(404, "no such item");
    return *it;
}

// The result the request names: in the item's newest set holding it (or the set ?set= names).
struct Found {
    std::string set;
    Json result; // as served (public_result)
};

Found find_result(App &app, const Request &req, const Item &it) {
    const std::string id = req.param("result");
    if (!plain_id(id))
        throw HttpError(400, "a result id: letters, digits and . _ - :");
    const auto want = req.query("set");
    index_new_sets(app, it);
    for (int attempt = 0; attempt < 2; ++attempt) {
        ResultSet s;
        std::int64_t offset = 0, length = 0;
        {
            Db &db = app.db().reader();
            Stmt st(db, std::string("SELECT ") + set_columns +
                            ", r.offset, r.length FROM result_index r JOIN result_sets s ON "
                            "s.item_id = r.item_id AND s.set_hash = r.set_hash WHERE r.item_id = ?1 "
                            "AND r.result_id = ?2 AND (?3 IS NULL OR r.set_hash = ?3) ORDER BY "
                            "s.created DESC LIMIT 1",
                    Stmt::cached);
            st.bind(1, it.id).bind(2, id).bind(3, want);
            if (!st.step())
                break;
            s = set_row(st);
            offset = st.integer(7);
            length = st.integer(8);
        }
        const int fd = open_set(app, it, s);
        if (fd < 0)
            throw HttpError(404, "the results file of " + id + " is gone");
        struct Closer {
            int fd;
            ~Closer() { ::close(fd); }
        } closer{fd};
        struct stat st {};
        if (::fstat(fd, &st) != 0 || st.st_size != s.size) {
            // Rewritten since it was indexed (an archive's nightly run): indexed again.
            index_set(app, it, s, fd);
            continue;
        }
        std::string line(static_cast<std::size_t>(length), '\0');
        if (::pread(fd, line.data(), line.size(), static_cast<off_t>(offset)) != length)
            throw HttpError(404, "the results file of " + id + " is gone");
        Found f;
        f.set = s.hash;
        try {
            f.result = public_result(Json::parse(line), it);
        } catch (const std::exception &) {
            throw HttpError(404, "the results file of " + id + " changed; ask again");
        }
        return f;
    }
    throw HttpError(404, "no result " + id + " for this item" + (want ? " in set " + *want : "") +
                             "; a job makes it (POST /api/v1/jobs)");
}

void index(App &app, Request &req, Response &res) {
    const Item it = readable_item(app, req);
    index_new_sets(app, it);
    Json list = Json::array();
    Db &db = app.db().reader();
    Stmt st(db, "SELECT r.result_id, r.analyzer, r.name, r.unit, r.time_mode, r.data_mode, "
                "r.params, s.set_hash, s.job_id, s.created FROM result_index r JOIN result_sets s "
                "ON s.item_id = r.item_id AND s.set_hash = r.set_hash WHERE r.item_id = ?1 "
                "ORDER BY s.created DESC, s.set_hash, r.position",
            Stmt::cached);
    st.bind(1, it.id);
    const std::string item_base = "/api/v1/items/" + it.id + "/results/";
    while (st.step()) {
        Json e;
        const std::string id = st.text(0), set = st.text(7);
        e["id"] = id;
        e["analyzer"] = st.text(1);
        e["name"] = st.text(2);
        e["unit"] = st.null(3) ? Json(nullptr) : Json(st.text(3));
        e["time_mode"] = st.text(4);
        e["data_mode"] = st.text(5);
        try {
            e["params"] = Json::parse(st.text(6));
        } catch (const std::exception &) {
            e["params"] = Json::object();
        }
        e["set"] = set;
        e["job"] = st.null(8) ? Json(nullptr) : Json(st.text(8));
        e["created"] = st.text(9);
        const std::string base = item_base + id;
        e["links"] = {{"self", base + "?set=" + set}, {"plot", base + "/plot.png?set=" + set}};
        if (e["time_mode"] == "framewise")
            e["links"]["series"] = base + "/series?set=" + set;
        list.push_back(std::move(e));
    }
    send_json(req, res, {{"item", it.id}, {"results", list}});
}

// The result alone as a JSON Lines file in tmp/, removed when this goes: what ts-serialize
// and ts-graph read, so that they see no server path either.
struct ResultFile {
    std::filesystem::path path;
    ResultFile(App &app, const Json &result) : path(app.tmp_dir() / ("result-" + random_uuid() + ".jsonl")) {
        std::ofstream out(path, std::ios::binary);
        out << result.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
        if (!out.flush())
            throw std::runtime_error(path.string() + ": cannot write");
    }
    ~ResultFile() {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
};

struct Format {
    const char *name, *ext, *mime;
};

const Format formats[] = {
    {"jsonl", "jsonl", "application/jsonl"},
    {"json", "json", "application/json"},
    {"yaml", "yaml", "application/yaml"},
    {"xml", "xml", "application/xml"},
    {"hdf5", "h5", "application/x-hdf5"},
    {"csv", "csv", "text/csv"},
    {"npy", "npy", "application/octet-stream"},
    {"npz", "npz", "application/zip"},
    {"jams", "jams", "application/json"},
    {"audacity", "txt", "text/plain"},
    {"sonic-visualiser", "svl", "application/xml"},
    {"lab", "lab", "text/plain"},
    {"elan", "eaf", "application/xml"},
    {"dat", "dat", "application/octet-stream"},
    {"audiowaveform-json", "json", "application/json"},
    {"wavesurfer", "txt", "text/plain"},
};

// Runs argv (whose "{out}" is a temporary file under tmp/), answers with the file, removes it.
void send_made(App &app, const Request &req, Response &res, Argv argv, const std::string &ext,
               const std::string &mime, const std::string &what) {
    const fs::path tmp = app.tmp_dir() / (random_uuid() + "." + ext);
    for (auto &a : argv)
        if (a == "{out}")
            a = tmp.string();
    const RunResult r = run(argv, app.cfg().tool_timeout);
    std::error_code ec;
    if (r.status != 0 || !fs::exists(tmp, ec)) {
        fs::remove(tmp, ec);
        const auto nl = r.err.find('\n');
        log::error("request " + req.id + ": " + argv[0] + " failed (" + std::to_string(r.status) +
                   "): " + r.err.substr(0, 500));
        // The tools refuse a result their format cannot hold (the input is the server's own,
        // known good): their one-line message says why.
        if (r.status == 1 || r.status == 2) {
            std::string msg = r.err.substr(0, nl);
            const auto e = msg.find("error: ");
            if (e != std::string::npos)
                msg = msg.substr(e + 7);
            throw HttpError(409, what + ": " + msg.substr(0, 300));
        }
        throw HttpError(500, what + " could not be made; the server's log names request " + req.id);
    }
    const auto size = fs::file_size(tmp, ec);
    if (ec || size > (256u << 20)) {
        fs::remove(tmp, ec);
        throw HttpError(500, what + " is too large to send");
    }
    std::ifstream in(tmp, std::ios::binary);
    std::string body(static_cast<std::size_t>(size), '\0');
    in.read(body.data(), static_cast<std::streamsize>(size));
    fs::remove(tmp, ec);
    res.status = 200;
    res.set_content(std::move(body), mime);
}

void one(App &app, Request &req, Response &res) {
    const Item it = readable_item(app, req);
    const Found f = find_result(app, req, it);
    const std::string format = req.query("format").value_or("jsonl");
    const Format *fmt = nullptr;
    for (const auto &x : formats)
        if (format == x.name)
            fmt = &x;
    if (!fmt)
        throw HttpError(400, "format: one of ts-serialize's (jsonl, json, yaml, xml, hdf5, csv, "
                             "npy, npz, jams, audacity, sonic-visualiser, lab, elan, dat, "
                             "audiowaveform-json, wavesurfer)");
    if (format == "jsonl") {
        // The line as the tool wrote it but for the media's path.
        res.status = 200;
        res.set_content(f.result.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n", fmt->mime);
        return;
    }
    rate_limit_renders(app, req);
    const std::string id = req.param("result");
    const ResultFile file(app, f.result);
    res.set_header("Content-Disposition", "attachment; filename=\"" + id + "." + fmt->ext + "\"");
    send_made(app, req, res,
              {app.tool("ts-serialize"), "--quiet", "--result", id, "-f", fmt->name,
               file.path.string(), "-o", "{out}"},
              fmt->ext, fmt->mime, id + " as " + format);
}

// A framewise result reduced to at most `points` buckets (never more than its frames), each
// the min and max of its frames' values; nulls (values that do not exist) are skipped and a
// bucket of nulls only is null.
void series(App &app, Request &req, Response &res) {
    const Item it = readable_item(app, req);
    const Found f = find_result(app, req, it);
    const Json &r = f.result;
    if (r.value("time_mode", "") != "framewise" || !r.contains("data") || !r["data"].contains("value") ||
        !r["data"]["value"].is_array())
        throw HttpError(409, req.param("result") + " is not a framewise series");
    const Json &values = r["data"]["value"];
    for (const auto &v : values)
        if (!v.is_number() && !v.is_null())
            throw HttpError(409, req.param("result") + " has a vector per frame: not a one-dimensional series");
    const auto frames = static_cast<std::int64_t>(values.size());
    const auto points = static_cast<std::int64_t>(query_number(req, "points", 1000, 1, 100000));
    const std::int64_t per = frames == 0 ? 1 : (frames + points - 1) / points;
    const std::int64_t buckets = frames == 0 ? 0 : (frames + per - 1) / per;
    const Json &fr = r.contains("frames") ? r["frames"] : Json::object();
    const double rate = fr.value("rate", 0.0), step = fr.value("step", 0.0);
    const double start = r.contains("audio") ? r["audio"].value("start", 0.0) : 0.0;
    Json mins = Json::array(), maxs = Json::array();
    for (std::int64_t b = 0; b < buckets; ++b) {
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (std::int64_t i = b * per; i < std::min(frames, (b + 1) * per); ++i) {
            const Json &v = values[static_cast<std::size_t>(i)];
            if (v.is_null())
                continue;
            lo = std::min(lo, v.get<double>());
            hi = std::max(hi, v.get<double>());
        }
        mins.push_back(std::isfinite(lo) ? Json(lo) : Json(nullptr));
        maxs.push_back(std::isfinite(hi) ? Json(hi) : Json(nullptr));
    }
    Json j;
    j["id"] = req.param("result");
    j["unit"] = r.contains("unit") && r["unit"].is_string() ? r["unit"] : Json(nullptr);
    j["frames"] = frames;
    j["frames_per_point"] = per;
    j["start"] = start;
    j["point_duration"] = rate > 0 ? Json(static_cast<double>(per) * step / rate) : Json(nullptr);
    j["min"] = mins;
    j["max"] = maxs;
    send_json(req, res, j);
}

void plot(App &app, Request &req, Response &res) {
    const Item it = readable_item(app, req);
    const Found f = find_result(app, req, it);
    const int w = static_cast<int>(query_number(req, "width", 1200, 16, 4000));
    const int h = static_cast<int>(query_number(req, "height", 164, 16, 2000));
    rate_limit_renders(app, req);
    const ResultFile file(app, f.result);
    send_made(app, req, res,
              {app.tool("ts-graph"), "plot", "--quiet", "-W", std::to_string(w), "-H",
               std::to_string(h), "--id", req.param("result"), file.path.string(), "-o", "{out}"},
              "png", "image/png", req.param("result") + " plot");
}

} // namespace

// A result as served: the item's URL in place of the server's path to its media (a job's
// audio.source names a file in the data folder, an archive's a path on the archive's disk),
// in the source and in the history lines; the rest (sha1, rate, ...) as the tool wrote it.
Json public_result(Json j, const Item &it) {
    if (!j.contains("audio") || !j["audio"].is_object())
        return j;
    Json &audio = j["audio"];
    const std::string url = "/api/v1/items/" + it.id + "/media";
    std::string old;
    if (audio.contains("source") && audio["source"].is_string()) {
        old = audio["source"].get<std::string>();
        audio["source"] = url;
    }
    auto scrub = [&](Json &v) {
        if (!v.is_string() || old.empty())
            return;
        std::string x = v.get<std::string>();
        for (std::size_t at = x.find(old); at != std::string::npos; at = x.find(old, at + url.size()))
            x.replace(at, old.size(), url);
        v = x;
    };
    if (audio.contains("history")) {
        if (audio["history"].is_array())
            for (auto &h : audio["history"])
                scrub(h);
        else
            scrub(audio["history"]);
    }
    return j;
}

void add_result_routes(std::vector<Route> &r) {
    r.push_back({"GET", "/api/v1/items/{id}/results", scope_read, false, index});
    r.push_back({"GET", "/api/v1/items/{id}/results/{result}", scope_read, false, one});
    r.push_back({"GET", "/api/v1/items/{id}/results/{result}/series", scope_read, false, series});
    r.push_back({"GET", "/api/v1/items/{id}/results/{result}/plot.png", scope_read, false, plot});
}

} // namespace ts::serve
