// URL and provider imports. cpp-httplib's client does the HTTP; the address is resolved and
// checked here first and pinned, so a DNS answer cannot change between check and connect.
#include "serve/fetch.hpp"

#include "serve/problem.hpp"
#include "serve/process.hpp"

#include <httplib.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <regex>
#include <sstream>

namespace ts::serve {
namespace {

bool private_v4(std::uint32_t a) {
    const auto in = [a](std::uint32_t net, int bits) {
        return (a >> (32 - bits)) == (net >> (32 - bits));
    };
    return in(0x00000000, 8) || in(0x0a000000, 8) || in(0x64400000, 10) || in(0x7f000000, 8) ||
           in(0xa9fe0000, 16) || in(0xac100000, 12) || in(0xc0000000, 24) ||
           in(0xc0000200, 24) || in(0xc0a80000, 16) || in(0xc6120000, 15) ||
           in(0xc6336400, 24) || in(0xcb007100, 24) || in(0xe0000000, 4) || in(0xf0000000, 4);
}

bool write_all(int fd, const char *d, std::size_t n) {
    while (n > 0) {
        const ssize_t w = ::write(fd, d, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        d += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

} // namespace

bool is_private_address(const sockaddr *addr) {
    if (addr->sa_family == AF_INET) {
        const auto *v4 = reinterpret_cast<const sockaddr_in *>(addr);
        return private_v4(ntohl(v4->sin_addr.s_addr));
    }
    if (addr->sa_family == AF_INET6) {
        const auto *v6 = reinterpret_cast<const sockaddr_in6 *>(addr);
        const unsigned char *b = v6->sin6_addr.s6_addr;
        static const unsigned char zero[16] = {};
        if (std::memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1))
            return true; // :: and ::1
        if (std::memcmp(b, zero, 10) == 0 && b[10] == 0xff && b[11] == 0xff) // ::ffff:a.b.c.d
            return private_v4((std::uint32_t(b[12]) << 24) | (b[13] << 16) | (b[14] << 8) | b[15]);
        if ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || b[0] == 0xff)
            return true; // fc00::/7, fe80::/10, ff00::/8
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
            return true; // 2001:db8::/32
        return false;
    }
    return true;
}

void fetch_url(const std::string &url, int fd, const FetchPolicy &policy) {
    static const std::regex rx(R"(^(https?)://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::([0-9]{1,5}))?(/[^\s#]*)?$)");
    std::smatch m;
    if (url.size() > 4096 || !std::regex_match(url, m, rx))
        throw HttpError(400, "url must be http(s)://HOST[:PORT]/PATH, without user or fragment");
    const std::string scheme = m[1], path = m[4].matched ? std::string(m[4]) : "/";
    std::string host = m[2];
    if (scheme == "http" && !policy.allow_http)
        throw HttpError(400, "only https URLs are imported");
    if (host.front() == '[')
        host = host.substr(1, host.size() - 2);
    const int port = m[3].matched ? std::stoi(m[3]) : (scheme == "https" ? 443 : 80);
    if (port < 1 || port > 65535)
        throw HttpError(400, "the URL's port is out of range");

    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *res = nullptr;
    if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || !res)
        throw HttpError(400, "the URL's host does not resolve");
    std::string pinned;
    bool refused = false;
    for (addrinfo *a = res; a; a = a->ai_next) {
        if (!policy.allow_private && is_private_address(a->ai_addr))
            refused = true;
        char buf[INET6_ADDRSTRLEN] = {};
        const void *src = a->ai_family == AF_INET
                              ? static_cast<const void *>(&reinterpret_cast<sockaddr_in *>(a->ai_addr)->sin_addr)
                              : static_cast<const void *>(&reinterpret_cast<sockaddr_in6 *>(a->ai_addr)->sin6_addr);
        if (pinned.empty() && inet_ntop(a->ai_family, src, buf, sizeof buf))
            pinned = buf;
    }
    freeaddrinfo(res);
    if (refused)
        throw HttpError(400, "the URL's host is a loopback or private address");

    httplib::Client cli(scheme + "://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) +
                        ":" + std::to_string(port));
    cli.set_hostname_addr_map({{host, pinned}});
    cli.set_follow_location(false);
    cli.set_connection_timeout(10);
    cli.set_read_timeout(policy.timeout);
    cli.enable_server_certificate_verification(true);
    int status = 0;
    std::uint64_t got = 0;
    bool too_big = false, write_failed = false;
    auto r = cli.Get(
        path, httplib::Headers{{"User-Agent", "ts-serve"}},
        [&](const httplib::Response &resp) {
            status = resp.status;
            return status == 200;
        },
        [&](const char *d, std::size_t n) {
            got += n;
            if (got > policy.max_bytes) {
                too_big = true;
                return false;
            }
            if (!write_all(fd, d, n)) {
                write_failed = true;
                return false;
            }
            return true;
        });
    if (too_big)
        throw HttpError(413, "the URL's content is over the upload limit");
    if (write_failed)
        throw std::runtime_error(std::string("writing an import: ") + std::strerror(errno));
    if (status != 0 && status != 200)
        throw HttpError(502, "the URL answered " + std::to_string(status) + " (redirects are not followed)");
    if (!r)
        {
        std::ostringstream why;
        why << r.error();
        throw HttpError(502, "the URL could not be fetched: " + why.str());
    }
}

void fetch_provider(const std::vector<std::string> &argv, const std::string &url, int fd,
                    const FetchPolicy &policy) {
    Argv full = argv;
    full.push_back("--");
    full.push_back(url);
    Pipeline pipe({full});
    char buf[65536];
    std::uint64_t got = 0;
    ssize_t n = 0;
    while ((n = pipe.read(buf, sizeof buf, policy.timeout)) > 0) {
        got += static_cast<std::uint64_t>(n);
        if (got > policy.max_bytes)
            throw HttpError(413, "the provider's output is over the upload limit");
        if (!write_all(fd, buf, static_cast<std::size_t>(n)))
            throw std::runtime_error(std::string("writing an import: ") + std::strerror(errno));
    }
    if (n < 0 || !pipe.wait())
        throw HttpError(502, "the provider failed: " + pipe.err().substr(0, 300));
}

} // namespace ts::serve
