// The connection loop and stream under cpp-httplib's request processing (connection.hpp).
#include "serve/connection.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>

namespace ts::serve {
namespace {

// 64 kB: a request's head in one read, an upload's body in 16 times fewer reads than
// cpp-httplib's 4 kB.
constexpr std::size_t buffer_size = 64 * 1024;

ssize_t recv_some(socket_t sock, char *p, std::size_t n) {
    for (;;) {
        const ssize_t got = ::recv(sock, p, n, 0);
        if (got < 0 && errno == EINTR)
            continue;
        return got; // -1 with EAGAIN when SO_RCVTIMEO runs out
    }
}

ssize_t send_some(socket_t sock, const char *p, std::size_t n) {
    for (;;) {
        const ssize_t sent = ::send(sock, p, n, MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR)
            continue;
        return sent;
    }
}

bool send_all(socket_t sock, const char *p, std::size_t n) {
    while (n > 0) {
        const ssize_t sent = send_some(sock, p, n);
        if (sent <= 0)
            return false;
        p += sent;
        n -= static_cast<std::size_t>(sent);
    }
    return true;
}

// poll for one event; > 0 when it came.
int poll_one(socket_t sock, short events, int timeout_ms) {
    pollfd p{sock, events, 0};
    for (;;) {
        const int r = ::poll(&p, 1, timeout_ms);
        if (r < 0 && errno == EINTR)
            continue;
        return r > 0 && (p.revents & (events | POLLHUP | POLLERR)) ? 1 : r;
    }
}

int timeout_ms(socket_t sock, int option) {
    timeval tv{};
    socklen_t len = sizeof tv;
    if (getsockopt(sock, SOL_SOCKET, option, &tv, &len) != 0 || (tv.tv_sec == 0 && tv.tv_usec == 0))
        return 30000;
    return static_cast<int>(tv.tv_sec * 1000 + tv.tv_usec / 1000);
}

// A final response's header block (not an interim 1xx such as 100 Continue).
bool final_head(std::string_view s) {
    return s.size() >= 16 && s.substr(0, 7) == "HTTP/1." && s[9] != '1' &&
           s.substr(s.size() - 4) == "\r\n\r\n";
}

// A header block whose body follows at once: it announces a length that is not zero
// (chunked and event streams are sent as they come).
bool sized_head(std::string_view s) {
    const auto at = s.find("\r\nContent-Length: ");
    return at != std::string_view::npos && s.substr(at + 18, 2) != "0\r";
}

void address(bool peer, socket_t sock, std::string &ip, int &port) {
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    const int r = peer ? getpeername(sock, reinterpret_cast<sockaddr *>(&a), &len)
                       : getsockname(sock, reinterpret_cast<sockaddr *>(&a), &len);
    if (r != 0)
        return;
    if (a.ss_family == AF_INET)
        port = ntohs(reinterpret_cast<const sockaddr_in *>(&a)->sin_port);
    else if (a.ss_family == AF_INET6)
        port = ntohs(reinterpret_cast<const sockaddr_in6 *>(&a)->sin6_port);
    char host[NI_MAXHOST] = {};
    if (getnameinfo(reinterpret_cast<const sockaddr *>(&a), len, host, sizeof host, nullptr, 0,
                    NI_NUMERICHOST) == 0)
        ip = host;
}

// Ends a connection whose request body was left unread (a 413, a refusal before the body):
// the answer is sent, the writing side shut, and what the client still sends is read and
// dropped for a while, so that it can finish sending and read the answer instead of meeting a
// reset. Bounded: 2 s in all, or half a second with nothing received.
void linger(socket_t sock) {
    ::shutdown(sock, SHUT_WR);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    char sink[16384];
    while (std::chrono::steady_clock::now() < until) {
        if (poll_one(sock, POLLIN, 500) <= 0)
            return;
        const ssize_t got = ::recv(sock, sink, sizeof sink, MSG_DONTWAIT);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
            return;
    }
}

} // namespace

ConnectionStream::ConnectionStream(socket_t sock) : sock_(sock), buf_(buffer_size) {}

bool ConnectionStream::is_readable() const {
    return off_ < len_ || poll_one(sock_, POLLIN, timeout_ms(sock_, SO_RCVTIMEO)) > 0;
}

bool ConnectionStream::is_writable() const {
    if (poll_one(sock_, POLLOUT, timeout_ms(sock_, SO_SNDTIMEO)) <= 0)
        return false;
    // A peer that has gone reads as end of file: readable, with nothing to read.
    if (off_ < len_ || poll_one(sock_, POLLIN, 0) == 0)
        return true;
    char c;
    return ::recv(sock_, &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

ssize_t ConnectionStream::read(char *ptr, std::size_t size) {
    if (off_ == len_) {
        if (size >= buf_.size())
            return recv_some(sock_, ptr, size);
        const ssize_t got = recv_some(sock_, buf_.data(), buf_.size());
        if (got <= 0)
            return got;
        off_ = 0;
        len_ = static_cast<std::size_t>(got);
    }
    const std::size_t n = std::min(size, len_ - off_);
    std::memcpy(ptr, buf_.data() + off_, n);
    off_ += n;
    return static_cast<ssize_t>(n);
}

ssize_t ConnectionStream::write(const char *ptr, std::size_t size) {
    if (held_.empty()) {
        const std::string_view data{ptr, size};
        if (expect_head_ && final_head(data)) {
            expect_head_ = false;
            if (data.find("\r\nConnection: close\r\n") != std::string_view::npos)
                closing_ = true;
            if (sized_head(data)) {
                held_.assign(ptr, size);
                return static_cast<ssize_t>(size);
            }
        }
        return send_some(sock_, ptr, size);
    }
    // The held header block and the first block of the body in one call.
    iovec iov[2] = {{held_.data(), held_.size()}, {const_cast<char *>(ptr), size}};
    msghdr m{};
    m.msg_iov = iov;
    m.msg_iovlen = 2;
    ssize_t sent;
    do
        sent = ::sendmsg(sock_, &m, MSG_NOSIGNAL);
    while (sent < 0 && errno == EINTR);
    if (sent < 0)
        return sent;
    const auto head = held_.size();
    if (static_cast<std::size_t>(sent) < head) {
        const bool ok = send_all(sock_, held_.data() + sent, head - static_cast<std::size_t>(sent));
        held_.clear();
        return ok ? send_some(sock_, ptr, size) : -1;
    }
    held_.clear();
    const auto body = static_cast<std::size_t>(sent) - head;
    return body > 0 ? static_cast<ssize_t>(body) : send_some(sock_, ptr, size);
}

bool ConnectionStream::flush() {
    if (held_.empty())
        return true;
    const bool ok = send_all(sock_, held_.data(), held_.size());
    held_.clear();
    return ok;
}

void ConnectionStream::get_remote_ip_and_port(std::string &ip, int &port) const {
    if (!have_remote_) {
        address(true, sock_, remote_ip_, remote_port_);
        have_remote_ = true;
    }
    ip = remote_ip_;
    port = remote_port_;
}

void ConnectionStream::get_local_ip_and_port(std::string &ip, int &port) const {
    if (!have_local_) {
        address(false, sock_, local_ip_, local_port_);
        have_local_ = true;
    }
    ip = local_ip_;
    port = local_port_;
}

bool HttpServer::process_and_close_socket(socket_t sock) {
    ConnectionStream strm(sock);
    // Waits for the next request of a kept-alive connection, in steps of 100 ms so that a
    // stopping server does not wait for idle connections.
    const auto wait_request = [&] {
        const auto until = std::chrono::steady_clock::now() +
                           std::chrono::seconds(keep_alive_timeout_sec_);
        for (;;) {
            const int r = poll_one(sock, POLLIN, 100);
            if (r != 0)
                return r > 0;
            if (svr_sock_ == INVALID_SOCKET || std::chrono::steady_clock::now() >= until)
                return false;
        }
    };
    bool ok = false;
    for (std::size_t left = keep_alive_max_count_; left > 0 && svr_sock_ != INVALID_SOCKET; --left) {
        if (strm.buffered() == 0 && !wait_request())
            break;
        bool closed = false;
        strm.begin();
        ok = process_request(strm, left == 1, closed, nullptr) && strm.flush();
        if (!ok || closed || strm.closing())
            break;
    }
    if (strm.closing())
        linger(sock);
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return ok;
}

} // namespace ts::serve
