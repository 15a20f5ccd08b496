// Child processes: the tools run with argv lists (posix_spawn, never a shell), in a process
// group of their own so a timeout or a cancel reaches every member of a pipeline.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace ts::serve {

using Argv = std::vector<std::string>;

struct RunResult {
    int status = -1;      // exit status; 128 + N when killed by signal N
    bool timed_out = false;
    std::string out;      // stdout (at most max_out bytes kept)
    std::string err;      // stderr (at most 64 KiB kept)
};

// Runs argv to the end (or timeout seconds, then SIGKILL of its group), capturing its output.
RunResult run(const Argv &argv, int timeout, std::size_t max_out = 16u << 20);

// A pipeline a | b | ... whose last stdout is read by the caller (a streamed response).
// Destroying it kills whatever still runs and reaps every process.
class Pipeline {
  public:
    explicit Pipeline(const std::vector<Argv> &stages);
    ~Pipeline();
    Pipeline(const Pipeline &) = delete;
    Pipeline &operator=(const Pipeline &) = delete;

    int fd() const { return out_; } // read end of the last stage's stdout
    // Reads up to n bytes, waiting at most timeout seconds; 0 at the end, -1 on error/timeout.
    ssize_t read(char *buf, std::size_t n, int timeout);
    // Waits for every stage; true when all exited 0. err(): their stderr, joined.
    bool wait();
    const std::string &err() const { return err_; }

  private:
    std::vector<pid_t> pids_;
    pid_t group_ = 0;
    int out_ = -1;
    int err_fd_ = -1;
    std::string err_;
    bool reaped_ = false;
    void drain_err();
};

} // namespace ts::serve
