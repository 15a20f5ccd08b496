// The Slurm backend of jobs. The server never waits on the cluster: it submits an array job
// (one task per item, each a small bash script running the same tools with the same arguments
// as a local worker would) and then looks, every --slurm-poll milliseconds, at what the tasks
// wrote and at squeue. Everything it needs to follow a job is in the catalog (the Slurm job
// id) and in the job's folder, so a restarted server finds its jobs again; the data folder
// must be at the same path on the nodes (a shared file system).
#include "serve/slurm.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "serve/app.hpp"
#include "serve/db.hpp"
#include "serve/jobs.hpp"
#include "serve/process.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace fs = std::filesystem;

namespace ts::serve {

std::string find_program(const std::string &name) {
    const char *path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        const fs::path p = fs::path(dir.empty() ? "." : dir) / name;
        if (::access(p.c_str(), X_OK) == 0)
            return p.string();
    }
    return {};
}

std::string array_ranges(std::vector<int> ids) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::string out;
    for (std::size_t i = 0; i < ids.size();) {
        std::size_t j = i;
        while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1)
            ++j;
        if (!out.empty())
            out += ',';
        out += std::to_string(ids[i]);
        if (j > i) {
            out += '-';
            out += std::to_string(ids[j]);
        }
        i = j + 1;
    }
    return out;
}

std::string shell_quote(const std::string &s) {
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::optional<bool> slurm_active(const std::string &out, int status, const std::string &err) {
    if (status != 0)
        return err.find("Invalid job id") != std::string::npos ? std::optional<bool>(false)
                                                               : std::nullopt;
    static const std::set<std::string> ended = {
        "COMPLETED", "FAILED",    "CANCELLED", "TIMEOUT",  "NODE_FAIL",    "OUT_OF_MEMORY",
        "BOOT_FAIL", "DEADLINE",  "PREEMPTED", "REVOKED",  "SPECIAL_EXIT"};
    std::stringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
        line.erase(0, line.find_first_not_of(" \t"));
        line.erase(line.find_last_not_of(" \t\r") + 1);
        if (!line.empty() && !ended.count(line))
            return true;
    }
    return false;
}

namespace {

fs::path job_dir(App &app, const std::string &id) {
    return fs::absolute(app.cfg().data) / "jobs" / (id + ".slurm");
}

void write_file(const fs::path &p, const std::string &text, fs::perms perms) {
    std::string name = ".";
    name += p.filename().string();
    name += ".tmp";
    const fs::path tmp = p.parent_path() / name;
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        f << text;
        if (!f.flush())
            throw Error(tmp.string() + ": cannot write");
    }
    fs::permissions(tmp, perms);
    fs::rename(tmp, p);
}

std::string tool_name(const JobOutput &o) { return fs::path(o.argv[0]).filename().string(); }

// The script of one item: each output not made yet, by its tool, in the order of the plan.
std::string item_script(App &app, const fs::path &dir, int pos, const std::string &item,
                        const std::string &media, const std::vector<const JobOutput *> &todo,
                        const Json &req, const JobLimits &limits) {
    const fs::path data = fs::absolute(app.cfg().data);
    std::string s = "#!/bin/bash\n# item " + item + " (position " + std::to_string(pos) +
                    ") of a ts-serve job\n";
    s += "d=" + shell_quote(dir.string()) + "\nk=" + std::to_string(pos) + "\n";
    s += "exec </dev/null >/dev/null 2>>\"$d/item-$k.log\"\n";
    s += ": >\"$d/item-$k.start\"\n";
#if defined(__SANITIZE_ADDRESS__)
    // A sanitizer build's tools map terabytes of shadow address space: no limit there.
    const std::uint64_t memory = 0;
#else
    const std::uint64_t memory = limits.memory;
#endif
    if (memory > 0)
        s += "ulimit -v " + std::to_string(memory / 1024) + "\n";
    s += "ulimit -c 0\n";
    s += "end() { printf '%s\\n' \"$1\" >\"$d/.item-$k.end.tmp\" && mv -f \"$d/.item-$k.end.tmp\" "
         "\"$d/item-$k.end\"; [ \"$1\" = ok ]; exit; }\n";
    s += "run() {\n    local kind=$1 s; shift\n    echo \"$(date -u +%Y-%m-%dT%H:%M:%SZ) item " + item +
         ": ${1##*/} $kind\" >&2\n    timeout -k 5 " + std::to_string(limits.timeout) +
         " \"$@\"\n    s=$?\n    [ $s = 0 ] || end \"$kind $s\"\n    echo \"$kind\" >>\"$d/item-$k.made\"\n}\n";
    for (const JobOutput *o : todo) {
        s += "run ";
        s += o->kind;
        for (const auto &a : o->argv) {
            std::string w = a;
            if (a == "{in}")
                w = media; // absolute: job_media's
            else if (a == "{out}")
                w = (data / "derived" / item / output_name(req, o->kind)).string();
            s += ' ';
            s += shell_quote(w);
        }
        s += "\n";
    }
    s += "end ok\n";
    return s;
}

struct Pending {
    int pos;
    std::string item, media, state, name;
    std::optional<std::string> src; // an archive item's mount SRC
};

std::vector<Pending> pending_items(Db &db, const std::string &id) {
    std::vector<Pending> out;
    auto lock = db.lock();
    Stmt it(db, "SELECT ji.position, ji.item_id, i.media, ji.state, i.mount_path, m.src FROM "
                "job_items ji JOIN items i ON i.id = ji.item_id LEFT JOIN mounts m ON m.id = "
                "i.mount_id WHERE ji.job_id = ?1 AND ji.state IN ('queued', 'running') ORDER BY "
                "ji.position");
    it.bind(1, id);
    while (it.step())
        out.push_back({static_cast<int>(it.integer(0)), it.text(1), it.text(2), it.text(3),
                       it.null(4) ? "" : it.text(4),
                       it.null(5) ? std::nullopt : std::optional<std::string>(it.text(5))});
    return out;
}

Json job_request(Db &db, const std::string &id) {
    auto lock = db.lock();
    Stmt st(db, "SELECT request FROM jobs WHERE id = ?1");
    st.bind(1, id);
    if (!st.step())
        throw Error("job " + id + " is gone");
    return Json::parse(st.text(0));
}

std::vector<std::string> lines_of(const fs::path &p) {
    std::vector<std::string> out;
    std::ifstream f(p);
    std::string line;
    while (std::getline(f, line))
        if (!line.empty())
            out.push_back(line);
    return out;
}

} // namespace

SlurmJobs::SlurmJobs(App &app, JobRunner &runner) : app_(app), runner_(runner) {}

SlurmJobs::~SlurmJobs() { stop(); }

void SlurmJobs::start() { thread_ = std::thread([this] { loop(); }); }

void SlurmJobs::stop() {
    {
        std::lock_guard l(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable())
        thread_.join();
}

void SlurmJobs::wake() {
    {
        std::lock_guard l(mutex_);
        woken_ = true;
    }
    cv_.notify_all();
}

void SlurmJobs::loop() {
    for (;;) {
        {
            std::unique_lock l(mutex_);
            cv_.wait_for(l, std::chrono::milliseconds(runner_.limits().slurm_poll_ms),
                         [this] { return stop_ || woken_; });
            if (stop_)
                return;
            woken_ = false;
        }
        bool changed = false;
        try {
            while (auto id = claim_job(app_.db(), "slurm")) {
                try {
                    submit(*id);
                } catch (const std::exception &e) {
                    log::error("job " + *id + ": " + e.what());
                    auto lock = app_.db().lock();
                    Stmt st(app_.db(), "UPDATE jobs SET state = 'failed', error = ?2, finished = ?3 "
                                       "WHERE id = ?1 AND state = 'running'");
                    st.bind(1, *id).bind(2, std::string("internal error: ") + e.what()).bind(3, now_utc()).run();
                }
                changed = true;
            }
            std::vector<std::string> running;
            {
                auto lock = app_.db().lock();
                Stmt st(app_.db(), "SELECT id FROM jobs WHERE backend = 'slurm' AND state = "
                                   "'running' AND slurm_id IS NOT NULL ORDER BY rowid");
                while (st.step())
                    running.push_back(st.text(0));
            }
            for (const auto &id : running) {
                try {
                    changed = follow(id) || changed;
                } catch (const std::exception &e) {
                    log::error("job " + id + " (Slurm): " + e.what());
                }
            }
        } catch (const std::exception &e) {
            log::error(std::string("jobs (Slurm): ") + e.what());
        }
        if (changed)
            runner_.changed();
    }
}

void SlurmJobs::submit(const std::string &id) {
    Db &db = app_.db();
    const Json req = job_request(db, id);
    const auto items = pending_items(db, id);
    const auto outputs = plan_outputs(app_, req);
    const fs::path dir = job_dir(app_, id), log = job_log_path(app_, id);
    const std::string name = "ts-serve-" + id;
    const std::string sbatch = find_program("sbatch"), squeue = find_program("squeue");
    auto fail = [&](const std::string &why) {
        append_job_log(log, why);
        auto lock = db.lock();
        Transaction t(db);
        Stmt i(db, "UPDATE job_items SET state = 'failed', error = ?2 WHERE job_id = ?1 AND "
                   "state IN ('queued', 'running')");
        i.bind(1, id).bind(2, "not run: " + why).run();
        Stmt j(db, "UPDATE jobs SET state = 'failed', error = ?2, finished = ?3 WHERE id = ?1");
        j.bind(1, id).bind(2, why).bind(3, now_utc()).run();
        t.commit();
    };
    auto record = [&](const std::string &slurm_id, const std::string &how) {
        auto lock = db.lock();
        Stmt st(db, "UPDATE jobs SET slurm_id = ?2 WHERE id = ?1");
        st.bind(1, id).bind(2, slurm_id).run();
        append_job_log(log, how);
    };
    // A server that died between sbatch and recording its id: the array runs already.
    if (!squeue.empty()) {
        const RunResult q = run({squeue, "-h", "--name=" + name, "-o", "%F"}, 60);
        std::stringstream s(q.out);
        std::string sid;
        if (q.status == 0 && (s >> sid) && !sid.empty()) {
            record(sid, "found Slurm job " + sid + " submitted before the server restarted");
            return;
        }
    }
    if (sbatch.empty())
        return fail("sbatch is not on this server's PATH: no Slurm job can be submitted");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        return fail(dir.string() + ": " + ec.message());
    std::vector<int> tasks;
    for (const auto &p : items) {
        for (const char *ext : {".start", ".made", ".end", ".log"})
            fs::remove(dir / ("item-" + std::to_string(p.pos) + ext), ec);
        std::string media;
        try {
            media = fs::absolute(job_media(app_.cfg().data, p.media, p.src, p.name)).string();
        } catch (const std::exception &e) {
            // Checked again now (the archive may have changed since it was indexed): the
            // item fails here, never sent to the cluster.
            const std::string error = e.what();
            append_job_log(log, "item " + p.item + ": " + error);
            auto lock = db.lock();
            Stmt st(db, "UPDATE job_items SET state = 'failed', error = ?3, outputs = '{}' WHERE "
                        "job_id = ?1 AND item_id = ?2");
            st.bind(1, id).bind(2, p.item).bind(3, error).run();
            continue;
        }
        std::vector<const JobOutput *> todo;
        fs::create_directories(app_.derived_dir() / p.item, ec);
        for (const auto &o : outputs) {
            const fs::path rel = fs::path("derived") / p.item / output_name(req, o.kind);
            auto lock = db.lock();
            Stmt st(db, "SELECT 1 FROM artifacts WHERE item_id = ?1 AND kind = ?2 AND "
                        "options_hash = ?3 AND path = ?4");
            st.bind(1, p.item).bind(2, "job-" + o.kind).bind(3, o.hash).bind(4, rel.string());
            if (!(st.step() && fs::exists(app_.cfg().data / rel, ec)))
                todo.push_back(&o);
        }
        write_file(dir / ("item-" + std::to_string(p.pos) + ".sh"),
                   item_script(app_, dir, p.pos, p.item, media, todo, req, runner_.limits()),
                   fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
        tasks.push_back(p.pos);
    }
    if (tasks.empty())
        return finish_job(app_, id, false);
    write_file(dir / "task.sh",
               "#!/bin/bash\n# a ts-serve job's array task: the item at the task's position\n"
               "exec bash " + shell_quote(dir.string()) + "/item-\"${SLURM_ARRAY_TASK_ID:?}\".sh\n",
               fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
    Argv argv = {sbatch, "--parsable", "--job-name=" + name, "--array=" + array_ranges(tasks),
                 "--output=" + (dir / "slurm-%a.out").string(), "--chdir=" + dir.string()};
    for (const auto &a : runner_.limits().sbatch_args)
        argv.push_back(a);
    argv.push_back((dir / "task.sh").string());
    const RunResult r = run(argv, 120);
    std::string sid = r.out.substr(0, r.out.find_first_of(";\n"));
    if (r.status != 0 || sid.empty() || sid.find_first_not_of("0123456789") != std::string::npos) {
        std::string why = r.err;
        while (!why.empty() && (why.back() == '\n' || why.back() == ' '))
            why.pop_back();
        if (why.rfind('\n') != std::string::npos)
            why = why.substr(why.rfind('\n') + 1);
        return fail("sbatch failed (status " + std::to_string(r.status) + "): " + why.substr(0, 400));
    }
    record(sid, "submitted to Slurm as job " + sid + ": " + std::to_string(tasks.size()) +
                    " array tasks (" + array_ranges(tasks) + "), scripts in " + dir.string());
}

bool SlurmJobs::follow(const std::string &id) {
    Db &db = app_.db();
    std::string sid;
    bool cancel = false;
    {
        auto lock = db.lock();
        Stmt st(db, "SELECT slurm_id, cancel FROM jobs WHERE id = ?1");
        st.bind(1, id);
        if (!st.step())
            return false;
        sid = st.text(0);
        cancel = st.integer(1) != 0;
    }
    const fs::path dir = job_dir(app_, id), log = job_log_path(app_, id);
    if (cancel && !scanceled_.count(id)) {
        const std::string scancel = find_program("scancel");
        const RunResult r = scancel.empty() ? RunResult{} : run({scancel, sid}, 60);
        append_job_log(log, "cancel: scancel " + sid + (r.status == 0 ? "" : " failed: " + r.err.substr(0, 300)));
        if (r.status == 0)
            scanceled_.insert(id);
    }
    // squeue first, the files after: once squeue says the tasks ended, their files are whole.
    std::optional<bool> active;
    if (const std::string squeue = find_program("squeue"); !squeue.empty()) {
        const RunResult q = run({squeue, "-h", "-t", "all", "-j", sid, "-o", "%T"}, 60);
        active = slurm_active(q.out, q.status, q.err);
    }
    const Json req = job_request(db, id);
    const auto outputs = plan_outputs(app_, req);
    const auto items = pending_items(db, id);
    bool changed = false;
    std::size_t made_now = 0, left = 0;
    for (const auto &p : items) {
        const std::string base = "item-" + std::to_string(p.pos);
        std::error_code ec;
        if (!fs::exists(dir / (base + ".end"), ec)) {
            if (fs::exists(dir / (base + ".start"), ec)) {
                made_now += lines_of(dir / (base + ".made")).size();
                if (p.state == "queued") {
                    auto lock = db.lock();
                    Stmt st(db, "UPDATE job_items SET state = 'running' WHERE job_id = ?1 AND item_id = ?2");
                    st.bind(1, id).bind(2, p.item).run();
                    changed = true;
                }
            }
            ++left;
            continue;
        }
        if (cancel)
            continue; // what it made goes with the job
        const auto end = lines_of(dir / (base + ".end"));
        const auto made = lines_of(dir / (base + ".made"));
        std::string error, failed_kind;
        if (end.empty() || end[0] != "ok") {
            const std::string what = end.empty() ? "" : end[0];
            const auto sp = what.find(' ');
            const std::string kind = failed_kind = what.substr(0, sp);
            const std::string status = sp == std::string::npos ? "?" : what.substr(sp + 1);
            std::string tool = "the task";
            for (const auto &o : outputs)
                if (o.kind == kind)
                    tool = tool_name(o);
            error = tool + " (" + kind + ") " +
                    (status == "124" ? "stopped after " + std::to_string(runner_.limits().timeout) + " s"
                                     : "exited with status " + status) +
                    ": " + last_line(dir / (base + ".log"), 0);
        }
        Json links = Json::object();
        for (const auto &o : outputs) {
            if (!error.empty() && (o.kind == failed_kind || failed_kind.empty()))
                break; // the failed output and those after it were not made
            if (std::find(made.begin(), made.end(), o.kind) != made.end())
                record_output(app_, id, p.item, req, o);
            links[o.kind] = "/api/v1/jobs/" + id + "/items/" + p.item + "/" + o.kind;
        }
        for (const auto &l : lines_of(dir / (base + ".log")))
            append_job_log(log, "  " + l);
        append_job_log(log, "item " + p.item + ": " + (error.empty() ? "done" : error));
        auto lock = db.lock();
        Stmt st(db, "UPDATE job_items SET state = ?3, error = ?4, outputs = ?5 WHERE job_id = ?1 "
                    "AND item_id = ?2");
        st.bind(1, id).bind(2, p.item).bind(3, error.empty() ? "done" : "failed");
        if (error.empty())
            st.bind_null(4);
        else
            st.bind(4, error);
        st.bind(5, links.dump()).run();
        changed = true;
    }
    {
        auto lock = db.lock();
        Stmt c(db, "SELECT count(*), sum(state IN ('done', 'failed')) FROM job_items WHERE job_id = ?1");
        c.bind(1, id);
        c.step();
        const double total = static_cast<double>(c.integer(0)) * static_cast<double>(outputs.size());
        const double finished = (c.null(1) ? 0.0 : static_cast<double>(c.integer(1))) *
                                    static_cast<double>(outputs.size()) + static_cast<double>(made_now);
        Stmt st(db, "UPDATE jobs SET progress = ?2 WHERE id = ?1 AND progress != ?2");
        st.bind(1, id).bind(2, total > 0 ? std::min(1.0, finished / total) : 1.0).run();
        changed = changed || db.changes() > 0;
    }
    if (left > 0 || cancel) {
        if (active != false)
            return changed; // the tasks run, or squeue cannot tell: look again later
    }
    if (cancel) {
        // Whatever the tasks made, recorded or not, goes; and the temporary files of the
        // tools scancel stopped.
        std::error_code ec;
        auto lock = db.lock();
        Stmt all(db, "SELECT position, item_id FROM job_items WHERE job_id = ?1");
        all.bind(1, id);
        while (all.step()) {
            const std::string item = all.text(1);
            const auto made = lines_of(dir / ("item-" + std::to_string(all.integer(0)) + ".made"));
            for (const auto &o : outputs) {
                const std::string name = output_name(req, o.kind);
                const fs::path rel = fs::path("derived") / item / name;
                remove_temps(app_.derived_dir() / item, name);
                if (std::find(made.begin(), made.end(), o.kind) == made.end())
                    continue;
                Stmt other(db, "SELECT 1 FROM artifacts WHERE path = ?1 AND (job_id IS NULL OR "
                               "job_id != ?2)");
                other.bind(1, rel.string()).bind(2, id);
                if (!other.step())
                    fs::remove(app_.cfg().data / rel, ec);
            }
        }
    } else if (left > 0) {
        // The array ended and these items never finished: a task killed by Slurm (time
        // limit, node failure) or one that could not start.
        for (const auto &p : items) {
            std::error_code ec;
            const std::string base = "item-" + std::to_string(p.pos);
            if (fs::exists(dir / (base + ".end"), ec))
                continue;
            const std::string out = last_line(dir / ("slurm-" + std::to_string(p.pos) + ".out"), 0);
            const std::string error = "the Slurm task of this item ended before it was done" +
                                      (out.empty() ? std::string() : ": " + out);
            append_job_log(log, "item " + p.item + ": " + error);
            auto lock = db.lock();
            Stmt st(db, "UPDATE job_items SET state = 'failed', error = ?3 WHERE job_id = ?1 AND item_id = ?2");
            st.bind(1, id).bind(2, p.item).bind(3, error).run();
        }
    }
    finish_job(app_, id, cancel);
    scanceled_.erase(id);
    return true;
}

} // namespace ts::serve
