// The job queue and its workers. A job's state lives in the catalog (jobs, job_items,
// artifacts), so a server killed at any moment restarts from it; its outputs are written by
// the tools' own -o, which renames a complete file into place, so none is ever half-written.
#include "serve/jobs.hpp"

#include "analyze/preset.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "serve/app.hpp"
#include "serve/db.hpp"
#include "serve/paths.hpp"
#include "serve/problem.hpp"
#include "serve/process.hpp"
#include "serve/slurm.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>

namespace fs = std::filesystem;

namespace ts::serve {
namespace {

JobRunner *current_runner = nullptr;

std::string sha256_hex(const std::string &s, unsigned bytes) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_Digest(s.data(), s.size(), md, &len, EVP_sha256(), nullptr);
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < std::min(bytes, len); ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

const std::set<std::string> known_outputs = {"results", "peaks", "waveform", "spectrogram"};

std::string param_text(const Json &v, const std::string &key) {
    if (v.is_string())
        return v.get<std::string>();
    if (v.is_boolean())
        return v.get<bool>() ? "true" : "false";
    if (v.is_number_integer())
        return std::to_string(v.get<std::int64_t>());
    if (v.is_number() && std::isfinite(v.get<double>()))
        return v.dump(); // the shortest text that reads back as the same double
    throw HttpError(400, "params." + key + ": a string, a number or a boolean");
}

// The analysis part of a request, which names a results file: same analysis, same file.
Json analysis(const Json &req) {
    Json a;
    a["preset"] = req.at("preset");
    a["analyzers"] = req.at("analyzers");
    a["params"] = req.at("params");
    return a;
}

} // namespace

std::string output_name(const Json &req, const std::string &kind) {
    if (kind == "results")
        return "job-results-" + sha256_hex(analysis(req).dump(), 8) + ".jsonl";
    if (kind == "peaks")
        return "job-peaks-pps100-8bit.dat";
    return "job-" + kind + (kind == "waveform" ? "-1200x300.png" : "-1200x400.png");
}

std::vector<JobOutput> plan_outputs(App &app, const Json &req) {
    std::vector<JobOutput> out;
    for (const auto &o : req.at("outputs")) {
        const std::string kind = o.get<std::string>();
        if (kind == "results") {
            const Json a = analysis(req);
            JobOutput r{kind, "jsonl", sha256_hex(a.dump(), 8), {app.tool("ts-analyze"), "--quiet"}};
            if (!a["preset"].is_null()) {
                r.argv.insert(r.argv.end(), {"--preset", a["preset"].get<std::string>()});
            } else {
                std::string list;
                for (const auto &n : a["analyzers"])
                    list += (list.empty() ? "" : ",") + n.get<std::string>();
                r.argv.insert(r.argv.end(), {"-a", list});
                for (const auto &[k, v] : a["params"].items())
                    r.argv.insert(r.argv.end(), {"-p", k + "=" + v.get<std::string>()});
            }
            r.argv.insert(r.argv.end(), {"{in}", "-o", "{out}"});
            out.push_back(r);
        } else if (kind == "peaks") {
            out.push_back({kind, "dat", "pps100-8bit",
                           {app.tool("ts-analyze"), "--quiet", "-a", "waveform", "-p",
                            "waveform.pixels_per_second=100", "-f", "dat", "--bits", "8", "{in}",
                            "-o", "{out}"}});
        } else {
            out.push_back({kind, "png", "1200x300",
                           {app.tool("ts-graph"), kind, "--quiet", "-W", "1200", "-H",
                            kind == "waveform" ? "300" : "400", "{in}", "-o", "{out}"}});
            out.back().hash = kind == "waveform" ? "1200x300" : "1200x400";
        }
    }
    return out;
}

fs::path job_log_path(App &app, const std::string &job) {
    return app.cfg().data / "jobs" / (job + ".log");
}

void append_job_log(const fs::path &file, const std::string &line) {
    std::ofstream f(file, std::ios::app);
    f << now_utc() << " " << line << "\n";
}

std::string last_line(const fs::path &file, std::uintmax_t from) {
    std::ifstream f(file, std::ios::binary);
    f.seekg(static_cast<std::streamoff>(from));
    std::string line, last;
    while (std::getline(f, line))
        if (!line.empty())
            last = line;
    return last.substr(0, 500);
}

// A tool's temporary file is .NAME.tmp-XXXXXX beside its output; a kill may leave one.
void remove_temps(const fs::path &dir, const std::string &name) {
    std::error_code ec;
    const std::string prefix = "." + name + (name.empty() ? "" : ".tmp-");
    for (const auto &e : fs::directory_iterator(dir, ec)) {
        const std::string n = e.path().filename().string();
        if (n.size() > 1 && n[0] == '.' && n.find(".tmp-") != std::string::npos &&
            n.rfind(prefix, 0) == 0)
            fs::remove(e.path(), ec);
    }
}

void record_output(App &app, const std::string &job, const std::string &item, const Json &req,
                   const JobOutput &o) {
    const fs::path rel = fs::path("derived") / item / output_name(req, o.kind);
    std::error_code ec;
    const auto size = fs::file_size(app.cfg().data / rel, ec);
    auto lock = app.db().lock();
    Stmt st(app.db(), "INSERT OR REPLACE INTO artifacts(item_id, kind, options_hash, options, "
                      "path, size, cache, job_id, created, last_used) VALUES (?1, ?2, ?3, "
                      "?4, ?5, ?6, 0, ?7, ?8, ?8)");
    st.bind(1, item).bind(2, "job-" + o.kind).bind(3, o.hash);
    st.bind(4, o.kind == "results" ? analysis(req).dump() : o.hash).bind(5, rel.string());
    st.bind(6, static_cast<std::int64_t>(ec ? 0 : size)).bind(7, job);
    st.bind(8, now_utc()).run();
}

JobRunner *job_runner() { return current_runner; }

std::optional<std::string> claim_job(Db &db, const std::string &backend) {
    auto lock = db.lock();
    Stmt st(db, "UPDATE jobs SET state = 'running', started = ?1, attempts = attempts + 1 "
                "WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND backend = ?2 "
                "ORDER BY created, rowid LIMIT 1) AND state = 'queued' RETURNING id");
    st.bind(1, now_utc()).bind(2, backend);
    if (!st.step())
        return std::nullopt;
    std::string id = st.text(0);
    while (st.step()) {
    }
    return id;
}

std::pair<int, int> recover_jobs(Db &db, int max_attempts) {
    auto lock = db.lock();
    Transaction t(db);
    const std::string now = now_utc();
    // "Lost": running on this machine when the server died, or not yet submitted to Slurm.
#define LOST "(backend = 'local' OR slurm_id IS NULL)"
    {
        Stmt st(db, "UPDATE job_items SET state = 'canceled' WHERE state IN ('queued', "
                    "'running') AND job_id IN (SELECT id FROM jobs WHERE state = 'running' AND "
                    "cancel = 1 AND " LOST ")");
        st.run();
        Stmt j(db, "UPDATE jobs SET state = 'canceled', finished = ?1 WHERE state = 'running' "
                   "AND cancel = 1 AND " LOST);
        j.bind(1, now).run();
    }
    Stmt f(db, "UPDATE job_items SET state = 'failed', error = 'the server stopped during the "
               "job' WHERE state IN ('queued', 'running') AND job_id IN (SELECT id FROM jobs "
               "WHERE state = 'running' AND attempts >= ?1 AND " LOST ")");
    f.bind(1, max_attempts).run();
    Stmt fj(db, "UPDATE jobs SET state = 'failed', finished = ?1, error = 'the server stopped "
                "during the job ' || attempts || ' times' WHERE state = 'running' AND "
                "attempts >= ?2 AND " LOST);
    fj.bind(1, now).bind(2, max_attempts).run();
    const int failed = static_cast<int>(db.changes());
    Stmt qi(db, "UPDATE job_items SET state = 'queued' WHERE state = 'running' AND job_id IN "
                "(SELECT id FROM jobs WHERE state = 'running' AND " LOST ")");
    qi.run();
    Stmt q(db, "UPDATE jobs SET state = 'queued', started = NULL WHERE state = 'running' AND " LOST);
    q.run();
#undef LOST
    const int requeued = static_cast<int>(db.changes());
    t.commit();
    return {requeued, failed};
}

std::optional<Json> job_json(Db &db, const std::string &id) {
    auto lock = db.lock();
    Stmt st(db, "SELECT j.id, u.name, j.state, j.request, j.backend, j.progress, j.error, "
                "j.created, j.started, j.finished, j.attempts, j.cancel, j.slurm_id FROM jobs j JOIN users "
                "u ON u.id = j.owner WHERE j.id = ?1");
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    Json j;
    j["id"] = st.text(0);
    j["owner"] = st.text(1);
    j["state"] = st.text(2);
    Json req = Json::parse(st.text(3));
    j["backend"] = st.text(4);
    j["progress"] = st.real(5);
    j["error"] = st.null(6) ? Json(nullptr) : Json(st.text(6));
    j["created"] = st.text(7);
    j["started"] = st.null(8) ? Json(nullptr) : Json(st.text(8));
    j["finished"] = st.null(9) ? Json(nullptr) : Json(st.text(9));
    j["attempts"] = st.integer(10);
    j["cancel_requested"] = st.integer(11) != 0;
    j["slurm_job"] = st.null(12) ? Json(nullptr) : Json(st.text(12));
    req.erase("items");
    j["request"] = req;
    j["items"] = Json::array();
    Stmt it(db, "SELECT item_id, state, error, outputs FROM job_items WHERE job_id = ?1 ORDER "
                "BY position");
    it.bind(1, id);
    while (it.step()) {
        Json e;
        e["item"] = it.text(0);
        e["state"] = it.text(1);
        e["error"] = it.null(2) ? Json(nullptr) : Json(it.text(2));
        e["outputs"] = Json::parse(it.text(3));
        j["items"].push_back(e);
    }
    j["links"] = {{"self", "/api/v1/jobs/" + id},
                  {"events", "/api/v1/jobs/" + id + "/events"},
                  {"log", "/api/v1/jobs/" + id + "/log"}};
    return j;
}

const Json &analyzer_list(App &app) {
    static std::once_flag once;
    static Json list;
    std::call_once(once, [&app] {
        const RunResult r = run({app.tool("ts-analyze"), "--list", "--json"}, 60);
        if (r.status != 0)
            throw Error("ts-analyze --list --json failed: " + r.err.substr(0, 300));
        list = Json::parse(r.out);
    });
    return list;
}

Json normalize_request(const Json &body, const std::vector<std::string> &items,
                       const std::string &default_backend) {
    Json n;
    n["items"] = items;
    std::optional<std::string> preset;
    std::vector<std::string> analyzers;
    std::map<std::string, std::string> params;
    std::set<std::string> outputs;
    std::string backend = default_backend;
    for (const auto &[k, v] : body.items()) {
        if (k == "items" || k == "collection") {
            continue; // resolved by the caller
        } else if (k == "preset" && v.is_string()) {
            preset = v.get<std::string>();
        } else if (k == "analyzers" && v.is_array() && !v.empty() && v.size() <= 64) {
            for (const auto &a : v) {
                if (!a.is_string())
                    throw HttpError(400, "analyzers: a list of analyzer names");
                analyzers.push_back(a.get<std::string>());
            }
        } else if (k == "params" && v.is_object() && v.size() <= 256) {
            for (const auto &[pk, pv] : v.items())
                params[pk] = param_text(pv, pk);
        } else if (k == "outputs" && v.is_array() && !v.empty()) {
            for (const auto &o : v) {
                if (!o.is_string() || !known_outputs.count(o.get<std::string>()))
                    throw HttpError(400, "outputs: results, peaks, waveform, spectrogram");
                outputs.insert(o.get<std::string>());
            }
        } else if (k == "backend" && v.is_string()) {
            backend = v.get<std::string>();
            if (backend != "local" && backend != "slurm")
                throw HttpError(400, "backend: local or slurm");
        } else {
            throw HttpError(400, "fields: items or collection, outputs, preset or analyzers "
                                 "with params, backend; not " + k + " as given");
        }
    }
    if (outputs.empty())
        outputs.insert("results");
    if (preset && !analyzers.empty())
        throw HttpError(400, "give a preset or analyzers, not both");
    if (preset && !params.empty())
        throw HttpError(400, "params go with analyzers, not with a preset");
    if (!preset && analyzers.empty())
        preset = "minimal";
    n["preset"] = preset ? Json(*preset) : Json(nullptr);
    n["analyzers"] = analyzers;
    n["params"] = Json::object();
    for (const auto &[k, v] : params)
        n["params"][k] = v;
    n["outputs"] = Json::array();
    for (const char *o : {"results", "peaks", "waveform", "spectrogram"})
        if (outputs.count(o))
            n["outputs"].push_back(o);
    n["backend"] = backend;
    return n;
}

// Checks analyzers, params and preset against what ts-analyze offers (400 otherwise).
void check_analysis(App &app, const Json &n) {
    if (!n["preset"].is_null()) {
        const auto names = ts::analyze::preset_names();
        const std::string p = n["preset"].get<std::string>();
        if (std::find(names.begin(), names.end(), p) == names.end()) {
            std::string all;
            for (const auto &s : names)
                all += (all.empty() ? "" : ", ") + s;
            throw HttpError(400, "preset: '" + p + "' is not one of " + all);
        }
        return;
    }
    const Json &list = analyzer_list(app);
    auto find = [&list](const std::string &name) -> const Json * {
        for (const auto &a : list) {
            const std::string id = a.value("id", "");
            if (id.rfind("exec:", 0) == 0)
                continue; // programs of the caller's choosing never run on the server
            if (id == name)
                return &a;
            for (const auto &o : a["outputs"])
                if (o.value("id", "") == name)
                    return &a;
        }
        return nullptr;
    };
    std::set<std::string> chosen;
    for (const auto &a : n["analyzers"]) {
        const Json *found = find(a.get<std::string>());
        if (!found)
            throw HttpError(400, "analyzers: '" + a.get<std::string>() +
                                     "' is not an analyzer or output of ts-analyze --list");
        chosen.insert((*found)["id"].get<std::string>());
    }
    for (const auto &[k, v] : n["params"].items()) {
        const auto dot = k.rfind('.');
        const std::string name = dot == std::string::npos ? "" : k.substr(0, dot);
        const std::string key = dot == std::string::npos ? "" : k.substr(dot + 1);
        if (!chosen.count(name))
            throw HttpError(400, "params: '" + k + "' is not NAME.KEY of a chosen analyzer");
        const Json *a = find(name);
        const Json *param = nullptr;
        for (const auto &p : (*a)["params"])
            if (p.value("key", "") == key)
                param = &p;
        if (!param)
            throw HttpError(400, "params: " + name + " has no parameter '" + key + "'");
        if (param->value("type", "") == "number" || param->value("type", "") == "integer") {
            const std::string s = v.get<std::string>();
            char *end = nullptr;
            const double x = std::strtod(s.c_str(), &end);
            const auto &range = param->contains("range") ? (*param)["range"] : Json();
            const bool integral = param->value("type", "") != "integer" || x == std::floor(x);
            if (s.empty() || *end != '\0' || !std::isfinite(x) || !integral ||
                (range.is_array() && range.size() == 2 &&
                 (x < range[0].get<double>() || x > range[1].get<double>())))
                throw HttpError(400, "params: " + k + " must be a number" +
                                         (range.is_array() ? " in " + range.dump() : ""));
        }
    }
}

// ---------------------------------------------------------------------------------------

JobRunner::JobRunner(App &app, JobLimits limits)
    : app_(app), limits_(limits), creations_(limits.per_minute, limits.burst) {}

JobRunner::~JobRunner() { stop(); }

void JobRunner::start() {
    std::error_code ec;
    fs::create_directories(app_.cfg().data / "jobs", ec);
    const auto [requeued, failed] = recover_jobs(app_.db(), limits_.max_attempts);
    if (requeued + failed > 0)
        log::info("jobs left running by the last server: " + std::to_string(requeued) +
                  " queued again, " + std::to_string(failed) + " failed");
    // Temporary files of tools killed with the last server.
    for (const auto &e : fs::directory_iterator(app_.derived_dir(), ec))
        if (e.is_directory(ec))
            remove_temps(e.path());
    current_runner = this;
    for (int i = 0; i < limits_.workers; ++i)
        threads_.emplace_back([this] { work(); });
    slurm_ = std::make_unique<SlurmJobs>(app_, *this);
    slurm_->start();
}

void JobRunner::stop() {
    if (stop_.exchange(true))
        return;
    {
        std::lock_guard l(mutex_);
        for (const auto &[id, pg] : running_)
            ::kill(-pg, SIGTERM);
    }
    queued_.notify_all();
    changed_.notify_all();
    for (auto &t : threads_)
        t.join();
    threads_.clear();
    if (slurm_)
        slurm_->stop(); // the cluster's jobs run on; the next server follows them
    slurm_.reset();
    if (current_runner == this)
        current_runner = nullptr;
}

void JobRunner::wake() {
    queued_.notify_one();
    if (slurm_)
        slurm_->wake();
    changed();
}

void JobRunner::changed() {
    {
        std::lock_guard l(mutex_);
        ++generation_;
    }
    changed_.notify_all();
}

std::uint64_t JobRunner::generation() {
    std::lock_guard l(mutex_);
    return generation_;
}

std::uint64_t JobRunner::wait_change(std::uint64_t seen, int timeout_ms) {
    std::unique_lock l(mutex_);
    changed_.wait_for(l, std::chrono::milliseconds(timeout_ms),
                      [&] { return generation_ != seen || stop_.load(); });
    return generation_;
}

bool JobRunner::open_stream() {
    std::lock_guard l(mutex_);
    if (streams_ >= limits_.max_streams)
        return false;
    ++streams_;
    return true;
}

void JobRunner::close_stream() {
    std::lock_guard l(mutex_);
    --streams_;
}

void JobRunner::cancel(const std::string &id) {
    {
        std::lock_guard l(mutex_);
        canceled_.insert(id);
        const auto it = running_.find(id);
        if (it != running_.end())
            ::kill(-it->second, SIGTERM);
    }
    if (slurm_)
        slurm_->wake();
    changed();
}

void JobRunner::work() {
    while (!stop_.load()) {
        std::optional<std::string> id;
        try {
            id = claim_job(app_.db());
        } catch (const std::exception &e) {
            log::error(std::string("jobs: ") + e.what());
        }
        if (!id) {
            std::unique_lock l(mutex_);
            queued_.wait_for(l, std::chrono::seconds(2));
            continue;
        }
        changed();
        try {
            run_job(*id);
        } catch (const std::exception &e) {
            log::error("job " + *id + ": " + e.what());
            auto lock = app_.db().lock();
            Stmt st(app_.db(), "UPDATE jobs SET state = 'failed', error = ?2, finished = ?3 "
                               "WHERE id = ?1 AND state = 'running'");
            st.bind(1, *id).bind(2, std::string("internal error: ") + e.what()).bind(3, now_utc()).run();
        }
        changed();
    }
}

// Forks the tool into a process group of its own, its stdout discarded and its stderr
// appended to the job's log, with limits on memory and CPU time; SIGTERM reaches it when the
// worker thread dies with the server. Returns its exit status (128 + N for signal N).
int JobRunner::run_tool(const std::string &job, const std::vector<std::string> &argv,
                        const std::string &log) {
    std::vector<char *> args;
    for (const auto &a : argv)
        args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    const int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    const int err = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (devnull < 0 || err < 0)
        throw Error(log + ": cannot open the job's log: " + std::strerror(errno));
    const pid_t parent = ::getpid();
#if defined(__SANITIZE_ADDRESS__)
    // A sanitizer build's tools map terabytes of shadow address space: no RLIMIT_AS there.
    const rlim_t memory = 0;
#else
    const rlim_t memory = static_cast<rlim_t>(limits_.memory);
#endif
    const rlim_t cpu = static_cast<rlim_t>(limits_.timeout) + 5;
    pid_t pid = -1;
    {
        std::lock_guard l(mutex_);
        if (stop_.load() || canceled_.count(job)) {
            ::close(devnull);
            ::close(err);
            return 130;
        }
        pid = ::fork();
        if (pid == 0) {
            // The child: async-signal-safe calls only until exec.
            ::setpgid(0, 0);
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (::getppid() != parent)
                ::_exit(130);
            struct sigaction dfl {};
            dfl.sa_handler = SIG_DFL;
            for (int s : {SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGXFSZ})
                ::sigaction(s, &dfl, nullptr);
            sigset_t none;
            sigemptyset(&none);
            ::sigprocmask(SIG_SETMASK, &none, nullptr);
            struct rlimit as {memory, memory}, c {cpu, cpu + 5}, core {0, 0};
            if (memory > 0)
                ::setrlimit(RLIMIT_AS, &as);
            ::setrlimit(RLIMIT_CPU, &c);
            ::setrlimit(RLIMIT_CORE, &core);
            ::dup2(devnull, 0);
            ::dup2(devnull, 1);
            ::dup2(err, 2);
            // The server's sockets and files (some opened without O_CLOEXEC) stay with it.
            ::close_range(3, ~0U, 0);
            ::execv(args[0], args.data());
            ::_exit(127);
        }
        if (pid > 0) {
            ::setpgid(pid, pid); // also from here, so the group exists before any kill
            running_[job] = pid;
        }
    }
    ::close(devnull);
    ::close(err);
    if (pid < 0)
        throw Error(std::string("fork: ") + std::strerror(errno));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limits_.timeout);
    std::optional<std::chrono::steady_clock::time_point> termed;
    int st = 0;
    // Waited for through a pidfd, readable when the child ends: reaped at once, whatever its
    // length, with a wake-up a second for the deadline. Where the kernel has no pidfd, polled
    // from 1 ms, doubling to 50 ms.
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    auto nap = std::chrono::milliseconds(1);
    for (;;) {
        const pid_t r = ::waitpid(pid, &st, WNOHANG);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR)
            break;
        const auto now = std::chrono::steady_clock::now();
        if (!termed && now > deadline) {
            append_job_log(log, argv[0] + ": stopped after " + std::to_string(limits_.timeout) + " s");
            ::kill(-pid, SIGTERM);
            termed = now;
        }
        if (termed && now > *termed + std::chrono::seconds(5))
            ::kill(-pid, SIGKILL);
        if (pidfd >= 0) {
            pollfd p{pidfd, POLLIN, 0};
            ::poll(&p, 1, 1000);
        } else {
            std::this_thread::sleep_for(nap);
            nap = std::min(nap * 2, std::chrono::milliseconds(50));
        }
    }
    if (pidfd >= 0)
        ::close(pidfd);
    {
        std::lock_guard l(mutex_);
        running_.erase(job);
    }
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return -1;
}

fs::path job_media(const fs::path &data, const std::string &media, const std::optional<std::string> &src,
                   const std::string &name) {
    if (!src)
        return data / media;
    const int fd = open_beneath(*src, name);
    if (fd < 0)
        throw Error("the archive's file " + name + (errno == ENOENT ? " is gone" : " leads out of the archive"));
    struct stat st {};
    const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    ::close(fd);
    if (!regular)
        throw Error("the archive's file " + name + " is not a regular file");
    auto real = resolve_beneath(*src, name, true);
    if (!real)
        throw Error("the archive's file " + name + " leads out of the archive");
    return *real;
}

void JobRunner::run_job(const std::string &id) {
    Db &db = app_.db();
    Json req;
    struct Source {
        std::string item, media, name;
        std::optional<std::string> src; // an archive item's mount SRC
    };
    std::vector<Source> items;
    {
        auto lock = db.lock();
        Stmt st(db, "SELECT request FROM jobs WHERE id = ?1");
        st.bind(1, id);
        if (!st.step())
            return;
        req = Json::parse(st.text(0));
        Stmt it(db, "SELECT ji.item_id, i.media, i.mount_path, m.src FROM job_items ji JOIN items i "
                    "ON i.id = ji.item_id LEFT JOIN mounts m ON m.id = i.mount_id WHERE ji.job_id = "
                    "?1 AND ji.state IN ('queued', 'running') ORDER BY ji.position");
        it.bind(1, id);
        while (it.step())
            items.push_back({it.text(0), it.text(1), it.null(2) ? "" : it.text(2),
                             it.null(3) ? std::nullopt : std::optional<std::string>(it.text(3))});
    }
    const auto outputs = plan_outputs(app_, req);
    const std::string log = job_log_path(app_, id).string();
    append_job_log(log, "job " + id + " started: " + std::to_string(items.size()) + " items left");

    std::int64_t total = 0, finished = 0;
    {
        auto lock = db.lock();
        Stmt st(db, "SELECT count(*), sum(state IN ('done', 'failed')) FROM job_items WHERE job_id = ?1");
        st.bind(1, id);
        st.step();
        total = st.integer(0) * static_cast<std::int64_t>(outputs.size());
        finished = st.null(1) ? 0 : st.integer(1) * static_cast<std::int64_t>(outputs.size());
    }
    auto canceled = [&] {
        auto lock = db.lock();
        Stmt st(db, "SELECT cancel FROM jobs WHERE id = ?1");
        st.bind(1, id);
        return !st.step() || st.integer(0) != 0;
    };

    bool cancel = false;
    for (const auto &source : items) {
        const std::string &item = source.item;
        if ((cancel = canceled()) || stop_.load())
            break;
        {
            auto lock = db.lock();
            Stmt st(db, "UPDATE job_items SET state = 'running' WHERE job_id = ?1 AND item_id = ?2");
            st.bind(1, id).bind(2, item).run();
        }
        changed();
        Json made = Json::object();
        std::string error;
        const fs::path dir = app_.derived_dir() / item;
        std::error_code ec;
        fs::create_directories(dir, ec);
        fs::path media;
        try {
            media = job_media(app_.cfg().data, source.media, source.src, source.name);
        } catch (const std::exception &e) {
            error = e.what();
            append_job_log(log, "item " + item + ": " + error);
        }
        for (const auto &o : outputs) {
            if (!error.empty())
                break;
            const fs::path rel = fs::path("derived") / item / output_name(req, o.kind);
            const fs::path file = app_.cfg().data / rel;
            bool have = false;
            {
                auto lock = db.lock();
                Stmt st(db, "SELECT 1 FROM artifacts WHERE item_id = ?1 AND kind = ?2 AND "
                            "options_hash = ?3 AND path = ?4");
                st.bind(1, item).bind(2, "job-" + o.kind).bind(3, o.hash).bind(4, rel.string());
                have = st.step() && fs::exists(file, ec);
            }
            if (!have) {
                Argv argv = o.argv;
                for (auto &a : argv) {
                    if (a == "{in}")
                        a = media.string();
                    else if (a == "{out}")
                        a = file.string();
                }
                const auto before = fs::exists(log, ec) ? fs::file_size(log, ec) : 0;
                append_job_log(log, "item " + item + ": " + fs::path(argv[0]).filename().string() + " " + o.kind);
                const int status = run_tool(id, argv, log);
                if (status != 0) {
                    remove_temps(dir);
                    if (stop_.load() && !canceled())
                        return; // the server stops: the job stays running, requeued at start
                    if ((cancel = canceled()))
                        break;
                    error = fs::path(argv[0]).filename().string() + " (" + o.kind + ") exited with status " +
                            std::to_string(status) + ": " + last_line(log, before);
                    append_job_log(log, "item " + item + ": " + error);
                    break;
                }
                record_output(app_, id, item, req, o);
            }
            made[o.kind] = "/api/v1/jobs/" + id + "/items/" + item + "/" + o.kind;
            ++finished;
            auto lock = db.lock();
            Stmt st(db, "UPDATE jobs SET progress = ?2 WHERE id = ?1");
            st.bind(1, id).bind(2, total ? static_cast<double>(finished) / static_cast<double>(total) : 1.0).run();
        }
        if (cancel)
            break;
        {
            auto lock = db.lock();
            Stmt st(db, "UPDATE job_items SET state = ?3, error = ?4, outputs = ?5 WHERE job_id "
                        "= ?1 AND item_id = ?2");
            st.bind(1, id).bind(2, item).bind(3, error.empty() ? "done" : "failed");
            if (error.empty())
                st.bind_null(4);
            else
                st.bind(4, error);
            st.bind(5, made.dump()).run();
        }
        changed();
    }
    if (stop_.load() && !cancel && !canceled())
        return;
    finish_job(app_, id, cancel || canceled());
}

void finish_job(App &app, const std::string &id, bool cancel) {
    Db &db = app.db();
    const fs::path log = job_log_path(app, id);
    auto lock = db.lock();
    Transaction t(db);
    if (cancel) {
        // What the job made is removed: a canceled job leaves no output.
        std::vector<std::string> paths;
        Stmt a(db, "SELECT path FROM artifacts WHERE job_id = ?1");
        a.bind(1, id);
        while (a.step())
            paths.push_back(a.text(0));
        std::error_code ec;
        for (const auto &p : paths)
            fs::remove(app.cfg().data / p, ec);
        Stmt d(db, "DELETE FROM artifacts WHERE job_id = ?1");
        d.bind(1, id).run();
        Stmt i(db, "UPDATE job_items SET state = 'canceled', outputs = '{}' WHERE job_id = ?1");
        i.bind(1, id).run();
        Stmt j(db, "UPDATE jobs SET state = 'canceled', finished = ?2 WHERE id = ?1");
        j.bind(1, id).bind(2, now_utc()).run();
        append_job_log(log, "job canceled; its outputs removed");
    } else {
        Stmt c(db, "SELECT count(*), sum(state = 'failed') FROM job_items WHERE job_id = ?1");
        c.bind(1, id);
        c.step();
        const auto n = c.integer(0), failed = c.null(1) ? 0 : c.integer(1);
        Stmt j(db, "UPDATE jobs SET state = ?2, error = ?3, finished = ?4, progress = 1 WHERE id = ?1");
        j.bind(1, id).bind(2, failed ? "failed" : "done");
        if (failed)
            j.bind(3, std::to_string(failed) + " of " + std::to_string(n) + " items failed");
        else
            j.bind_null(3);
        j.bind(4, now_utc()).run();
        append_job_log(log, failed ? "job failed" : "job done");
    }
    t.commit();
}

} // namespace ts::serve
