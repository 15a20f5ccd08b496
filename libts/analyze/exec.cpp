// exec: analyzers. The program is spawned (posix_spawnp, no shell) when the pass starts; the
// engine's blocks go to its stdin as TSPCM while a thread drains its stdout and stderr, so
// neither side can stall the other; at the end its ts-result lines are validated and merged.
#include "analyze/exec.hpp"

#include "analyze/engine.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/signals.hpp"
#include "pcm/header.hpp"

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

struct Bad {
    std::string why;
};

const nlohmann::json &need(const nlohmann::json &j, const char *key, const char *where = "") {
    auto it = j.find(key);
    if (it == j.end())
        throw Bad{std::string("missing key '") + where + key + "'"};
    return *it;
}

std::string text(const nlohmann::json &j, const char *key, const std::string &fallback) {
    auto it = j.find(key);
    if (it == j.end())
        return fallback;
    if (!it->is_string())
        throw Bad{std::string("'") + key + "' is not a string"};
    return it->get<std::string>();
}

double number(const nlohmann::json &v, const std::string &where) {
    if (v.is_null())
        return NAN;
    if (!v.is_number())
        throw Bad{where + " holds " + excerpt(v.dump(), 40) + ", not a number"};
    return v.get<double>();
}

std::vector<double> numbers(const nlohmann::json &v, const std::string &where) {
    if (!v.is_array())
        throw Bad{where + " is not an array"};
    std::vector<double> out;
    out.reserve(v.size());
    for (const auto &x : v)
        out.push_back(number(x, where));
    return out;
}

std::vector<std::string> strings(const nlohmann::json &v, const std::string &where) {
    if (!v.is_array())
        throw Bad{where + " is not an array"};
    std::vector<std::string> out;
    for (const auto &x : v) {
        if (!x.is_string())
            throw Bad{where + " holds " + excerpt(x.dump(), 40) + ", not a string"};
        out.push_back(x.get<std::string>());
    }
    return out;
}

result::Result parse_json(const nlohmann::json &j) {
    if (!j.is_object())
        throw Bad{"not a JSON object"};
    const auto &schema = need(j, "schema");
    if (schema != result::schema)
        throw Bad{"schema is " + excerpt(schema.dump(), 40) + ", not \"ts-result/1\""};
    result::Result r;
    r.id = text(j, "id", "");
    if (r.id.empty())
        throw Bad{need(j, "id").is_string() ? "empty id" : "missing key 'id'"};
    r.analyzer = text(j, "analyzer", r.id.substr(0, r.id.find('.')));
    r.name = text(j, "name", r.id);
    r.unit = text(j, "unit", "");
    r.description = text(j, "description", "");
    const std::string tm = text(j, "time_mode", ""), dm = text(j, "data_mode", "");
    need(j, "time_mode");
    need(j, "data_mode");
    if (tm == "global") r.time_mode = result::TimeMode::global;
    else if (tm == "framewise") r.time_mode = result::TimeMode::framewise;
    else if (tm == "event") r.time_mode = result::TimeMode::event;
    else if (tm == "segment") r.time_mode = result::TimeMode::segment;
    else throw Bad{"time_mode '" + tm + "' is not global, framewise, event or segment"};
    if (dm == "value") r.data_mode = result::DataMode::value;
    else if (dm == "label") r.data_mode = result::DataMode::label;
    else throw Bad{"data_mode '" + dm + "' is not value or label"};
    if (auto p = j.find("params"); p != j.end()) {
        if (!p->is_object())
            throw Bad{"params is not an object"};
        r.params = *p;
    }
    const auto &data = need(j, "data");
    if (!data.is_object())
        throw Bad{"data is not an object"};
    std::vector<std::string> used;
    auto take = [&](const char *key) -> const nlohmann::json * {
        auto it = data.find(key);
        if (it == data.end())
            return nullptr;
        used.push_back(key);
        return &*it;
    };
    auto same_length = [&](std::size_t n, std::size_t m, const char *key) {
        if (n != m)
            throw Bad{std::string("data.") + key + " has " + std::to_string(m) +
                      " entries, data.time " + std::to_string(n)};
    };
    switch (r.time_mode) {
    case result::TimeMode::global:
        if (r.data_mode == result::DataMode::label) {
            const auto &l = need(data, "label", "data.");
            if (!l.is_string())
                throw Bad{"data.label is not a string"};
            r.labels = {l.get<std::string>()};
            take("label");
        } else {
            const auto &v = need(data, "value", "data.");
            take("value");
            if (v.is_array()) {
                r.value = numbers(v, "data.value");
            } else {
                r.value = {number(v, "data.value")};
                r.scalar = true;
            }
        }
        break;
    case result::TimeMode::framewise: {
        const auto &f = need(j, "frames");
        auto positive = [&](const char *key) {
            const auto &v = need(f, key, "frames.");
            if (!v.is_number_integer() || v.get<long>() < 1 || v.get<long>() > (1L << 30))
                throw Bad{std::string("frames.") + key + " is not a positive integer"};
            return v.get<int>();
        };
        r.frames = result::Framing{positive("rate"), positive("block"), positive("step")};
        const auto &v = need(data, "value", "data.");
        take("value");
        if (!v.is_array())
            throw Bad{"data.value is not an array"};
        r.width = !v.empty() && v[0].is_array() ? v[0].size() : 1;
        if (r.width == 0)
            throw Bad{"data.value holds empty rows"};
        r.series.reserve(v.size() * r.width);
        for (const auto &row : v) {
            if (row.is_array() != (v[0].is_array()) || (row.is_array() && row.size() != r.width))
                throw Bad{"data.value rows are not all arrays of the same length"};
            if (row.is_array())
                for (const auto &x : row)
                    r.series.push_back(static_cast<float>(number(x, "data.value")));
            else
                r.series.push_back(static_cast<float>(number(row, "data.value")));
        }
        if (auto y = take("y"))
            r.y = numbers(*y, "data.y");
        break;
    }
    case result::TimeMode::event:
    case result::TimeMode::segment: {
        r.time = numbers(need(data, "time", "data."), "data.time");
        take("time");
        const std::size_t n = r.time.size();
        if (r.time_mode == result::TimeMode::segment) {
            r.duration = numbers(need(data, "duration", "data."), "data.duration");
            take("duration");
            same_length(n, r.duration.size(), "duration");
        }
        if (auto v = take("value")) {
            r.value = numbers(*v, "data.value");
            same_length(n, r.value.size(), "value");
        }
        if (auto l = take("label")) {
            r.labels = strings(*l, "data.label");
            same_length(n, r.labels.size(), "label");
        }
        if (auto c = take("confidence")) {
            r.confidence = numbers(*c, "data.confidence");
            same_length(n, r.confidence.size(), "confidence");
        }
        if (r.data_mode == result::DataMode::label && !data.contains("label"))
            throw Bad{"missing key 'data.label' (data_mode label)"};
        if (r.time_mode == result::TimeMode::segment && r.data_mode == result::DataMode::value &&
            !data.contains("value"))
            throw Bad{"missing key 'data.value' (a segment with data_mode value)"};
        break;
    }
    }
    for (auto it = data.begin(); it != data.end(); ++it)
        if (std::find(used.begin(), used.end(), it.key()) == used.end())
            r.extra[it.key()] = it.value();
    return r;
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
        pcm::Header h;
        if (auto *facts = dynamic_cast<const StreamFacts *>(&ctx)) {
            h = facts->stream_header();
            where_ = h.source.empty() ? "stdin" : h.source;
        }
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
        msg += err.empty() ? "; its stderr was empty" : "; its stderr:\n" + err;
        throw Error(msg);
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
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception &) {
        throw Error("not JSON: " + excerpt(line));
    }
    try {
        return parse_json(j);
    } catch (const Bad &b) {
        throw Error("not a ts-result: " + b.why);
    } catch (const nlohmann::json::exception &e) {
        throw Error(std::string("not a ts-result: ") + e.what());
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
