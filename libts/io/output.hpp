// Where a tool's bytes go: stdout, or a file written atomically (temporary file + rename).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ts::io {

class Output {
  public:
    // Opens "-" (stdout) or a path. A path is written to a temporary file in the same folder
    // and renamed over PATH only by commit(), so a failing, interrupted or killed run never
    // leaves a partial file under the final name. A path naming an existing device or named
    // pipe (/dev/null, /dev/stdout, a FIFO) is written in place instead, never replaced.
    // When `binary`, a terminal is refused.
    Output(const std::string &path, bool binary);
    ~Output(); // removes the temporary file unless committed
    Output(const Output &) = delete;
    Output &operator=(const Output &) = delete;

    void write(const void *data, std::size_t size);
    void write(std::string_view text) { write(text.data(), text.size()); }
    void flush();

    // A regular file can be patched in place before commit (e.g. a header's frame count).
    bool seekable() const { return seekable_; }
    void patch(std::uint64_t offset, std::string_view bytes);
    std::uint64_t written() const { return written_; }

    // The descriptor of the temporary file, for libraries that write files themselves.
    int fd() const { return fd_; }
    const std::string &path() const { return path_; }
    // The temporary file's path (empty for stdout, a device or a FIFO), for libraries that
    // create their file by name (HDF5); it is renamed over path() by commit().
    const std::string &temp_path() const { return temp_; }
    bool is_stdout() const { return is_stdout_; }

    // Flushes and, for a file, renames it into place. Errors (disk full, EIO) throw.
    void commit();

  private:
    void write_all(const char *data, std::size_t size);

    std::string path_;
    std::string temp_;
    int fd_ = -1;
    bool is_stdout_ = false;
    bool seekable_ = false;
    bool in_place_ = false; // a device or FIFO, written directly (no temporary file)
    bool committed_ = false;
    std::uint64_t written_ = 0;
    std::vector<char> buffer_;
};

// Makes the folder that -o DIR/ names when it is missing: its last level only, as mkdir(1)
// without -p (an existing folder is kept). A failure is an Error naming the folder.
void make_folder(const std::string &path);

// Throws a usage error when fd is a terminal: binary data there is never what the user wants.
void refuse_terminal(int fd, const std::string &what);

// Finishes stdout at exit: a failed flush or close is an error, a closed pipe is not.
void close_stdout();

} // namespace ts::io
