// Where a tool's bytes come from: a path, "-" for stdin, with a peek at the first bytes.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ts::io {

// "http://", "https://" and other scheme:// arguments are URLs, opened by the decoder.
bool is_url(const std::string &arg);

// The name used in messages: "stdin" for "-", the argument otherwise.
std::string display_name(const std::string &arg);

// When stdin is a terminal, says so once on stderr (unless --quiet), before the tool waits on
// it: "TOOL: reading WHAT from the terminal; give a file or pipe a stream (Ctrl-D ends)".
// Every reader of "-" calls it (audio: io::Reader; results: their readers).
void hint_terminal_stdin(const std::string &what);

// A byte stream from a file or stdin. Reads restart on EINTR unless a signal asks to stop.
class Reader {
  public:
    // Opens "-" or a path; a missing file, a directory or an unreadable file throws an Error
    // naming the input. `what` names the bytes in the hint of a terminal stdin.
    explicit Reader(const std::string &arg, const std::string &what = "audio");
    ~Reader();
    Reader(const Reader &) = delete;
    Reader &operator=(const Reader &) = delete;

    // Reads up to size bytes; returns 0 only at end of input.
    std::size_t read(void *data, std::size_t size);
    // Reads exactly size bytes unless the input ends first; returns the count read.
    std::size_t read_full(void *data, std::size_t size);
    // Makes the next `size` bytes visible without consuming them; returns what is available.
    std::size_t peek(const char **data, std::size_t size);

    // Repositions a regular file (dropping peeked bytes); returns the new offset or -1.
    std::int64_t seek(std::int64_t offset, int whence);

    const std::string &name() const { return name_; } // for messages
    const std::string &arg() const { return arg_; }
    bool is_stdin() const { return is_stdin_; }
    bool regular_file() const { return regular_; }
    std::int64_t file_size() const { return size_; } // -1 unless a regular file
    int fd() const { return fd_; }

  private:
    std::size_t raw_read(void *data, std::size_t size);

    std::string arg_, name_;
    int fd_ = -1;
    bool is_stdin_ = false;
    bool regular_ = false;
    std::int64_t size_ = -1;
    std::vector<char> pending_; // bytes peeked but not yet consumed
    std::size_t pending_pos_ = 0;
};

// SHA-1 of a whole file's bytes, as 40 lowercase hex digits. When *cancel turns true
// (checked every MiB), stops and returns "".
std::string sha1_file(const std::string &path, const std::atomic<bool> *cancel = nullptr);

} // namespace ts::io
