// Path checks for every name the server did not make itself.
#include "serve/paths.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include <cstdio>
#include <stdexcept>

namespace fs = std::filesystem;

namespace ts::serve {

std::optional<fs::path> safe_relative(std::string_view name, bool on_disk) {
    if (name.empty() || name.size() > 4096 || name.front() == '/')
        return std::nullopt;
    fs::path out;
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t end = name.find('/', start);
        if (end == std::string_view::npos)
            end = name.size();
        std::string_view part = name.substr(start, end - start);
        if (part.empty() || part == "." || part == "..")
            return std::nullopt;
        for (char c : part)
            if (c == '\0' || c == '\\' || (c == '%' && !on_disk) ||
                static_cast<unsigned char>(c) < 0x20)
                return std::nullopt;
        out /= std::string(part);
        start = end + 1;
    }
    return out;
}

namespace {
bool inside(const fs::path &root, const fs::path &p) {
    auto r = root.begin(), q = p.begin();
    for (; r != root.end(); ++r, ++q)
        if (q == p.end() || *r != *q)
            return false;
    return true;
}
} // namespace

std::optional<fs::path> resolve_beneath(const fs::path &root, std::string_view name,
                                        bool on_disk) {
    auto rel = safe_relative(name, on_disk);
    if (!rel)
        return std::nullopt;
    std::error_code ec;
    const fs::path real_root = fs::canonical(root, ec);
    if (ec)
        return std::nullopt;
    const fs::path full = real_root / *rel;
    // weakly_canonical follows every link of the existing part of the path.
    const fs::path real = fs::weakly_canonical(full, ec);
    if (ec || !inside(real_root, real) || real == real_root)
        return std::nullopt;
    return real;
}

int open_beneath(const fs::path &root, std::string_view name) {
    const auto rel = safe_relative(name, true);
    if (!rel) {
        errno = ENOENT;
        return -1;
    }
    const int dir = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return -1;
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    int fd = static_cast<int>(::syscall(SYS_openat2, dir, rel->c_str(), &how, sizeof how));
    const int err = errno;
    ::close(dir);
    if (fd >= 0 || err != ENOSYS) {
        if (fd >= 0) {
            // O_NONBLOCK only kept a FIFO from blocking the open; reads are plain.
            ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        }
        errno = err;
        return fd;
    }
    const auto real = resolve_beneath(root, name, true);
    if (!real) {
        errno = EXDEV;
        return -1;
    }
    return ::open(real->c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
}

std::string name_uuid(std::string_view name) {
    // RFC 9562 version 5 over a fixed namespace (itself a random UUID, chosen once).
    static const unsigned char ns[16] = {0x6f, 0x1d, 0x3c, 0x52, 0x8e, 0x0a, 0x4b, 0x7e,
                                         0x9a, 0x43, 0x2c, 0x55, 0xd1, 0x0e, 0x77, 0x19};
    std::string in(reinterpret_cast<const char *>(ns), sizeof ns);
    in.append(name);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (EVP_Digest(in.data(), in.size(), md, &len, EVP_sha1(), nullptr) != 1)
        throw std::runtime_error("SHA-1 failed");
    md[6] = static_cast<unsigned char>((md[6] & 0x0f) | 0x50);
    md[8] = static_cast<unsigned char>((md[8] & 0x3f) | 0x80);
    char out[37];
    std::snprintf(out, sizeof out,
                  "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", md[0],
                  md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9], md[10], md[11],
                  md[12], md[13], md[14], md[15]);
    return out;
}

bool is_uuid(std::string_view s) {
    if (s.size() != 36)
        return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

std::string random_uuid() {
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1)
        throw std::runtime_error("no random bytes from OpenSSL");
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
    char out[37];
    std::snprintf(out, sizeof out,
                  "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                  b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
                  b[13], b[14], b[15]);
    return out;
}

} // namespace ts::serve
