// Jobs over the API: create (202 and a Location; an identical active request gives the same
// job), list, get, cancel, the job's log, its outputs, and its changes as server-sent events.
#include "core/log.hpp"
#include "core/signals.hpp"
#include "serve/app.hpp"
#include "serve/db.hpp"
#include "serve/items.hpp"
#include "serve/jobs.hpp"
#include "serve/paths.hpp"
#include "serve/problem.hpp"
#include "serve/routes.hpp"
#include "serve/slurm.hpp"


#include <algorithm>
#include <fcntl.h>
#include <unistd.h>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace ts::serve {
namespace {

// The end of each turn of an event stream's provider: the server stopping (SIGTERM) ends the
// stream (it waits for its requests); otherwise up to 1 s waiting for a change of any job
// (gen, and *changed set, when there is one), and a keep-alive comment after 15 quiet turns.
// False when the client is gone.
bool end_turn(JobRunner &runner, std::uint64_t &gen, int &idle, httplib::DataSink &sink,
              bool *changed = nullptr) {
    if (runner.stopping() || signals::received() != 0) {
        sink.done();
        return true;
    }
    const auto g = runner.wait_change(gen, 1000);
    if (g == gen) {
        if (++idle < 15)
            return true;
        idle = 0;
        static const std::string keep = ": keep-alive\n\n";
        return sink.write(keep.data(), keep.size());
    }
    idle = 0;
    gen = g;
    if (changed)
        *changed = true;
    return true;
}


// The job if p may see it: its owner or an admin (jobs are never public).
Json readable_job(App &app, const Principal &p, const std::string &id) {
    check_id(id, "job");
    {
        auto lock = app.db().lock();
        Stmt st(app.db(), "SELECT 1 FROM jobs WHERE id = ?1 AND (owner = ?2 OR ?3 = 1)");
        st.bind(1, id).bind(2, p.user_id).bind(3, p.admin());
        if (!st.step())
            throw HttpError(404, "no such job");
    }
    auto j = job_json(app.db(), id);
    if (!j)
        throw HttpError(404, "no such job");
    return *j;
}

// The items a request names, each readable by p (404 for one that is not).
std::vector<std::string> request_items(App &app, const Principal &p, const Json &body) {
    std::vector<std::string> ids;
    const bool has_items = body.contains("items"), has_coll = body.contains("collection");
    if (has_items == has_coll)
        throw HttpError(400, "give items (a list of item ids) or collection (an id), one of them");
    if (has_items) {
        const Json &v = body["items"];
        if (!v.is_array() || v.empty() || v.size() > 10000)
            throw HttpError(400, "items: a list of 1 to 10000 item ids");
        std::set<std::string> seen;
        for (const auto &i : v) {
            if (!i.is_string() || !is_uuid(i.get<std::string>()))
                throw HttpError(400, "items: each an item id (a UUID)");
            if (seen.insert(i.get<std::string>()).second)
                ids.push_back(i.get<std::string>());
        }
        for (const auto &id : ids)
            if (!find_readable(app, p, id))
                throw HttpError(404, "no such item: " + id);
        return ids;
    }
    const Json &c = body["collection"];
    if (!c.is_string() || !is_uuid(c.get<std::string>()))
        throw HttpError(400, "collection: a collection id (a UUID)");
    auto lock = app.db().lock();
    Stmt cs(app.db(), "SELECT 1 FROM collections WHERE id = ?1 AND (public = 1 OR owner = ?2 OR ?3 = 1)");
    cs.bind(1, c.get<std::string>()).bind(2, p.user_id).bind(3, p.admin());
    if (!cs.step())
        throw HttpError(404, "no such collection");
    Stmt st(app.db(), "SELECT i.id FROM collection_items ci JOIN items i ON i.id = ci.item_id "
                      "WHERE ci.collection_id = ?1 AND (i.public = 1 OR i.owner = ?2 OR ?3 = 1) "
                      "ORDER BY ci.added, i.rowid");
    st.bind(1, c.get<std::string>()).bind(2, p.user_id).bind(3, p.admin());
    while (st.step())
        ids.push_back(st.text(0));
    if (ids.empty())
        throw HttpError(400, "the collection holds no item readable by this token");
    return ids;
}

void create(App &app, Request &req, Response &res) {
    JobRunner *runner = job_runner();
    const Json body = req.json();
    const auto items = request_items(app, req.principal, body);
    Json n = normalize_request(body, items, runner ? runner->limits().backend : "local");
    check_analysis(app, n);
    if (n["backend"] == "slurm" && find_program("sbatch").empty())
        throw HttpError(400, "backend: slurm needs sbatch, which is not on this server's PATH");
    // Job requests per user and minute (--jobs-per-minute): each valid POST counts.
    if (const int wait = runner ? runner->creations().take(req.principal.user_id) : 0; wait > 0)
        throw HttpError(429, "too many job requests; try again later",
                        {{"Retry-After", std::to_string(wait)}});
    const std::string text = n.dump(), hash = sha256_hex(text);
    const int max_queued = runner ? runner->limits().max_queued : 20;
    std::string id;
    bool existing = false;
    {
        auto lock = app.db().lock();
        Transaction t(app.db());
        Stmt same(app.db(), "SELECT id FROM jobs WHERE owner = ?1 AND request_hash = ?2 AND "
                            "state IN ('queued', 'running') AND cancel = 0");
        same.bind(1, req.principal.user_id).bind(2, hash);
        if (same.step()) {
            id = same.text(0);
            existing = true;
        } else {
            Stmt count(app.db(), "SELECT count(*) FROM jobs WHERE owner = ?1 AND state IN ('queued', 'running')");
            count.bind(1, req.principal.user_id);
            count.step();
            if (count.integer(0) >= max_queued)
                throw HttpError(429, "at most " + std::to_string(max_queued) +
                                         " jobs queued or running per user; wait for one to end",
                                {{"Retry-After", "10"}});
            id = random_uuid();
            const std::string now = now_utc();
            Stmt st(app.db(), "INSERT INTO jobs(id, owner, state, request, request_hash, backend, "
                              "created) VALUES (?1, ?2, 'queued', ?3, ?4, ?6, ?5)");
            st.bind(1, id).bind(2, req.principal.user_id).bind(3, text).bind(4, hash).bind(5, now);
            st.bind(6, n["backend"].get<std::string>()).run();
            int pos = 0;
            for (const auto &item : items) {
                Stmt ji(app.db(), "INSERT INTO job_items(job_id, item_id, position) VALUES (?1, ?2, ?3)");
                ji.bind(1, id).bind(2, item).bind(3, pos++).run();
            }
        }
        t.commit();
    }
    if (!existing && runner)
        runner->wake();
    res.set_header("Location", "/api/v1/jobs/" + id);
    send_json(req, res, *job_json(app.db(), id), existing ? 200 : 202);
}

void list(App &app, Request &req, Response &res) {
    const int limit = static_cast<int>(query_number(req, "limit", 50, 1, 200));
    const auto after = static_cast<std::int64_t>(query_number(req, "cursor", 0, 0, 9e15));
    const auto state = req.query("state");
    if (state && !std::set<std::string>{"queued", "running", "done", "failed", "canceled"}.count(*state))
        throw HttpError(400, "state: queued, running, done, failed or canceled");
    std::vector<std::pair<std::string, std::int64_t>> ids;
    {
        auto lock = app.db().lock();
        Stmt st(app.db(), "SELECT id, rowid FROM jobs WHERE (owner = ?1 OR ?2 = 1) AND rowid > ?3 "
                          "AND (?4 IS NULL OR state = ?4) ORDER BY rowid LIMIT ?5");
        st.bind(1, req.principal.user_id).bind(2, req.principal.admin()).bind(3, after);
        st.bind(4, state).bind(5, static_cast<std::int64_t>(limit) + 1);
        while (st.step())
            ids.emplace_back(st.text(0), st.integer(1));
    }
    Json j;
    j["jobs"] = Json::array();
    const bool more = static_cast<int>(ids.size()) > limit;
    if (more)
        ids.pop_back();
    for (const auto &[id, _] : ids)
        if (auto job = job_json(app.db(), id))
            j["jobs"].push_back(*job);
    j["next"] = more ? Json("/api/v1/jobs?cursor=" + std::to_string(ids.back().second) +
                            "&limit=" + std::to_string(limit) + (state ? "&state=" + *state : ""))
                     : Json(nullptr);
    send_json(req, res, j);
}

void get(App &app, Request &req, Response &res) {
    send_json(req, res, readable_job(app, req.principal, req.param("id")));
}

// Cancels a queued or running job: a queued one at once, a running one when its tool has
// exited (SIGTERM to its process group; the tools leave no partial file), and the outputs the
// job made are removed. 409 for a job that has ended.
void cancel(App &app, Request &req, Response &res) {
    const Json job = readable_job(app, req.principal, req.param("id"));
    const std::string id = job["id"];
    {
        auto lock = app.db().lock();
        Transaction t(app.db());
        Stmt q(app.db(), "UPDATE jobs SET state = 'canceled', cancel = 1, finished = ?2 WHERE id = ?1 AND state = 'queued'");
        q.bind(1, id).bind(2, now_utc()).run();
        if (app.db().changes() > 0) {
            Stmt i(app.db(), "UPDATE job_items SET state = 'canceled' WHERE job_id = ?1");
            i.bind(1, id).run();
        } else {
            Stmt r(app.db(), "UPDATE jobs SET cancel = 1 WHERE id = ?1 AND state = 'running'");
            r.bind(1, id).run();
            if (app.db().changes() == 0)
                throw HttpError(409, "the job has ended (" + job["state"].get<std::string>() + ")");
        }
        t.commit();
    }
    if (JobRunner *runner = job_runner())
        runner->cancel(id);
    send_json(req, res, *job_json(app.db(), id), 202);
}

void log_text(App &app, Request &req, Response &res) {
    const Json job = readable_job(app, req.principal, req.param("id"));
    std::ifstream f(app.cfg().data / "jobs" / (job["id"].get<std::string>() + ".log"), std::ios::binary);
    std::ostringstream s;
    if (f) {
        f.seekg(0, std::ios::end);
        const auto size = static_cast<std::int64_t>(f.tellg());
        // The last 1 MiB at most.
        f.seekg(std::max<std::int64_t>(0, size - (1 << 20)));
        s << f.rdbuf();
    }
    res.status = 200;
    res.set_content(s.str(), "text/plain; charset=utf-8");
}

// One line of a job's results as public_result serves it, byte for byte as the tool wrote it
// but for the media's path (each JSON-escaped occurrence replaced by the item's media URL);
// re-written by public_result when that textual replacement does not give the same JSON.
std::string public_line(const std::string &line, const Item &it) {
    Json j;
    try {
        j = Json::parse(line);
    } catch (const std::exception &) {
        throw HttpError(500, "the results of this item are not JSON Lines");
    }
    Json want = public_result(j, it);
    if (!j.contains("audio") || !j["audio"].is_object() || !j["audio"].contains("source") ||
        !j["audio"]["source"].is_string())
        return want == j ? line : want.dump(-1, ' ', false, Json::error_handler_t::replace);
    const std::string quoted = Json(j["audio"]["source"]).dump();
    const std::string old = quoted.substr(1, quoted.size() - 2);
    const std::string url = "/api/v1/items/" + it.id + "/media";
    std::string x = line;
    if (!old.empty())
        for (std::size_t at = x.find(old); at != std::string::npos; at = x.find(old, at + url.size()))
            x.replace(at, old.size(), url);
    try {
        if (Json::parse(x) == want)
            return x;
    } catch (const std::exception &) {
    }
    return want.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// One output file of a job for one item (peaks .dat, waveform or spectrogram PNG, results
// JSON Lines), served with Range like the media.
void output(App &app, Request &req, Response &res) {
    const Json job = readable_job(app, req.principal, req.param("id"));
    const std::string item = req.param("item_id"), kind = req.param("output");
    check_id(item, "item");
    static const std::map<std::string, std::string> mimes = {
        {"results", "application/jsonl"}, {"peaks", "application/octet-stream"},
        {"waveform", "image/png"}, {"spectrogram", "image/png"}};
    const auto m = mimes.find(kind);
    if (m == mimes.end())
        throw HttpError(404, "outputs: results, peaks, waveform, spectrogram");
    const auto it = find_readable(app, req.principal, item);
    if (!it)
        throw HttpError(404, "no such item");
    bool made = false;
    for (const auto &e : job["items"])
        if (e["item"] == item && e["state"] == "done" && e["outputs"].contains(kind))
            made = true;
    const std::string name = output_name(job["request"], kind);
    const fs::path file = app.cfg().data / "derived" / item / name;
    std::error_code ec;
    if (!made || !fs::exists(file, ec))
        throw HttpError(404, "the job made no " + kind + " for this item");
    if (kind != "results") {
        send_file(req, res, file, m->second, "\"" + item.substr(0, 8) + "-" + name + "\"");
        return;
    }
    // Results name the server's path to the media (audio.source, history): served as the
    // results routes serve them (public_result), from a copy in tmp/ unlinked once open.
    const fs::path copy = app.tmp_dir() / ("output-" + random_uuid() + ".jsonl");
    {
        std::ifstream in(file, std::ios::binary);
        std::ofstream out(copy, std::ios::binary);
        std::string line;
        while (std::getline(in, line))
            if (!line.empty())
                out << public_line(line, *it) << "\n";
        if (!in.eof() || !out.flush()) {
            fs::remove(copy, ec);
            throw HttpError(500, "the results of this item cannot be read");
        }
    }
    const int fd = ::open(copy.c_str(), O_RDONLY | O_CLOEXEC);
    fs::remove(copy, ec);
    if (fd < 0)
        throw HttpError(500, "the results of this item cannot be read");
    send_fd(req, res, fd, m->second, "\"" + item.substr(0, 8) + "-" + name + "\"");
}

// An event's id: the first 16 hex digits of the SHA-256 of its data. A client that
// reconnects with Last-Event-ID naming the job's current state is not sent it again.
std::string event_id(const std::string &text) { return sha256_hex(text).substr(0, 16); }

// Server-sent events: the job as JSON (event: job, its id the state's event_id, retry 2 s)
// at once and at each change, a comment every 15 s to keep proxies from closing the stream,
// and the end of the stream once the job has ended; 204 to a reconnection whose Last-Event-ID
// is the ended job's last state. At most max_streams at once (429 beyond): each holds one of
// the request threads.
void events(App &app, Request &req, Response &res) {
    const Json first = readable_job(app, req.principal, req.param("id"));
    JobRunner *runner = job_runner();
    if (!runner)
        throw HttpError(503, "the job runner is not running");
    const std::string resume = req.raw.get_header_value("Last-Event-ID");
    const std::string state = first["state"];
    if (!resume.empty() && resume == event_id(first.dump()) &&
        (state == "done" || state == "failed" || state == "canceled")) {
        res.status = 204; // seen it end: 204 tells an EventSource not to reconnect
        return;
    }
    if (!runner->open_stream())
        throw HttpError(429, "too many event streams are open; poll the job or retry later",
                        {{"Retry-After", "5"}});
    struct State {
        std::string id, last, resume;
        std::uint64_t gen = 0;
        int idle = 0;
        bool ended = false;
    };
    auto s = std::make_shared<State>();
    s->id = first["id"];
    s->gen = runner->generation();
    s->resume = resume;
    res.status = 200;
    res.set_header("X-Accel-Buffering", "no");
    App *a = &app;
    res.set_chunked_content_provider(
        "text/event-stream",
        [a, s, runner](std::size_t, httplib::DataSink &sink) {
            if (s->ended) {
                sink.done();
                return true;
            }
            const auto job = job_json(a->db(), s->id);
            if (!job) {
                sink.done();
                return true;
            }
            std::string text = job->dump();
            const std::string state = (*job)["state"];
            const bool over = state == "done" || state == "failed" || state == "canceled";
            // Reconnected with the id of the current state: nothing new to say.
            if (!s->resume.empty() && s->resume == event_id(text))
                s->last = text;
            s->resume.clear();
            if (text != s->last) {
                s->last = text;
                const std::string ev = "event: job\nid: " + event_id(text) + "\nretry: 2000\ndata: " +
                                       text + "\n\n";
                if (!sink.write(ev.data(), ev.size()))
                    return false;
                if (over) {
                    s->ended = true;
                    return true;
                }
            }
            return end_turn(*runner, s->gen, s->idle, sink);
        },
        [runner](bool) { runner->close_stream(); });
}

// Server-sent events of every job the caller may see (its own; every job for an admin):
// event: job for each queued or running job at once (id: the highest job rowid known), then
// event: created for each new job and event: job for each change of a job seen queued or
// running, until it ends. A client that reconnects with Last-Event-ID N is sent every job
// made after job N as created. Shares the max_streams slots of the per-job streams.
void all_events(App &app, Request &req, Response &res) {
    JobRunner *runner = job_runner();
    if (!runner)
        throw HttpError(503, "the job runner is not running");
    struct State {
        Principal p;
        std::int64_t since = 0;                   // the highest rowid sent or known at start
        std::map<std::string, std::string> live;  // job seen queued or running -> its last JSON
        std::uint64_t gen = 0;
        int idle = 0;
        bool first = true, dirty = true;
    };
    auto s = std::make_shared<State>();
    s->p = req.principal;
    const std::string resume = req.raw.get_header_value("Last-Event-ID");
    if (!resume.empty() &&
        (resume.size() > 18 || resume.find_first_not_of("0123456789") != std::string::npos))
        throw HttpError(400, "Last-Event-ID: a job number from this stream");
    {
        auto lock = app.db().lock();
        Stmt st(app.db(), "SELECT coalesce(max(rowid), 0) FROM jobs");
        st.step();
        s->since = st.integer(0);
    }
    // a number past the last job (another server's stream) resumes from now
    if (!resume.empty())
        s->since = std::min<std::int64_t>(s->since, std::stoll(resume));
    if (!runner->open_stream())
        throw HttpError(429, "too many event streams are open; poll the jobs or retry later",
                        {{"Retry-After", "5"}});
    s->gen = runner->generation();
    res.status = 200;
    res.set_header("X-Accel-Buffering", "no");
    App *a = &app;
    res.set_chunked_content_provider(
        "text/event-stream",
        [a, s, runner](std::size_t, httplib::DataSink &sink) {
            // The jobs to look at: new ones, queued or running ones, and those seen live.
            std::vector<std::pair<std::string, std::int64_t>> ids;
            if (s->dirty) {
                auto lock = a->db().lock();
                Stmt st(a->db(), "SELECT id, rowid FROM jobs WHERE (owner = ?1 OR ?2 = 1) AND "
                                 "(rowid > ?3 OR state IN ('queued', 'running')) ORDER BY rowid");
                st.bind(1, s->p.user_id).bind(2, s->p.admin()).bind(3, s->since);
                while (st.step())
                    ids.emplace_back(st.text(0), st.integer(1));
            }
            std::set<std::string> listed;
            for (const auto &[id, _] : ids)
                listed.insert(id);
            for (const auto &[id, _] : s->live)
                if (!listed.count(id))
                    ids.emplace_back(id, 0);
            s->dirty = false;
            std::string out = s->first ? "retry: 2000\n\n" : "";
            s->first = false;
            for (const auto &[id, rowid] : ids) {
                const auto job = job_json(a->db(), id);
                if (!job) {
                    s->live.erase(id);
                    continue;
                }
                const std::string text = job->dump(), state = (*job)["state"];
                const bool created = rowid > s->since;
                const auto seen = s->live.find(id);
                if (created)
                    s->since = rowid;
                else if (seen != s->live.end() && seen->second == text)
                    continue;
                out += std::string("event: ") + (created ? "created" : "job") + "\nid: " +
                       std::to_string(s->since) + "\ndata: " + text + "\n\n";
                if (state == "queued" || state == "running")
                    s->live[id] = text;
                else
                    s->live.erase(id);
            }
            if (!out.empty() && !sink.write(out.data(), out.size()))
                return false;
            return end_turn(*runner, s->gen, s->idle, sink, &s->dirty);
        },
        [runner](bool) { runner->close_stream(); });
}

} // namespace

void add_job_routes(std::vector<Route> &r) {
    r.push_back({"GET", "/api/v1/jobs", scope_read, false, list});
    r.push_back({"POST", "/api/v1/jobs", scope_process, false, create});
    r.push_back({"GET", "/api/v1/jobs/events", scope_read, false, all_events}); // before {id}
    r.push_back({"GET", "/api/v1/jobs/{id}", scope_read, false, get});
    r.push_back({"DELETE", "/api/v1/jobs/{id}", scope_process, false, cancel});
    r.push_back({"GET", "/api/v1/jobs/{id}/events", scope_read, false, events});
    r.push_back({"GET", "/api/v1/jobs/{id}/log", scope_read, false, log_text});
    r.push_back({"GET", "/api/v1/jobs/{id}/items/{item_id}/{output}", scope_read, false, output});
}

} // namespace ts::serve
