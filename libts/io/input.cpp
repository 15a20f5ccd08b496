// Reader over a file descriptor with a peek buffer, and file hashing.
#include "io/input.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/signals.hpp"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace ts::io {

bool is_url(const std::string &arg) {
    auto pos = arg.find("://");
    if (pos == std::string::npos || pos == 0)
        return false;
    for (std::size_t i = 0; i < pos; ++i)
        if (!std::isalnum(static_cast<unsigned char>(arg[i])) && arg[i] != '+' && arg[i] != '-')
            return false;
    return true;
}

std::string display_name(const std::string &arg) { return arg == "-" ? "stdin" : arg; }

void hint_terminal_stdin(const std::string &what) {
    static bool said = false;
    if (said || !isatty(STDIN_FILENO))
        return;
    said = true;
    log::info("reading " + what + " from the terminal; give a file or pipe a stream (Ctrl-D ends)");
}

Reader::Reader(const std::string &arg, const std::string &what) : arg_(arg), name_(display_name(arg)) {
    if (arg == "-") {
        fd_ = STDIN_FILENO;
        is_stdin_ = true;
        hint_terminal_stdin(what);
    } else {
        if (arg.empty())
            throw Error("empty input name");
        fd_ = open(arg.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0)
            throw Error(name_ + ": " + std::strerror(errno));
    }
    struct stat st {};
    if (fstat(fd_, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            throw Error(name_ + ": is a directory");
        if (S_ISREG(st.st_mode)) {
            regular_ = true;
            size_ = st.st_size;
        }
    }
}

Reader::~Reader() {
    if (!is_stdin_ && fd_ >= 0)
        close(fd_);
}

std::size_t Reader::raw_read(void *data, std::size_t size) {
    for (;;) {
        ssize_t n = ::read(fd_, data, size);
        if (n >= 0)
            return static_cast<std::size_t>(n);
        if (errno == EINTR) {
            signals::check();
            continue;
        }
        if (errno == EISDIR)
            throw Error(name_ + ": is a directory");
        throw Error(name_ + ": read failed: " + std::strerror(errno));
    }
}

std::size_t Reader::read(void *data, std::size_t size) {
    if (pending_pos_ < pending_.size()) {
        std::size_t n = std::min(size, pending_.size() - pending_pos_);
        std::memcpy(data, pending_.data() + pending_pos_, n);
        pending_pos_ += n;
        if (pending_pos_ == pending_.size()) {
            pending_.clear();
            pending_pos_ = 0;
        }
        return n;
    }
    return raw_read(data, size);
}

std::size_t Reader::read_full(void *data, std::size_t size) {
    char *p = static_cast<char *>(data);
    std::size_t total = 0;
    while (total < size) {
        std::size_t n = read(p + total, size - total);
        if (n == 0)
            break;
        total += n;
    }
    return total;
}

std::size_t Reader::peek(const char **data, std::size_t size) {
    if (pending_pos_ > 0) {
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(pending_pos_));
        pending_pos_ = 0;
    }
    while (pending_.size() < size) {
        std::size_t have = pending_.size();
        pending_.resize(size);
        std::size_t n = raw_read(pending_.data() + have, size - have);
        pending_.resize(have + n);
        if (n == 0)
            break;
    }
    *data = pending_.data();
    return std::min(size, pending_.size());
}

std::int64_t Reader::seek(std::int64_t offset, int whence) {
    if (!regular_)
        return -1;
    if (whence == SEEK_CUR) { // the logical position lags the descriptor by the peeked bytes
        offset -= static_cast<std::int64_t>(pending_.size() - pending_pos_);
    }
    pending_.clear();
    pending_pos_ = 0;
    off_t pos = lseek(fd_, static_cast<off_t>(offset), whence);
    return pos < 0 ? -1 : static_cast<std::int64_t>(pos);
}

std::string sha1_file(const std::string &path, const std::atomic<bool> *cancel) {
    Reader in(path);
    // OpenSSL's SHA-1 uses the CPU's SHA extensions where present: faster than FFmpeg's
    // portable av_sha (bench/RESULTS.md).
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr) != 1)
        throw Error(display_name(path) + ": cannot start a SHA-1 digest");
    // 1 MiB reads, but no more memory than a small file needs (the buffer is zeroed).
    const std::int64_t bytes = in.file_size();
    std::vector<char> buf(bytes >= 0 && bytes < (1 << 20) ? static_cast<std::size_t>(bytes) + 1 : 1 << 20);
    for (;;) {
        if (cancel && cancel->load(std::memory_order_relaxed))
            return {};
        std::size_t n = in.read(buf.data(), buf.size());
        if (n == 0)
            break;
        EVP_DigestUpdate(ctx.get(), buf.data(), n);
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(ctx.get(), digest, &size);
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

} // namespace ts::io
