// Errors carried outward to the tool's main, with the exit status they map to.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace ts {

// Exit statuses shared by every tool (documented in each man page).
enum Exit : int {
    exit_ok = 0,
    exit_failure = 1,     // runtime or data error: bad input, failed write, decode error
    exit_usage = 2,       // the command line asks for something impossible
    exit_interrupted = 130,
};

// An error with the message the user sees after "tool: error: ". Lower layers prefix the
// input's name, so the message reads "song.mp3: truncated frame at 12.3 s".
class Error : public std::runtime_error {
  public:
    explicit Error(const std::string &what, int status = exit_failure)
        : std::runtime_error(what), status_(status) {}
    // With text quoted from elsewhere (a program's stderr), shown line by line below the
    // one-line message.
    Error(const std::string &what, std::string detail, int status = exit_failure)
        : std::runtime_error(what), status_(status), detail_(std::move(detail)) {}
    int status() const { return status_; }
    const std::string &detail() const { return detail_; }

  private:
    int status_;
    std::string detail_;
};

// A usage error: exit status 2.
class UsageError : public Error {
  public:
    explicit UsageError(const std::string &what) : Error(what, exit_usage) {}
};

// The reader of our output went away (EPIPE): end quietly with success.
class BrokenPipe : public std::exception {
  public:
    const char *what() const noexcept override { return "broken pipe"; }
};

// SIGINT or SIGTERM arrived; the tool unwinds (removing temporary files) and exits 130.
class Interrupted : public std::exception {
  public:
    const char *what() const noexcept override { return "interrupted"; }
};

} // namespace ts
