// exec: analyzers. The program is spawned (posix_spawnp, no shell) when the pass starts; the
// engine's blocks go to its stdin as TSPCM while a thread drains its stdout and stderr, so
// neither side can stall the other; at the end its ts-result lines are validated and merged.
#include "analyze/exec.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/signals.hpp"
#include "pcm/header.hpp"
#include "result/read.hpp"

#include <bit>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <mutex>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char **environ;

namespace ts::analyze::exec {

const char *const about =
    "Runs a program of yours as an analyzer. The rest of the -a value "
    "after exec: is the command, verbatim, commas included (so put exec: last in a -a "
    "value, or give it a -a of its own); it is split into words at blanks, with '...' and "
    "\"...\" quoting and backslash escapes, and run without a shell (for pipes or "
    "redirections, use exec:sh -c '...'); PROGRAM is searched in $PATH. The program gets "
    "the audio on its stdin as a TSPCM stream (see ts-pcm(5)): the header (rate, channels, "
    "format f32le, frames when known, source, tags) and then the samples, interleaved "
    "32-bit little-endian floats: every channel of the input (audio.mix \"all\"), or one "
    "channel per program with --mix each. It is fed during the one pass that feeds the other "
    "analyzers; it may stop reading early. It must print on stdout one ts-result per line "
    "(see ts-result(5)), at least one, and exit with status 0. Each line must be a JSON "
    "object with schema \"ts-result/1\", id, time_mode, data_mode and data as the time mode "
    "requires (global: value, a number or an array of numbers, or label; framewise: frames "
    "{rate, block, step} and data.value, numbers or arrays of equal length, with optional "
    "data.y; event: data.time with optional value, label and confidence arrays of the same "
    "length; segment: data.time and data.duration, with label or value); null stands for a "
    "missing number. analyzer (by default the id up to its first '.'), name (by default the "
    "id), unit, description and params are taken when given; other keys inside data are kept. "
    "ts-analyze writes audio (the facts of the input, whatever the program printed) and "
    "producer itself, and adds the command to params as params.exec. A program that cannot "
    "be started, exits with another status, is killed, or prints a line that is not a valid "
    "ts-result fails that input (exit status 1; the other inputs are still analyzed), and "
    "the error shows the end of the program's stderr; when it succeeds, its stderr is "
    "passed on (unless --quiet). Example: examples/analyzers/crest_factor.py.";

namespace {

std::string excerpt(const std::string &s, std::size_t n = 80) {
    return s.size() <= n ? s : s.substr(0, n) + "...";
}

void close_fd(int &fd) {
    if (fd >= 0)
        ::close(fd);
    fd = -1;
}

class ExecAnalyzer : public Analyzer {
  public:
    ExecAnalyzer(std::string id, std::vector<std::string> argv)
        : id_(std::move(id)), argv_(std::move(argv)) {}

    ~ExecAnalyzer() override {
        close_fd(in_);
        if (pid_ > 0 && !reaped_)
            ::kill(-pid_, SIGTERM); // its process group: what it started holds the pipes too
        if (reader_.joinable())
            reader_.join();
        if (pid_ > 0 && !reaped_) {
            int status;
            while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
            }
        }
    }

    void setup(Context &ctx) override {
        pcm::Header h = ctx.stream_header();
        where_ = h.source.empty() ? "stdin" : h.source;
        if (h.channels != ctx.channels()) // one channel of several (mix "each")
            h.layout.clear();
        h.rate = ctx.rate();
        h.channels = ctx.channels();
        h.format = pcm::SampleFormat::f32le;
        h.sha1.clear(); // ts-analyze hashes the file while it decodes: not known yet
        spawn();
        std::string head = std::string(pcm::magic) + pcm::format_header(h);
        write_all(head.data(), head.size());
        ctx.on_blocks([this](const float *x, std::size_t n, int channels) {
            static_assert(std::endian::native == std::endian::little, "TSPCM f32le from floats");
            write_all(x, n * static_cast<std::size_t>(channels) * sizeof(float));
        });
    }

    std::vector<result::Result> finish(std::int64_t) override {
        close_fd(in_);
        {
            // SIGINT may land on any thread: wait in slices, checking for it.
            std::unique_lock lock(mutex_);
            while (!drained_) {
                cv_.wait_for(lock, std::chrono::milliseconds(100));
                signals::check();
            }
        }
        reader_.join();
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0) {
            if (errno != EINTR)
                throw Error(prefix() + "waitpid: " + std::strerror(errno));
            signals::check();
        }
        reaped_ = true;
        if (WIFSIGNALED(status))
            fail("was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
                 strsignal(WTERMSIG(status)) + ")");
        if (WEXITSTATUS(status) != 0)
            fail("exited with status " + std::to_string(WEXITSTATUS(status)));
        std::vector<result::Result> out;
        std::size_t pos = 0, line_no = 0;
        while (pos < out_.size()) {
            std::size_t nl = out_.find('\n', pos);
            std::string line = out_.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
            pos = nl == std::string::npos ? out_.size() : nl + 1;
            ++line_no;
            if (line.find_first_not_of(" \t\r") == std::string::npos)
                continue;
            try {
                out.push_back(parse_line(line));
            } catch (const Error &e) {
                fail("printed an invalid line " + std::to_string(line_no) + ": " + e.what());
            }
            auto &r = out.back();
            if (!r.params.contains("exec"))
                r.params["exec"] = id_.substr(5);
        }
        out_.clear();
        if (out.empty())
            fail("printed no result");
        if (!err_.empty() && log::level() != log::Level::quiet) {
            std::size_t p = 0;
            while (p < err_.size()) {
                std::size_t nl = err_.find('\n', p);
                log::info(prefix() + err_.substr(p, nl == std::string::npos ? std::string::npos : nl - p));
                p = nl == std::string::npos ? err_.size() : nl + 1;
            }
        }
        return out;
    }

  private:
    std::string prefix() const { return id_ + (where_.empty() ? "" : " on " + where_) + ": "; }

    [[noreturn]] void fail(const std::string &what) const {
        std::string msg = prefix() + what;
        std::string err = err_;
        while (!err.empty() && (err.back() == '\n' || err.back() == '\r'))
            err.pop_back();
        if (err.size() > 4000)
            err = "..." + err.substr(err.size() - 4000);
        if (err.empty())
            throw Error(msg + "; its stderr was empty");
        throw Error(msg + "; its stderr:", err);
    }

    void spawn() {
        int in[2], out[2], err[2];
        if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
            throw Error(prefix() + "pipe: " + std::strerror(errno));
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, in[0], 0);
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        posix_spawn_file_actions_adddup2(&fa, err[1], 2);
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        sigset_t def, none;
        sigemptyset(&def);
        sigaddset(&def, SIGPIPE); // the tools ignore SIGPIPE; the program gets the default
        sigemptyset(&none);
        posix_spawnattr_setsigdefault(&attr, &def);
        posix_spawnattr_setsigmask(&attr, &none);
        // A process group of its own, so that an interrupted run can end it and its children.
        posix_spawnattr_setpgroup(&attr, 0);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
        std::vector<char *> args;
        for (auto &a : argv_)
            args.push_back(a.data());
        args.push_back(nullptr);
        int rc = posix_spawnp(&pid_, args[0], &fa, &attr, args.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        ::close(in[0]);
        ::close(out[1]);
        ::close(err[1]);
        if (rc != 0) {
            ::close(in[1]);
            ::close(out[0]);
            ::close(err[0]);
            pid_ = -1;
            throw Error(prefix() + "cannot run '" + argv_[0] + "': " + std::strerror(rc));
        }
        in_ = in[1];
        // Non-blocking, so that a program that does not read cannot hold a SIGINT up.
        ::fcntl(in_, F_SETFL, ::fcntl(in_, F_GETFL) | O_NONBLOCK);
        reader_ = std::thread([this, o = out[0], e = err[0]] { drain(o, e); });
    }

    // On its own thread: reads the program's stdout and stderr until both end.
    void drain(int o, int e) {
        pollfd fds[2] = {{o, POLLIN, 0}, {e, POLLIN, 0}};
        char buf[65536];
        int open = 2;
        while (open > 0) {
            if (::poll(fds, 2, -1) < 0) {
                if (errno == EINTR)
                    continue;
                break;
            }
            for (int i = 0; i < 2; ++i) {
                if (fds[i].fd < 0 || fds[i].revents == 0)
                    continue;
                ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
                if (n < 0 && errno == EINTR)
                    continue;
                if (n <= 0) {
                    ::close(fds[i].fd);
                    fds[i].fd = -1;
                    --open;
                    continue;
                }
                if (i == 0) {
                    out_.append(buf, static_cast<std::size_t>(n));
                } else {
                    err_.append(buf, static_cast<std::size_t>(n));
                    if (err_.size() > (1u << 16)) // keep the end, where the reason usually is
                        err_.erase(0, err_.size() - (1u << 15));
                }
            }
        }
        for (auto &f : fds)
            if (f.fd >= 0)
                ::close(f.fd);
        std::lock_guard lock(mutex_);
        drained_ = true;
        cv_.notify_all();
    }

    void write_all(const void *data, std::size_t size) {
        const char *p = static_cast<const char *>(data);
        while (size > 0 && in_ >= 0) {
            ssize_t n = ::write(in_, p, size);
            if (n < 0) {
                if (errno == EINTR || errno == EAGAIN) {
                    signals::check();
                    pollfd pfd{in_, POLLOUT, 0};
                    ::poll(&pfd, 1, 100);
                    continue;
                }
                if (errno == EPIPE) { // the program stopped reading: it may have all it needs
                    close_fd(in_);
                    return;
                }
                throw Error(prefix() + "writing to the program: " + std::strerror(errno));
            }
            p += n;
            size -= static_cast<std::size_t>(n);
        }
    }

    std::string id_, where_;
    std::vector<std::string> argv_;
    pid_t pid_ = -1;
    bool reaped_ = false;
    int in_ = -1;
    std::thread reader_;
    std::string out_, err_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool drained_ = false;
};

} // namespace

bool is_exec(const std::string &name) { return name.rfind("exec:", 0) == 0; }

std::vector<std::string> split_command(const std::string &command) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    for (std::size_t i = 0; i < command.size(); ++i) {
        char c = command[i];
        if (c == ' ' || c == '\t' || c == '\n') {
            if (in_word)
                words.push_back(word);
            word.clear();
            in_word = false;
            continue;
        }
        in_word = true;
        if (c == '\\' && i + 1 < command.size()) {
            word += command[++i];
        } else if (c == '\'' || c == '"') {
            std::size_t j = i + 1;
            for (; j < command.size() && command[j] != c; ++j) {
                if (c == '"' && command[j] == '\\' && j + 1 < command.size() &&
                    (command[j + 1] == '"' || command[j + 1] == '\\'))
                    ++j;
                word += command[j];
            }
            if (j >= command.size())
                throw UsageError("exec:" + command + ": unterminated " + std::string(1, c) + " quote");
            i = j;
        } else {
            word += c;
        }
    }
    if (in_word)
        words.push_back(word);
    if (words.empty())
        throw UsageError("exec: needs a program: -a 'exec:PROGRAM [ARGS]'");
    return words;
}

result::Result parse_line(const std::string &line) {
    thread_local result::Parser parser;
    try {
        return parser.parse(line, result::Strictness::program);
    } catch (const result::Invalid &e) {
        const std::string why = e.what();
        if (why.rfind("not valid JSON", 0) == 0)
            throw Error("not JSON: " + excerpt(line));
        throw Error("not a ts-result: " + why);
    }
}

std::shared_ptr<const Definition> definition(const std::string &command) {
    auto argv = split_command(command);
    auto d = std::make_shared<Definition>();
    d->id = "exec:" + command;
    d->name = "The program " + argv[0];
    d->description = about;
    d->all_channels = true;
    d->make = [id = d->id, argv](const Params &, const std::vector<std::string> &) {
        return std::make_unique<ExecAnalyzer>(id, argv);
    };
    return d;
}

} // namespace ts::analyze::exec
