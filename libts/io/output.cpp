// Output: buffered writes to stdout or to a temporary file renamed into place on commit.
#include "io/output.hpp"

#include "core/error.hpp"
#include "core/signals.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ts::io {
namespace {
constexpr std::size_t buffer_size = 1 << 18;

std::string describe(const std::string &path) { return path == "-" ? "stdout" : path; }

mode_t current_umask() {
    mode_t mask = umask(0);
    umask(mask);
    return mask;
}

// A temporary file is locked (an open-file-description lock: it does not meet HDF5's flock
// on the same file, and it goes with the process, SIGKILL included) for as long as its run
// lives, so a lock that can be taken marks a file a dead run left.
bool lock(int fd) {
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    return fcntl(fd, F_OFD_SETLK, &fl) == 0;
}

// Removes the temporary files of PATH (DIR/.BASE.tmp-XXXXXX) that killed runs left: those
// whose lock is free. A live run's file keeps its lock and is left alone.
void remove_stale(const std::string &dir, const std::string &base) {
    DIR *d = opendir(dir.c_str());
    if (!d)
        return;
    const std::string prefix = "." + base + ".tmp-";
    while (const dirent *e = readdir(d)) {
        const std::string_view name = e->d_name;
        if (name.size() != prefix.size() + 6 || !name.starts_with(prefix))
            continue;
        const int fd = openat(dirfd(d), e->d_name, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
            continue;
        struct stat st {};
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && lock(fd))
            unlinkat(dirfd(d), e->d_name, 0); // (under the lock: its maker, if racing, sees it)
        close(fd);
    }
    closedir(d);
}
} // namespace

void refuse_terminal(int fd, const std::string &what) {
    if (isatty(fd))
        throw UsageError("refusing to write " + what +
                         " to a terminal; redirect it to a file (-o FILE) or pipe it to "
                         "another tool");
}

Output::Output(const std::string &path, bool binary) : path_(path) {
    buffer_.reserve(buffer_size);
    if (path == "-" || path.empty()) {
        path_ = "-";
        is_stdout_ = true;
        fd_ = STDOUT_FILENO;
        if (binary)
            refuse_terminal(fd_, "binary data");
        struct stat st {};
        seekable_ = false; // stdout is treated as a stream even when redirected to a file
        (void)st;
        return;
    }
    struct stat st {};
    const bool exists = stat(path.c_str(), &st) == 0;
    if (exists && S_ISDIR(st.st_mode))
        throw Error(path + ": is a directory");
    if (exists && !S_ISREG(st.st_mode)) {
        // A device or a named pipe (-o /dev/null, -o /dev/stdout, a FIFO): written in place.
        // Renaming a temporary file over it would replace the device with a regular file.
        fd_ = open(path.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd_ < 0)
            throw Error(path + ": cannot open: " + std::strerror(errno));
        if (binary)
            refuse_terminal(fd_, "binary data");
        in_place_ = true;
        seekable_ = false;
        return;
    }
    auto slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
    std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    if (base.empty())
        throw Error(path + ": names a folder, not a file");
    remove_stale(dir, base);
    const std::string pattern =
        (slash == std::string::npos ? std::string() : dir) + "." + base + ".tmp-XXXXXX";
    for (int tries = 0;; ++tries) {
        std::vector<char> name(pattern.begin(), pattern.end());
        name.push_back('\0');
        fd_ = mkstemp(name.data());
        if (fd_ < 0)
            throw Error(path + ": cannot create: " + std::strerror(errno));
        temp_ = name.data();
        // Locked and still under its name: another run cleaning this folder may have found it
        // between mkstemp and the lock, and then took the lock first or removed it; try anew.
        struct stat mine {}, named {};
        if (lock(fd_) && fstat(fd_, &mine) == 0 && stat(temp_.c_str(), &named) == 0 &&
            mine.st_ino == named.st_ino && mine.st_dev == named.st_dev)
            break;
        close(fd_);
        fd_ = -1;
        if (tries == 20)
            throw Error(path + ": cannot create: its temporary file keeps being removed");
    }
    fchmod(fd_, 0666 & ~current_umask());
    seekable_ = true;
}

Output::~Output() {
    if (!is_stdout_ && fd_ >= 0)
        close(fd_);
    if (!is_stdout_ && !committed_ && !temp_.empty())
        unlink(temp_.c_str());
}

void Output::write_all(const char *data, std::size_t size) {
    while (size > 0) {
        ssize_t n = ::write(fd_, data, size);
        if (n < 0) {
            if (errno == EINTR) {
                signals::check();
                continue;
            }
            if (errno == EPIPE && is_stdout_)
                throw BrokenPipe();
            throw Error(describe(path_) + ": write failed: " + std::strerror(errno));
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
}

void Output::write(const void *data, std::size_t size) {
    written_ += size;
    const char *p = static_cast<const char *>(data);
    if (buffer_.empty() && size >= buffer_size / 4) { // a big block: no copy through the buffer
        write_all(p, size);
        return;
    }
    if (buffer_.size() + size <= buffer_size) {
        buffer_.insert(buffer_.end(), p, p + size);
        return;
    }
    flush();
    if (size >= buffer_size)
        write_all(p, size);
    else
        buffer_.insert(buffer_.end(), p, p + size);
}

void Output::flush() {
    if (!buffer_.empty()) {
        write_all(buffer_.data(), buffer_.size());
        buffer_.clear();
    }
}

void Output::patch(std::uint64_t offset, std::string_view bytes) {
    if (!seekable_)
        throw Error(describe(path_) + ": cannot patch a stream");
    flush();
    if (pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(offset)) !=
        static_cast<ssize_t>(bytes.size()))
        throw Error(describe(path_) + ": write failed: " + std::strerror(errno));
}

void Output::commit() {
    flush();
    if (is_stdout_) {
        committed_ = true;
        return;
    }
    signals::check(); // an interrupted run must not publish its output
    // A second descriptor of the same open file keeps its lock (an open-file-description
    // lock lasts until the last one closes) while the first is closed, which reports late
    // write errors, and the file renamed: else a run writing the same path at that moment
    // would take the file for a dead run's and remove it under us.
    const int keep = in_place_ ? -1 : dup(fd_);
    if (close(fd_) != 0) {
        fd_ = -1;
        if (keep >= 0)
            close(keep);
        throw Error(path_ + ": write failed: " + std::strerror(errno));
    }
    fd_ = -1;
    if (in_place_) {
        committed_ = true;
        return;
    }
    const int renamed = rename(temp_.c_str(), path_.c_str()), err = errno;
    if (keep >= 0)
        close(keep);
    if (renamed != 0)
        throw Error(path_ + ": cannot rename into place: " + std::strerror(err));
    committed_ = true;
}

void make_folder(const std::string &path) {
    if (mkdir(path.c_str(), 0777) != 0 && errno != EEXIST)
        throw Error(path + ": cannot create the folder: " + std::strerror(errno));
}

void close_stdout() {
    if (std::fflush(stdout) != 0 && errno != EPIPE)
        throw Error(std::string("stdout: write failed: ") + std::strerror(errno));
    if (close(STDOUT_FILENO) != 0 && errno != EPIPE && errno != EBADF)
        throw Error(std::string("stdout: close failed: ") + std::strerror(errno));
}

} // namespace ts::io
