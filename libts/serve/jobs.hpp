// Jobs: analyses and renders over items, queued in the catalog and run by a bounded pool of
// worker threads, each running the tools as child processes in a process group of their own.
#pragma once

#include "serve/http.hpp"
#include "serve/process.hpp"
#include "serve/ratelimit.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace ts::serve {

class App;
class Db;

struct JobLimits {
    int workers = 2;       // jobs run at once
    int max_attempts = 2;  // a job a dead server left running is retried this many times in all
    int timeout = 3600;    // seconds one tool may run for one item
    std::uint64_t memory = 4ull << 30; // address space of one tool (RLIMIT_AS), bytes; 0: none
    int max_streams = 4;   // event streams open at once (each holds a request thread)
    int max_queued = 20;   // queued or running jobs per user
    double per_minute = 30, burst = 10; // jobs created per user and minute (token bucket); 0: no limit
    std::string backend = "local";      // where a request that names none runs: local or slurm
    std::vector<std::string> sbatch_args; // more sbatch arguments for Slurm jobs (partition, ...)
    int slurm_poll_ms = 1000;             // how often Slurm jobs are looked at
};

class SlurmJobs;

// Takes the oldest queued job of a backend and marks it running (one UPDATE ... RETURNING, so
// two workers never take the same job); its id, or nothing when the queue is empty.
std::optional<std::string> claim_job(Db &db, const std::string &backend = "local");

// At start: jobs left running by a server that died are queued again, or failed once they
// have been tried max_attempts times. Returns {requeued, failed}. A Slurm job that was
// submitted (it has a Slurm id) is left running: the cluster runs it still, and the server
// follows it again.
std::pair<int, int> recover_jobs(Db &db, int max_attempts);

// A job as the API shows it (state, progress, items with their errors and outputs).
std::optional<Json> job_json(Db &db, const std::string &id);

// The validated form of a job request: {items, preset|analyzers+params, outputs, backend}.
// Throws HttpError 400 on anything unknown. items: the ids, already checked readable.
// default_backend: where a request that names no backend runs.
Json normalize_request(const Json &body, const std::vector<std::string> &items,
                       const std::string &default_backend = "local");

// Checks a normalized request's preset, analyzers and params against ts-analyze (400).
void check_analysis(App &app, const Json &request);

// The file name of one output of a job (under derived/ITEM/): the same request options give
// the same name, so a job finds what an earlier one made.
std::string output_name(const Json &request, const std::string &kind);

// The analyzers ts-analyze offers (ts-analyze --list --json), read once.
const Json &analyzer_list(App &app);

// One output of a job for one item: the tool's argv, "{in}" and "{out}" replaced per item.
struct JobOutput {
    std::string kind, ext, hash;
    Argv argv;
};
// The outputs a normalized request asks for, in its order: the same tools and arguments for
// every backend, so a job's files are the same wherever it runs.
std::vector<JobOutput> plan_outputs(App &app, const Json &request);

// The job's log (jobs/ID.log), a line appended with the time, and the last non-empty line of
// a file from an offset on (a tool's error message).
std::filesystem::path job_log_path(App &app, const std::string &job);
void append_job_log(const std::filesystem::path &file, const std::string &line);
std::string last_line(const std::filesystem::path &file, std::uintmax_t from);
// Removes the tools' temporary files (.NAME.tmp-XXXXXX) in dir; only those of name when given.
void remove_temps(const std::filesystem::path &dir, const std::string &name = "");

// The file a job's tool reads for an item: an upload's media in the data folder; an archive
// item's checked again when the job runs (the archive may have changed since it was indexed):
// a regular file opened beneath the mount's SRC by the kernel, its path with every link
// resolved (still beneath SRC). src: the mount's SRC (none for an upload), name: the file's
// name under it. Throws ts::Error with the item's error otherwise.
std::filesystem::path job_media(const std::filesystem::path &data, const std::string &media,
                                const std::optional<std::string> &src, const std::string &name);

// Records an output a job made for an item in the artifacts table.
void record_output(App &app, const std::string &job, const std::string &item, const Json &request,
                   const JobOutput &o);

// Ends a running job: canceled (what it made is removed) or done, or failed when an item
// failed; one transaction.
void finish_job(App &app, const std::string &id, bool cancel);

// Runs queued jobs until stopped; one per server.
class JobRunner {
  public:
    JobRunner(App &app, JobLimits limits);
    ~JobRunner();
    JobRunner(const JobRunner &) = delete;
    JobRunner &operator=(const JobRunner &) = delete;

    void start(); // recovers the jobs of a dead server, starts the workers
    void stop();  // cancels nothing: running tools are stopped, their jobs requeued
    const JobLimits &limits() const { return limits_; }

    void wake();                  // a job was queued
    RateLimiter &creations() { return creations_; } // jobs created per user
    void cancel(const std::string &id); // signals the job's running tool, if any
    // Every change of any job bumps the generation; event streams wait for it.
    std::uint64_t generation();
    std::uint64_t wait_change(std::uint64_t seen, int timeout_ms);
    void changed();
    bool stopping() const { return stop_.load(); }

    // Event streams: a slot each, at most max_streams.
    bool open_stream();
    void close_stream();

  private:
    void work();
    void run_job(const std::string &id);
    int run_tool(const std::string &job, const std::vector<std::string> &argv,
                 const std::string &log);

    App &app_;
    JobLimits limits_;
    std::atomic<bool> stop_{false};
    std::vector<std::thread> threads_;
    std::mutex mutex_;
    std::condition_variable queued_, changed_;
    std::uint64_t generation_ = 0;
    std::map<std::string, pid_t> running_; // job id -> process group of its current tool
    std::set<std::string> canceled_;       // jobs canceled while this server runs
    int streams_ = 0;
    RateLimiter creations_;
    std::unique_ptr<SlurmJobs> slurm_;
};

// The runner of this server, when one runs (routes reach it through this).
JobRunner *job_runner();

} // namespace ts::serve
