// posix_spawn with file actions; poll() over the pipes so neither output can block the other.
#include "serve/process.hpp"

#include "core/error.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

extern char **environ;

namespace ts::serve {
namespace {

constexpr std::size_t max_err = 64 * 1024;

struct Fds {
    int r = -1, w = -1;
};

Fds make_pipe() {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        throw Error(std::string("pipe: ") + std::strerror(errno));
    return {p[0], p[1]};
}

// Spawns argv with stdin, stdout and stderr on the given descriptors, in group pgid (0: a new
// group led by the child). Signals the server ignores or handles are reset in the child.
pid_t spawn(const Argv &argv, int in, int out, int err, pid_t pgid) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in, 0);
    posix_spawn_file_actions_adddup2(&fa, out, 1);
    posix_spawn_file_actions_adddup2(&fa, err, 2);
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    sigset_t def, none;
    sigemptyset(&def);
    sigaddset(&def, SIGPIPE);
    sigaddset(&def, SIGINT);
    sigaddset(&def, SIGTERM);
    sigaddset(&def, SIGXFSZ);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&at, &def);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setpgroup(&at, pgid);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETPGROUP);
    std::vector<char *> args;
    for (const auto &a : argv)
        args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, args[0], &fa, &at, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc != 0)
        throw Error(argv[0] + ": cannot run: " + std::strerror(rc));
    return pid;
}

int decode_status(int st) {
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return -1;
}

} // namespace

RunResult run(const Argv &argv, int timeout, std::size_t max_out) {
    RunResult r;
    const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    Fds out = make_pipe(), err = make_pipe();
    pid_t pid = -1;
    try {
        pid = spawn(argv, devnull, out.w, err.w, 0);
    } catch (...) {
        for (int fd : {devnull, out.r, out.w, err.r, err.w})
            ::close(fd);
        throw;
    }
    for (int fd : {devnull, out.w, err.w})
        ::close(fd);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
    pollfd fds[2] = {{out.r, POLLIN, 0}, {err.r, POLLIN, 0}};
    int open_count = 2;
    char buf[65536];
    while (open_count > 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0) {
            r.timed_out = true;
            ::kill(-pid, SIGKILL);
            break;
        }
        const int n = ::poll(fds, 2, static_cast<int>(std::min<long long>(left, 1000)));
        if (n < 0 && errno != EINTR)
            break;
        for (auto &p : fds) {
            if (p.fd < 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            const ssize_t got = ::read(p.fd, buf, sizeof buf);
            if (got <= 0) {
                if (got < 0 && errno == EINTR)
                    continue;
                ::close(p.fd);
                p.fd = -1;
                --open_count;
                continue;
            }
            std::string &dst = p.fd == out.r ? r.out : r.err;
            const std::size_t cap = p.fd == out.r ? max_out : max_err;
            if (dst.size() < cap)
                dst.append(buf, std::min<std::size_t>(static_cast<std::size_t>(got), cap - dst.size()));
        }
    }
    for (auto &p : fds)
        if (p.fd >= 0)
            ::close(p.fd);
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    r.status = r.timed_out ? 128 + SIGKILL : decode_status(st);
    return r;
}

Pipeline::Pipeline(const std::vector<Argv> &stages) {
    const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    Fds err = make_pipe();
    err_fd_ = err.r;
    int in = devnull;
    try {
        for (std::size_t i = 0; i < stages.size(); ++i) {
            Fds p = make_pipe();
            const pid_t pid = spawn(stages[i], in, p.w, err.w, group_);
            if (group_ == 0)
                group_ = pid;
            pids_.push_back(pid);
            ::close(p.w);
            ::close(in);
            in = p.r;
        }
    } catch (...) {
        ::close(in);
        ::close(err.w);
        if (group_ != 0)
            ::kill(-group_, SIGKILL);
        for (pid_t p : pids_)
            ::waitpid(p, nullptr, 0);
        ::close(err_fd_);
        throw;
    }
    out_ = in;
    ::close(err.w);
    // stderr is drained while reading stdout, so a chatty tool never blocks on it.
    ::fcntl(err_fd_, F_SETFL, ::fcntl(err_fd_, F_GETFL) | O_NONBLOCK);
}

void Pipeline::drain_err() {
    char buf[4096];
    for (;;) {
        const ssize_t got = ::read(err_fd_, buf, sizeof buf);
        if (got <= 0)
            return;
        if (err_.size() < max_err)
            err_.append(buf, std::min<std::size_t>(static_cast<std::size_t>(got), max_err - err_.size()));
    }
}

ssize_t Pipeline::read(char *buf, std::size_t n, int timeout) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
    for (;;) {
        pollfd fds[2] = {{out_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0)
            return -1;
        if (::poll(fds, 2, static_cast<int>(std::min<long long>(left, 1000))) < 0 &&
            errno != EINTR)
            return -1;
        if (fds[1].revents & POLLIN)
            drain_err();
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            const ssize_t got = ::read(out_, buf, n);
            if (got < 0 && errno == EINTR)
                continue;
            return got;
        }
    }
}

bool Pipeline::wait() {
    bool ok = true;
    for (pid_t p : pids_) {
        int st = 0;
        while (::waitpid(p, &st, 0) < 0 && errno == EINTR) {
        }
        ok = ok && decode_status(st) == 0;
    }
    ::fcntl(err_fd_, F_SETFL, ::fcntl(err_fd_, F_GETFL) & ~O_NONBLOCK);
    drain_err();
    reaped_ = true;
    return ok;
}

Pipeline::~Pipeline() {
    if (!reaped_) {
        if (group_ != 0)
            ::kill(-group_, SIGKILL);
        for (pid_t p : pids_)
            ::waitpid(p, nullptr, 0);
    }
    ::close(out_);
    ::close(err_fd_);
}

} // namespace ts::serve
