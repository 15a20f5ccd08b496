// Jobs run on a Slurm cluster: one array task per item, submitted with sbatch and followed
// through squeue and the files each task writes in the job's folder (jobs/ID.slurm/).
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace ts::serve {

class App;
class JobRunner;

// The path of a program found in PATH; empty when it is not there.
std::string find_program(const std::string &name);

// Task ids for sbatch --array, sorted with runs as ranges: {0,1,2,5,7,8} gives "0-2,5,7-8".
std::string array_ranges(std::vector<int> ids);

// A word for a POSIX shell, in single quotes.
std::string shell_quote(const std::string &s);

// squeue's states of a job: true while a task is pending or running, false once every task
// has ended (or Slurm no longer knows the job), nothing when squeue cannot tell.
std::optional<bool> slurm_active(const std::string &squeue_output, int status,
                                 const std::string &squeue_error);

// The thread that submits the queued Slurm jobs and follows the running ones. A job's folder
// holds its task script (task.sh), one script per item (item-N.sh, N its position in the job)
// and what each task writes: item-N.start when it begins, item-N.made (one output kind per
// line, as each is complete), item-N.end (written by rename: "ok", or "KIND STATUS" for the
// output whose tool failed) and item-N.log (the tools' messages). The outputs are written by
// the tools' own -o beside the local backend's, with the same names and bytes.
class SlurmJobs {
  public:
    SlurmJobs(App &app, JobRunner &runner);
    ~SlurmJobs();
    SlurmJobs(const SlurmJobs &) = delete;
    SlurmJobs &operator=(const SlurmJobs &) = delete;

    void start();
    void stop(); // the cluster's tasks run on: the next server follows them
    void wake(); // a job was queued or a cancel asked for

  private:
    void loop();
    void submit(const std::string &id);
    bool follow(const std::string &id); // true when the job changed

    App &app_;
    JobRunner &runner_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false, woken_ = false;
    std::set<std::string> scanceled_; // jobs scancel was run for
};

} // namespace ts::serve
