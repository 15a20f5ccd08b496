// Annotation tracks of an item and their annotations (segments; a point has end = start).
// A track is read by its owner, admins, and anyone who may read the item when it is public;
// changed only by its owner or an admin. Tracks and annotations carry a version: GET gives it
// as ETag, PATCH and DELETE need it in If-Match (428 without, 412 when stale). Export and
// import go through ts-serialize's writers and readers (Audacity, ELAN, JAMS, CSV, JSON Lines).
#include "core/log.hpp"
#include "serve/app.hpp"
#include "serve/db.hpp"
#include "serve/items.hpp"
#include "serve/paths.hpp"
#include "serve/problem.hpp"
#include "serve/process.hpp"
#include "serve/routes.hpp"

#include <cmath>
#include <cstring>
#include <map>
#include <fstream>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;

namespace ts::serve {
namespace {

struct Track {
    std::string id, item, owner_id, owner, title, created, updated;
    bool is_public = false;
    std::int64_t version = 1;
};

const char *const track_columns =
    "t.id, t.item_id, t.owner, u.name, t.title, t.created, t.updated, t.public, t.version";

Track track_row(Stmt &st) {
    return {st.text(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6),
            st.integer(7) != 0, st.integer(8)};
}

std::string etag(const std::string &kind, const std::string &id, std::int64_t version) {
    return "\"" + kind + "-" + id + "-v" + std::to_string(version) + "\"";
}

std::optional<Track> readable_track(App &app, const Principal &p, const std::string &id) {
    check_id(id, "annotation track");
    std::optional<Track> t;
    {
        auto lock = app.db().lock();
        Stmt st(app.db(), std::string("SELECT ") + track_columns +
                              " FROM annotation_tracks t JOIN users u ON u.id = t.owner WHERE "
                              "t.id = ?1 AND (t.public = 1 OR t.owner = ?2 OR ?3 = 1)");
        st.bind(1, id).bind(2, p.user_id).bind(3, p.admin());
        if (st.step())
            t = track_row(st);
    }
    // The item must be readable too: a public track of a private item stays hidden.
    if (t && !find_readable(app, p, t->item))
        return std::nullopt;
    return t;
}

Track writable_track(App &app, const Principal &p, const std::string &id) {
    auto t = readable_track(app, p, id);
    if (!t)
        throw HttpError(404, "no such annotation track");
    if (t->owner_id != p.user_id && !p.admin())
        throw HttpError(403, "only the track's owner or an admin may change it");
    return *t;
}

// 428 without If-Match, 412 when it names another version.
void check_if_match(const Request &req, const std::string &current) {
    if (!req.raw.has_header("If-Match"))
        throw HttpError(428, "changes need If-Match with the ETag of the version read");
    const std::string v = req.raw.get_header_value("If-Match");
    if (v != current && v != "*")
        throw HttpError(412, "the object changed since it was read (now " + current + "); read it again",
                        {{"ETag", current}});
}

Json annotation_json(Stmt &st) {
    // id, track_id, start, end, label, description, color, version, created, updated
    Json a;
    a["id"] = st.text(0);
    a["track"] = st.text(1);
    a["start"] = st.real(2);
    a["end"] = st.real(3);
    a["label"] = st.text(4);
    a["description"] = st.text(5);
    a["color"] = st.null(6) ? Json(nullptr) : Json(st.text(6));
    a["version"] = st.integer(7);
    a["created"] = st.text(8);
    a["updated"] = st.text(9);
    a["links"] = {{"self", "/api/v1/annotations/" + st.text(0)}};
    return a;
}

const char *const annotation_columns =
    "a.id, a.track_id, a.start, a.end, a.label, a.description, a.color, a.version, a.created, a.updated";

Json track_json(App &app, const Track &t, bool with_annotations) {
    Json j;
    j["id"] = t.id;
    j["item"] = t.item;
    j["title"] = t.title;
    j["public"] = t.is_public;
    j["owner"] = t.owner;
    j["version"] = t.version;
    j["created"] = t.created;
    j["updated"] = t.updated;
    if (with_annotations) {
        j["annotations"] = Json::array();
        auto lock = app.db().lock();
        Stmt st(app.db(), std::string("SELECT ") + annotation_columns +
                              " FROM annotations a WHERE a.track_id = ?1 ORDER BY a.start, a.end, a.rowid");
        st.bind(1, t.id);
        while (st.step())
            j["annotations"].push_back(annotation_json(st));
    }
    j["links"] = {{"self", "/api/v1/annotation-tracks/" + t.id},
                  {"annotations", "/api/v1/annotation-tracks/" + t.id + "/annotations"},
                  {"export", "/api/v1/annotation-tracks/" + t.id + "/export"}};
    return j;
}

void send_versioned(const Request &req, Response &res, const Json &body, const std::string &tag,
                    int status = 200) {
    res.set_header("ETag", tag);
    if (status == 200 && req.raw.get_header_value("If-None-Match") == tag) {
        res.status = 304;
        return;
    }
    res.status = status;
    res.set_content(body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json");
}

struct Fields {
    std::optional<double> start, end;
    std::optional<std::string> label, description, color;
    bool color_null = false;
};

Fields annotation_fields(const Json &j, bool create) {
    static const std::regex colour("^#[0-9a-fA-F]{6}$");
    Fields f;
    for (const auto &[k, v] : j.items()) {
        if ((k == "start" || k == "end") && v.is_number() && std::isfinite(v.get<double>()) &&
            v.get<double>() >= 0 && v.get<double>() <= 1e7)
            (k == "start" ? f.start : f.end) = v.get<double>();
        else if (k == "label" && v.is_string() && v.get<std::string>().size() <= 1000)
            f.label = v.get<std::string>();
        else if (k == "description" && v.is_string() && v.get<std::string>().size() <= 100000)
            f.description = v.get<std::string>();
        else if (k == "color" && v.is_string() && std::regex_match(v.get<std::string>(), colour))
            f.color = v.get<std::string>();
        else if (k == "color" && v.is_null())
            f.color_null = true;
        else
            throw HttpError(400, "fields: start, end (seconds, 0 to 1e7), label, description, "
                                 "color (#rrggbb or null); not " + k + " as given");
    }
    if (create && !f.start)
        throw HttpError(400, "an annotation needs a start (seconds)");
    return f;
}

void bump_track(App &app, const std::string &track) {
    Stmt st(app.db(), "UPDATE annotation_tracks SET version = version + 1, updated = ?2 WHERE id = ?1");
    st.bind(1, track).bind(2, now_utc()).run();
}

// Inserts one annotation; start <= end checked. Returns its id.
std::string insert_annotation(App &app, const std::string &track, double start, double end,
                              const std::string &label, const std::string &description,
                              const std::optional<std::string> &color) {
    if (end < start)
        throw HttpError(400, "end comes before start");
    const std::string id = random_uuid(), now = now_utc();
    Stmt st(app.db(), "INSERT INTO annotations(id, track_id, start, end, label, description, "
                      "color, created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)");
    st.bind(1, id).bind(2, track).bind(3, start).bind(4, end).bind(5, label).bind(6, description);
    st.bind(7, color).bind(8, now).run();
    return id;
}

// A ts-result line (segment or event; label or value) as annotations of the track.
int add_from_result(App &app, const std::string &track, const Json &r) {
    const std::string tm = r.value("time_mode", "");
    if ((tm != "segment" && tm != "event") || !r.contains("data") || !r["data"].contains("time"))
        throw HttpError(409, "result " + r.value("id", "") + " has no times: only events and segments make annotations");
    const Json &d = r["data"];
    const Json &time = d["time"];
    if (time.size() > 100000)
        throw HttpError(413, "more than 100000 annotations");
    int n = 0;
    for (std::size_t i = 0; i < time.size(); ++i) {
        if (!time[i].is_number())
            continue;
        const double start = time[i].get<double>();
        double end = start;
        if (tm == "segment" && d.contains("duration") && i < d["duration"].size() && d["duration"][i].is_number())
            end = start + d["duration"][i].get<double>();
        std::string label;
        if (d.contains("label") && i < d["label"].size() && d["label"][i].is_string())
            label = d["label"][i].get<std::string>();
        else if (d.contains("value") && d["value"].is_array() && i < d["value"].size() && d["value"][i].is_number())
            label = Json(d["value"][i]).dump();
        insert_annotation(app, track, start, end, label, "", std::nullopt);
        ++n;
    }
    return n;
}

// --- routes ------------------------------------------------------------------------------

void list_tracks(App &app, Request &req, Response &res) {
    const auto it = find_readable(app, req.principal, req.param("id"));
    if (!it)
        throw HttpError(404, "no such item");
    Json j;
    j["tracks"] = Json::array();
    auto lock = app.db().lock();
    Stmt st(app.db(), std::string("SELECT ") + track_columns +
                          " FROM annotation_tracks t JOIN users u ON u.id = t.owner WHERE "
                          "t.item_id = ?1 AND (t.public = 1 OR t.owner = ?2 OR ?3 = 1) ORDER BY t.rowid");
    st.bind(1, it->id).bind(2, req.principal.user_id).bind(3, req.principal.admin());
    while (st.step())
        j["tracks"].push_back(track_json(app, track_row(st), false));
    send_json(req, res, j);
}

Json find_result_line(App &app, const std::string &item, const std::string &result,
                      const std::optional<std::string> &set) {
    std::vector<std::pair<std::string, std::string>> files;
    {
        auto lock = app.db().lock();
        Stmt st(app.db(), "SELECT options_hash, path FROM artifacts WHERE item_id = ?1 AND kind = "
                          "'job-results' ORDER BY created DESC");
        st.bind(1, item);
        while (st.step())
            files.emplace_back(st.text(0), st.text(1));
    }
    for (const auto &[hash, path] : files) {
        if (set && *set != hash)
            continue;
        std::ifstream in(app.cfg().data / path, std::ios::binary);
        std::string line;
        while (std::getline(in, line)) {
            if (line.find("\"id\":\"" + result + "\"") == std::string::npos)
                continue;
            try {
                Json j = Json::parse(line);
                if (j.value("id", "") == result)
                    return j;
            } catch (const std::exception &) {
            }
        }
    }
    throw HttpError(404, "no result " + result + " for this item; a job makes it (POST /api/v1/jobs)");
}

void create_track(App &app, Request &req, Response &res) {
    const auto it = find_readable(app, req.principal, req.param("id"));
    if (!it)
        throw HttpError(404, "no such item");
    const Json body = req.json();
    std::string title;
    bool is_public = false;
    std::optional<Json> seed;
    for (const auto &[k, v] : body.items()) {
        if (k == "title" && v.is_string() && !v.get<std::string>().empty() && v.get<std::string>().size() <= 1000)
            title = v.get<std::string>();
        else if (k == "public" && v.is_boolean())
            is_public = v.get<bool>();
        else if (k == "from_result" && v.is_object() && v.contains("result") && v["result"].is_string())
            seed = v;
        else
            throw HttpError(400, "fields: title (1 to 1000 bytes), public, from_result "
                                 "({result, set}); not " + k + " as given");
    }
    if (title.empty())
        throw HttpError(400, "a track needs a title");
    std::optional<Json> line;
    if (seed) {
        const std::string rid = (*seed)["result"].get<std::string>();
        for (char c : rid)
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == ':'))
                throw HttpError(400, "from_result.result: a result id");
        std::optional<std::string> set;
        if (seed->contains("set") && (*seed)["set"].is_string())
            set = (*seed)["set"].get<std::string>();
        line = find_result_line(app, it->id, rid, set);
    }
    const std::string id = random_uuid(), now = now_utc();
    {
        auto lock = app.db().lock();
        Transaction t(app.db());
        Stmt st(app.db(), "INSERT INTO annotation_tracks(id, item_id, owner, title, public, created, "
                          "updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
        st.bind(1, id).bind(2, it->id).bind(3, req.principal.user_id).bind(4, title).bind(5, is_public).bind(6, now).run();
        if (line)
            add_from_result(app, id, *line);
        t.commit();
    }
    const Track t = *readable_track(app, req.principal, id);
    res.set_header("Location", "/api/v1/annotation-tracks/" + id);
    send_versioned(req, res, track_json(app, t, true), etag("track", id, t.version), 201);
}

void get_track(App &app, Request &req, Response &res) {
    const auto t = readable_track(app, req.principal, req.param("id"));
    if (!t)
        throw HttpError(404, "no such annotation track");
    send_versioned(req, res, track_json(app, *t, true), etag("track", t->id, t->version));
}

void patch_track(App &app, Request &req, Response &res) {
    const Track t = writable_track(app, req.principal, req.param("id"));
    check_if_match(req, etag("track", t.id, t.version));
    const Json body = req.json();
    std::optional<std::string> title;
    std::optional<bool> is_public;
    for (const auto &[k, v] : body.items()) {
        if (k == "title" && v.is_string() && !v.get<std::string>().empty() && v.get<std::string>().size() <= 1000)
            title = v.get<std::string>();
        else if (k == "public" && v.is_boolean())
            is_public = v.get<bool>();
        else
            throw HttpError(400, "fields: title, public; not " + k + " as given");
    }
    {
        auto lock = app.db().lock();
        // The version in the WHERE: a change between the check and here is refused too.
        Stmt st(app.db(), "UPDATE annotation_tracks SET title = coalesce(?2, title), public = "
                          "coalesce(?3, public), version = version + 1, updated = ?4 WHERE id = ?1 AND version = ?5");
        st.bind(1, t.id).bind(2, title);
        if (is_public)
            st.bind(3, *is_public);
        else
            st.bind_null(3);
        st.bind(4, now_utc()).bind(5, t.version).run();
        if (app.db().changes() == 0)
            throw HttpError(412, "the track changed since it was read; read it again");
    }
    const Track n = *readable_track(app, req.principal, t.id);
    send_versioned(req, res, track_json(app, n, true), etag("track", n.id, n.version));
}

void delete_track(App &app, Request &req, Response &res) {
    const Track t = writable_track(app, req.principal, req.param("id"));
    check_if_match(req, etag("track", t.id, t.version));
    auto lock = app.db().lock();
    Stmt st(app.db(), "DELETE FROM annotation_tracks WHERE id = ?1 AND version = ?2");
    st.bind(1, t.id).bind(2, t.version).run();
    if (app.db().changes() == 0)
        throw HttpError(412, "the track changed since it was read; read it again");
    res.status = 204;
}

void add_annotation(App &app, Request &req, Response &res) {
    const Track t = writable_track(app, req.principal, req.param("id"));
    const Fields f = annotation_fields(req.json(), true);
    std::string id;
    {
        auto lock = app.db().lock();
        Transaction tx(app.db());
        id = insert_annotation(app, t.id, *f.start, f.end.value_or(*f.start), f.label.value_or(""),
                               f.description.value_or(""), f.color);
        bump_track(app, t.id);
        tx.commit();
    }
    auto lock = app.db().lock();
    Stmt st(app.db(), std::string("SELECT ") + annotation_columns + " FROM annotations a WHERE a.id = ?1");
    st.bind(1, id);
    st.step();
    const Json a = annotation_json(st);
    res.set_header("Location", "/api/v1/annotations/" + id);
    send_versioned(req, res, a, etag("annotation", id, 1), 201);
}

// The annotation and its track, when p may read them.
std::pair<Json, Track> readable_annotation(App &app, const Principal &p, const std::string &id) {
    check_id(id, "annotation");
    std::optional<Json> a;
    std::string track;
    {
        auto lock = app.db().lock();
        Stmt st(app.db(), std::string("SELECT ") + annotation_columns + " FROM annotations a WHERE a.id = ?1");
        st.bind(1, id);
        if (st.step()) {
            a = annotation_json(st);
            track = st.text(1);
        }
    }
    if (!a)
        throw HttpError(404, "no such annotation");
    const auto t = readable_track(app, p, track);
    if (!t)
        throw HttpError(404, "no such annotation");
    return {*a, *t};
}

void get_annotation(App &app, Request &req, Response &res) {
    const auto [a, t] = readable_annotation(app, req.principal, req.param("id"));
    send_versioned(req, res, a, etag("annotation", a["id"], a["version"]));
}

void patch_annotation(App &app, Request &req, Response &res) {
    const auto [a, t] = readable_annotation(app, req.principal, req.param("id"));
    if (t.owner_id != req.principal.user_id && !req.principal.admin())
        throw HttpError(403, "only the track's owner or an admin may change it");
    const std::int64_t version = a["version"];
    check_if_match(req, etag("annotation", a["id"], version));
    const Fields f = annotation_fields(req.json(), false);
    const double start = f.start.value_or(a["start"].get<double>());
    const double end = f.end.value_or(f.start && !f.end && a["end"] == a["start"] ? start : a["end"].get<double>());
    if (end < start)
        throw HttpError(400, "end comes before start");
    {
        auto lock = app.db().lock();
        Transaction tx(app.db());
        Stmt st(app.db(), "UPDATE annotations SET start = ?2, end = ?3, label = coalesce(?4, label), "
                          "description = coalesce(?5, description), color = CASE WHEN ?6 = 1 THEN NULL "
                          "ELSE coalesce(?7, color) END, version = version + 1, updated = ?8 WHERE id = ?1 "
                          "AND version = ?9");
        st.bind(1, a["id"].get<std::string>()).bind(2, start).bind(3, end).bind(4, f.label).bind(5, f.description);
        st.bind(6, f.color_null).bind(7, f.color).bind(8, now_utc()).bind(9, version).run();
        if (app.db().changes() == 0)
            throw HttpError(412, "the annotation changed since it was read; read it again");
        bump_track(app, t.id);
        tx.commit();
    }
    const auto [n, _] = readable_annotation(app, req.principal, a["id"]);
    send_versioned(req, res, n, etag("annotation", n["id"], n["version"]));
}

void delete_annotation(App &app, Request &req, Response &res) {
    const auto [a, t] = readable_annotation(app, req.principal, req.param("id"));
    if (t.owner_id != req.principal.user_id && !req.principal.admin())
        throw HttpError(403, "only the track's owner or an admin may change it");
    const std::int64_t version = a["version"];
    check_if_match(req, etag("annotation", a["id"], version));
    auto lock = app.db().lock();
    Transaction tx(app.db());
    Stmt st(app.db(), "DELETE FROM annotations WHERE id = ?1 AND version = ?2");
    st.bind(1, a["id"].get<std::string>()).bind(2, version).run();
    if (app.db().changes() == 0)
        throw HttpError(412, "the annotation changed since it was read; read it again");
    bump_track(app, t.id);
    tx.commit();
    res.status = 204;
}

struct Format {
    const char *name, *ext, *mime;
};
const Format annotation_formats[] = {
    {"jsonl", "jsonl", "application/jsonl"}, {"audacity", "txt", "text/plain"},
    {"elan", "eaf", "application/xml"},      {"jams", "jams", "application/json"},
    {"csv", "csv", "text/csv"},
};

const Format &annotation_format(const Request &req) {
    const std::string f = req.query("format").value_or("jsonl");
    for (const auto &x : annotation_formats)
        if (f == x.name)
            return x;
    throw HttpError(400, "format: jsonl, audacity, elan, jams or csv");
}

// The track as one ts-result (segment, label): what ts-serialize's writers take.
Json track_result(App &app, const Track &t) {
    const auto it = find_readable(app, Principal{t.owner_id, t.owner, "", scope_admin}, t.item);
    Json r;
    r["schema"] = "ts-result/1";
    r["id"] = "annotations";
    r["analyzer"] = "annotations";
    r["name"] = t.title;
    r["unit"] = "";
    r["description"] = "annotation track " + t.id + " by " + t.owner;
    r["time_mode"] = "segment";
    r["data_mode"] = "label";
    r["audio"] = {{"source", it ? it->filename : std::string()},
                  {"sha1", it && it->sha1 ? Json(*it->sha1) : Json(nullptr)},
                  {"rate", it && it->rate ? Json(*it->rate) : Json(nullptr)},
                  {"channels", it && it->channels ? Json(*it->channels) : Json(nullptr)},
                  {"start", 0.0},
                  {"duration", it && it->duration ? Json(*it->duration) : Json(nullptr)},
                  {"mix", "mono"}};
    r["params"] = Json::object();
    r["producer"] = {{"tool", "ts-serve"}, {"version", "0.1.0"}};
    Json time = Json::array(), duration = Json::array(), label = Json::array();
    auto lock = app.db().lock();
    Stmt st(app.db(), "SELECT start, end, label FROM annotations WHERE track_id = ?1 ORDER BY start, end, rowid");
    st.bind(1, t.id);
    while (st.step()) {
        time.push_back(st.real(0));
        duration.push_back(st.real(1) - st.real(0));
        label.push_back(st.text(2));
    }
    r["data"] = {{"time", time}, {"duration", duration}, {"label", label}};
    return r;
}

void export_track(App &app, Request &req, Response &res) {
    const auto t = readable_track(app, req.principal, req.param("id"));
    if (!t)
        throw HttpError(404, "no such annotation track");
    const Format &fmt = annotation_format(req);
    const Json r = track_result(app, *t);
    res.set_header("Content-Disposition", "attachment; filename=\"annotations." + std::string(fmt.ext) + "\"");
    const std::string line = r.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    if (std::string(fmt.name) == "jsonl") {
        res.status = 200;
        res.set_content(line, fmt.mime);
        return;
    }
    const std::string base = random_uuid();
    const fs::path in = app.tmp_dir() / (base + ".jsonl"), out = app.tmp_dir() / (base + "." + fmt.ext);
    {
        std::ofstream f(in, std::ios::binary);
        f << line;
    }
    const RunResult rr = run({app.tool("ts-serialize"), "--quiet", "-f", fmt.name, in.string(), "-o", out.string()},
                             app.cfg().tool_timeout);
    std::error_code ec;
    fs::remove(in, ec);
    if (rr.status != 0 || !fs::exists(out, ec)) {
        fs::remove(out, ec);
        log::error("request " + req.id + ": ts-serialize failed: " + rr.err.substr(0, 500));
        throw HttpError(500, "the export failed; the server's log names request " + req.id);
    }
    std::ifstream f(out, std::ios::binary);
    std::string body((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    fs::remove(out, ec);
    res.status = 200;
    res.set_content(std::move(body), fmt.mime);
}

struct Mark {
    double start, end;
    std::string label;
};

double seconds(const std::string &text, const char *what) {
    char *end = nullptr;
    const double x = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !std::isfinite(x) || x < 0 || x > 1e7)
        throw HttpError(400, std::string(what) + ": '" + text.substr(0, 40) + "' is not a time in seconds");
    return x;
}

// Audacity labels: START<TAB>END<TAB>LABEL per line; lines of a spectral selection (\...)
// are skipped.
std::vector<Mark> read_audacity(const std::string &body) {
    std::vector<Mark> out;
    std::istringstream in(body);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty() || line[0] == '\\')
            continue;
        const auto t1 = line.find('\t');
        const auto t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
        if (t1 == std::string::npos)
            throw HttpError(400, "audacity: a line is not START<TAB>END<TAB>LABEL");
        const double start = seconds(line.substr(0, t1), "audacity");
        const double end = seconds(line.substr(t1 + 1, t2 == std::string::npos ? std::string::npos : t2 - t1 - 1), "audacity");
        out.push_back({start, end, t2 == std::string::npos ? "" : line.substr(t2 + 1)});
    }
    return out;
}

// One CSV record (RFC 4180 quoting) from in; false at the end.
bool csv_record(std::istream &in, std::vector<std::string> &fields) {
    fields.clear();
    std::string f;
    bool quoted = false, any = false;
    char c;
    while (in.get(c)) {
        any = true;
        if (quoted) {
            if (c == '"') {
                if (in.peek() == '"') {
                    f += '"';
                    in.get(c);
                } else {
                    quoted = false;
                }
            } else {
                f += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.push_back(f);
            f.clear();
        } else if (c == '\n') {
            if (!f.empty() && f.back() == '\r')
                f.pop_back();
            fields.push_back(f);
            return true;
        } else {
            f += c;
        }
    }
    if (any)
        fields.push_back(f);
    return any;
}

// CSV with a header naming time (or start) and optionally duration or end, and label.
std::vector<Mark> read_csv(const std::string &body) {
    std::istringstream in(body);
    std::vector<std::string> head, row;
    if (!csv_record(in, head))
        throw HttpError(400, "csv: empty");
    int time = -1, duration = -1, endcol = -1, label = -1;
    for (int i = 0; i < static_cast<int>(head.size()); ++i) {
        const std::string &h = head[static_cast<std::size_t>(i)];
        if (h == "time" || h == "start")
            time = i;
        else if (h == "duration")
            duration = i;
        else if (h == "end")
            endcol = i;
        else if (h == "label")
            label = i;
    }
    if (time < 0)
        throw HttpError(400, "csv: the header names no time (or start) column");
    std::vector<Mark> out;
    while (csv_record(in, row)) {
        if (row.size() == 1 && row[0].empty())
            continue;
        if (row.size() != head.size())
            throw HttpError(400, "csv: a row has " + std::to_string(row.size()) + " fields, the header " +
                                     std::to_string(head.size()));
        const double start = seconds(row[static_cast<std::size_t>(time)], "csv");
        double end = start;
        if (duration >= 0)
            end = start + seconds(row[static_cast<std::size_t>(duration)], "csv");
        else if (endcol >= 0)
            end = seconds(row[static_cast<std::size_t>(endcol)], "csv");
        out.push_back({start, end, label >= 0 ? row[static_cast<std::size_t>(label)] : ""});
    }
    return out;
}

std::string xml_text(std::string s) {
    static const std::pair<const char *, const char *> ents[] = {
        {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
    for (const auto &[e, c] : ents)
        for (std::size_t p = 0; (p = s.find(e, p)) != std::string::npos; p += std::strlen(c))
            s.replace(p, std::strlen(e), c);
    return s;
}

// ELAN .eaf: time slots (milliseconds) and the alignable annotations between two of them.
std::vector<Mark> read_elan(const std::string &body) {
    if (body.find("<ANNOTATION_DOCUMENT") == std::string::npos)
        throw HttpError(400, "elan: not an ANNOTATION_DOCUMENT");
    std::map<std::string, double> slots;
    static const std::regex slot(R"re(<TIME_SLOT\s+TIME_SLOT_ID="([^"]*)"\s+TIME_VALUE="([0-9]+)")re");
    for (std::sregex_iterator i(body.begin(), body.end(), slot), e; i != e; ++i)
        slots[(*i)[1]] = std::stod((*i)[2]) / 1000.0;
    static const std::regex ann(
        R"re(<ALIGNABLE_ANNOTATION[^>]*TIME_SLOT_REF1="([^"]*)"[^>]*TIME_SLOT_REF2="([^"]*)"[^>]*>\s*<ANNOTATION_VALUE>([^<]*)</ANNOTATION_VALUE>)re");
    std::vector<Mark> out;
    for (std::sregex_iterator i(body.begin(), body.end(), ann), e; i != e; ++i) {
        const auto a = slots.find((*i)[1]), b = slots.find((*i)[2]);
        if (a == slots.end() || b == slots.end())
            throw HttpError(400, "elan: an annotation refers to a missing time slot");
        out.push_back({a->second, b->second, xml_text((*i)[3])});
    }
    return out;
}

// The body (a file in the format) as annotations of the track: Audacity labels, CSV and ELAN
// read here; JAMS and JSON Lines through ts-serialize --from FORMAT (its readers), whose
// events and segments become annotations.
void import_track(App &app, Request &req, Response &res) {
    const Track t = writable_track(app, req.principal, req.param("id"));
    const Format &fmt = annotation_format(req);
    if (req.body.empty())
        throw HttpError(400, "the body is the file to import");
    const std::string name = fmt.name;
    std::vector<Mark> marks;
    std::vector<Json> results;
    if (name == "audacity") {
        marks = read_audacity(req.body);
    } else if (name == "csv") {
        marks = read_csv(req.body);
    } else if (name == "elan") {
        marks = read_elan(req.body);
    } else {
        const std::string base = random_uuid();
        const fs::path in = app.tmp_dir() / (base + "." + fmt.ext);
        {
            std::ofstream f(in, std::ios::binary);
            f << req.body;
        }
        const RunResult rr = run({app.tool("ts-serialize"), "--quiet", "--from", fmt.name, "-f", "jsonl", in.string()},
                                 app.cfg().tool_timeout);
        std::error_code ec;
        fs::remove(in, ec);
        if (rr.status != 0) {
            std::string first = rr.err.substr(0, rr.err.find('\n'));
            const auto e = first.find("error: ");
            if (e != std::string::npos)
                first = first.substr(e + 7);
            throw HttpError(400, "the body is not " + name + " that ts-serialize reads: " + first.substr(0, 300));
        }
        std::istringstream lines(rr.out);
        std::string line;
        while (std::getline(lines, line)) {
            if (line.empty())
                continue;
            try {
                results.push_back(Json::parse(line));
            } catch (const std::exception &) {
                throw HttpError(500, "ts-serialize wrote a line that is not JSON");
            }
        }
    }
    if (marks.size() > 100000)
        throw HttpError(413, "more than 100000 annotations");
    int n = 0;
    {
        auto lock = app.db().lock();
        Transaction tx(app.db());
        for (const auto &m : marks) {
            insert_annotation(app, t.id, m.start, m.end, m.label.substr(0, 1000), "", std::nullopt);
            ++n;
        }
        for (const auto &r : results) {
            const std::string tm = r.value("time_mode", "");
            if (tm == "segment" || tm == "event")
                n += add_from_result(app, t.id, r);
        }
        if (n == 0)
            throw HttpError(400, "the file holds no events or segments");
        bump_track(app, t.id);
        tx.commit();
    }
    const Track nt = *readable_track(app, req.principal, t.id);
    send_versioned(req, res, track_json(app, nt, true), etag("track", nt.id, nt.version));
}

} // namespace

void add_annotation_routes(std::vector<Route> &r) {
    r.push_back({"GET", "/api/v1/items/{id}/annotation-tracks", scope_read, false, list_tracks});
    r.push_back({"POST", "/api/v1/items/{id}/annotation-tracks", scope_annotate, false, create_track});
    r.push_back({"GET", "/api/v1/annotation-tracks/{id}", scope_read, false, get_track});
    r.push_back({"PATCH", "/api/v1/annotation-tracks/{id}", scope_annotate, false, patch_track});
    r.push_back({"DELETE", "/api/v1/annotation-tracks/{id}", scope_annotate, false, delete_track});
    r.push_back({"POST", "/api/v1/annotation-tracks/{id}/annotations", scope_annotate, false, add_annotation});
    r.push_back({"GET", "/api/v1/annotation-tracks/{id}/export", scope_read, false, export_track});
    r.push_back({"POST", "/api/v1/annotation-tracks/{id}/import", scope_annotate, false, import_track});
    r.push_back({"GET", "/api/v1/annotations/{id}", scope_read, false, get_annotation});
    r.push_back({"PATCH", "/api/v1/annotations/{id}", scope_annotate, false, patch_annotation});
    r.push_back({"DELETE", "/api/v1/annotations/{id}", scope_annotate, false, delete_annotation});
}

} // namespace ts::serve
