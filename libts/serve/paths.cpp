// Path checks for every name the server did not make itself.
#include "serve/paths.hpp"

#include <openssl/rand.h>

#include <cstdio>
#include <stdexcept>

namespace fs = std::filesystem;

namespace ts::serve {

std::optional<fs::path> safe_relative(std::string_view name) {
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
            if (c == '\0' || c == '\\' || c == '%' || static_cast<unsigned char>(c) < 0x20)
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

std::optional<fs::path> resolve_beneath(const fs::path &root, std::string_view name) {
    auto rel = safe_relative(name);
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
