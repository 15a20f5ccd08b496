// Imports: an http(s) URL fetched by the server, or a configured provider command's output.
#pragma once

#include <cstdint>
#include <string>
#include <sys/socket.h>
#include <vector>

namespace ts::serve {

struct FetchPolicy {
    bool allow_http = false;    // plain http as well as https
    bool allow_private = false; // loopback, private, link-local addresses (tests)
    std::uint64_t max_bytes = 0;
    int timeout = 600;
};

// True for an address no import may reach unless allowed: loopback, unspecified, private
// (RFC 1918, fc00::/7), carrier-grade NAT, link-local, multicast, broadcast, documentation.
bool is_private_address(const sockaddr *addr);

// Downloads url into fd (the body only, no redirect followed), after checking its scheme and
// that every address its host resolves to is allowed; the connection goes to the address
// checked. Throws HttpError: 400 (a refused URL), 413 (over max_bytes), 502 (the fetch failed).
void fetch_url(const std::string &url, int fd, const FetchPolicy &policy);

// Runs a provider command (argv, then "--" and the URL) with its stdout into fd, at most
// max_bytes, within the timeout. Throws HttpError 413 or 502.
void fetch_provider(const std::vector<std::string> &argv, const std::string &url, int fd,
                    const FetchPolicy &policy);

} // namespace ts::serve
