// Receiving an upload: cpp-httplib hands the body over in chunks as it reads the socket; each
// is written at once and fed to SHA-1, so memory stays at one chunk whatever the upload's size.
#include "serve/upload.hpp"

#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

namespace ts::serve {

std::optional<std::string> receive_body(const httplib::ContentReader &reader, int fd,
                                        std::uint64_t length) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr) != 1)
        return std::nullopt;
    std::uint64_t got = 0;
    bool failed = false;
    const bool ok = reader([&](const char *d, std::size_t n) {
        got += n;
        if (got > length) {
            failed = true;
            return false;
        }
        EVP_DigestUpdate(ctx.get(), d, n);
        while (n > 0) {
            const ssize_t w = ::write(fd, d, n);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                failed = true;
                return false;
            }
            d += w;
            n -= static_cast<std::size_t>(w);
        }
        return true;
    });
    if (!ok || failed || got != length)
        return std::nullopt;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (EVP_DigestFinal_ex(ctx.get(), md, &len) != 1)
        return std::nullopt;
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

} // namespace ts::serve
