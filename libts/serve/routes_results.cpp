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

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>

namespace fs = std::filesystem;

namespace ts::serve {
namespace {

struct ResultSet {
    std::string hash, path, job, created;
    Json options;
};

// The results files of an item (outputs of jobs), newest first.
std::vector<ResultSet> result_sets(App &app, const std::string &item) {
    auto lock = app.db().lock();
    Stmt st(app.db(), "SELECT options_hash, path, coalesce(job_id, ''), created, options FROM "
                      "artifacts WHERE item_id = ?1 AND kind = 'job-results' ORDER BY created DESC");
    st.bind(1, item);
    std::vector<ResultSet> out;
    while (st.step()) {
        ResultSet r{st.text(0), st.text(1), st.text(2), st.text(3), Json::object()};
        try {
            r.options = Json::parse(st.text(4));
        } catch (const std::exception &) {
        }
        out.push_back(r);
    }
    return out;
}

// Calls f(result) for each line of a results file until f returns false.
template <class F> void each_result(const fs::path &file, F f) {
    std::ifstream in(file, std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty())
            continue;
        Json j;
        try {
            j = Json::parse(line);
        } catch (const std::exception &) {
            continue;
        }
        if (!f(j, line))
            return;
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

// The result id of the path in the item's newest set holding it (or the set ?set= names).
struct Found {
    ResultSet set;
    Json result;
    std::string line; // as the job wrote it
};

Found find_result(App &app, const Request &req, const Item &it) {
    const std::string id = req.param("result");
    if (!plain_id(id))
        throw HttpError(400, "a result id: letters, digits and . _ - :");
    const auto want = req.query("set");
    for (const auto &s : result_sets(app, it.id)) {
        if (want && s.hash != *want)
            continue;
        Found f;
        bool found = false;
        each_result(app.cfg().data / s.path, [&](const Json &j, const std::string &line) {
            if (j.value("id", "") != id)
                return true;
            f.result = j;
            f.line = line;
            found = true;
            return false;
        });
        if (found) {
            f.set = s;
            return f;
        }
    }
    throw HttpError(404, "no result " + id + " for this item" + (want ? " in set " + *want : "") +
                             "; a job makes it (POST /api/v1/jobs)");
}

void index(App &app, Request &req, Response &res) {
    const Item it = readable_item(app, req);
    Json list = Json::array();
    for (const auto &s : result_sets(app, it.id)) {
        each_result(app.cfg().data / s.path, [&](const Json &j, const std::string &) {
            Json e;
            const std::string id = j.value("id", "");
            e["id"] = id;
            e["analyzer"] = j.value("analyzer", "");
            e["name"] = j.value("name", "");
            e["unit"] = j.contains("unit") && j["unit"].is_string() ? j["unit"] : Json(nullptr);
            e["time_mode"] = j.value("time_mode", "");
            e["data_mode"] = j.value("data_mode", "");
            e["params"] = j.contains("params") ? j["params"] : Json::object();
            e["set"] = s.hash;
            e["job"] = s.job.empty() ? Json(nullptr) : Json(s.job);
            e["created"] = s.created;
            const std::string base = "/api/v1/items/" + it.id + "/results/" + id;
            e["links"] = {{"self", base + "?set=" + s.hash},
                          {"plot", base + "/plot.png?set=" + s.hash}};
            if (e["time_mode"] == "framewise")
                e["links"]["series"] = base + "/series?set=" + s.hash;
            list.push_back(e);
            return true;
        });
    }
    send_json(req, res, {{"item", it.id}, {"results", list}});
}

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
        // The line itself, as the job wrote it.
        res.status = 200;
        res.set_content(f.line + "\n", fmt->mime);
        return;
    }
    rate_limit_renders(app, req);
    const std::string id = req.param("result");
    res.set_header("Content-Disposition", "attachment; filename=\"" + id + "." + fmt->ext + "\"");
    send_made(app, req, res,
              {app.tool("ts-serialize"), "--quiet", "--result", id, "-f", fmt->name,
               (app.cfg().data / f.set.path).string(), "-o", "{out}"},
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
    send_made(app, req, res,
              {app.tool("ts-graph"), "plot", "--quiet", "-W", std::to_string(w), "-H",
               std::to_string(h), "--id", req.param("result"),
               (app.cfg().data / f.set.path).string(), "-o", "{out}"},
              "png", "image/png", req.param("result") + " plot");
}

} // namespace

void add_result_routes(std::vector<Route> &r) {
    r.push_back({"GET", "/api/v1/items/{id}/results", scope_read, false, index});
    r.push_back({"GET", "/api/v1/items/{id}/results/{result}", scope_read, false, one});
    r.push_back({"GET", "/api/v1/items/{id}/results/{result}/series", scope_read, false, series});
    r.push_back({"GET", "/api/v1/items/{id}/results/{result}/plot.png", scope_read, false, plot});
}

} // namespace ts::serve
