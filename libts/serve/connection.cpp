// The connection loop and stream under cpp-httplib's request processing (connection.hpp).
#include "serve/connection.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
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

ConnectionStream::ConnectionStream(socket_t sock) : sock_(sock) {}

void ConnectionStream::lend(char *buffer) {
    buf_ = buffer;
    off_ = len_ = 0;
}

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
        if (size >= buffer_size)
            return recv_some(sock_, ptr, size);
        const ssize_t got = recv_some(sock_, buf_, buffer_size);
        if (got <= 0)
            return got;
        off_ = 0;
        len_ = static_cast<std::size_t>(got);
    }
    const std::size_t n = std::min(size, len_ - off_);
    std::memcpy(ptr, buf_ + off_, n);
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

// Each connection between its requests.
struct HttpServer::Conn {
    explicit Conn(socket_t s) : strm(s) {}
    ConnectionStream strm;
    std::size_t left = 0;               // requests it may still make
    std::atomic<bool> busy{false};      // taken by a thread
    std::atomic<bool> shut{false};      // shut by the sweep or the stop
    std::atomic<std::int64_t> last{0};  // steady clock, ms, when it was last armed
};

// cpp-httplib hands each accepted socket to a task queue: this one arms it at once, in the
// accept loop's thread, and ends the connections when the accept loop ends.
class HttpServer::InlineQueue final : public httplib::TaskQueue {
public:
    explicit InlineQueue(HttpServer &s) : s_(s) {}
    void enqueue(std::function<void()> fn) override { fn(); }
    void shutdown() override { s_.stop_loop(); }

private:
    HttpServer &s_;
};

namespace {

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

constexpr std::uint32_t armed_events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;

} // namespace

HttpServer::HttpServer() {
    new_task_queue = [this] { return new InlineQueue(*this); };
}

HttpServer::~HttpServer() {
    stop_loop();
    if (epfd_ >= 0)
        ::close(epfd_);
}

bool HttpServer::process_and_close_socket(socket_t sock) {
    if (epfd_ < 0) {
        epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
        busy_since_.reset(new std::atomic<std::int64_t>[static_cast<std::size_t>(max_threads_)]);
        for (int i = 0; i < max_threads_; ++i)
            busy_since_[i] = 0;
        // Four per core: on 2 cores, 64 connections of small reads are served at 87k/s with 8,
        // 79k with 6, 70k with 12, 56k with 2 (bench/serve.sh's .dat fetch).
        spare_ = std::min(max_threads_, 4 * std::max(1, static_cast<int>(std::thread::hardware_concurrency())));
        for (int i = 0; i < spare_; ++i)
            start_thread();
        watcher_ = std::thread([this] { watch(); });
    }
    auto *c = new Conn(sock);
    c->left = keep_alive_max_count_;
    c->last = now_ms();
    {
        std::lock_guard g(mutex_);
        conns_.insert(c);
    }
    epoll_event ev{};
    ev.events = armed_events;
    ev.data.ptr = c;
    if (epfd_ < 0 || ::epoll_ctl(epfd_, EPOLL_CTL_ADD, sock, &ev) != 0) {
        close_conn(c);
        return false;
    }
    return true;
}

void HttpServer::start_thread() {
    std::lock_guard g(mutex_);
    const int slot = started_.load();
    if (slot >= max_threads_ || stopping_.load())
        return;
    ++started_;
    threads_.emplace_back([this, slot] { loop(slot); });
}

void HttpServer::loop(int slot) {
    for (;;) {
        epoll_event ev{};
        const int n = ::epoll_wait(epfd_, &ev, 1, 200);
        if (n <= 0) {
            if (stopping_.load()) {
                // Again at each turn: a connection armed again while the stop began is
                // shut here.
                sweep(true);
                std::lock_guard g(mutex_);
                if (conns_.empty())
                    return;
            }
            continue;
        }
        busy_since_[slot] = now_ms();
        serve(static_cast<Conn *>(ev.data.ptr));
        busy_since_[slot] = 0;
    }
}

// Every 10 ms: when fewer threads than spare_ are free or on a request begun within the last
// 20 ms (the others are held by uploads, event streams, transcodes), one more is started, so
// that short requests never wait behind long ones; every 500 ms, the sweep.
void HttpServer::watch() {
    while (!stopping_.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        const std::int64_t now = now_ms();
        const int started = started_.load();
        int held = 0;
        for (int i = 0; i < started; ++i) {
            const std::int64_t since = busy_since_[i].load();
            if (since != 0 && now - since > 20)
                ++held;
        }
        if (started - held < spare_)
            start_thread();
        sweep(false);
    }
}

void HttpServer::serve(Conn *c) {
    c->busy = true;
    // The thread's read buffer, lent for as long as it serves the connection: the connection
    // is armed again only with nothing left in it, so an idle one holds no buffer (10,000
    // idle connections cost their sockets, not 640 MB).
    thread_local std::vector<char> buffer(buffer_size);
    c->strm.lend(buffer.data());
    for (;;) {
        if (c->shut.load() || svr_sock_ == INVALID_SOCKET) {
            close_conn(c);
            return;
        }
        bool closed = false;
        c->strm.begin();
        const bool ok = process_request(c->strm, c->left == 1, closed, nullptr) && c->strm.flush();
        --c->left;
        if (!ok || closed || c->strm.closing() || c->left == 0 || stopping_.load()) {
            close_conn(c);
            return;
        }
        if (c->strm.buffered() == 0)
            break;
    }
    // Armed again: from here another thread may take it, so nothing of it is touched after.
    c->last = now_ms();
    c->busy = false;
    epoll_event ev{};
    ev.events = armed_events;
    ev.data.ptr = c;
    if (::epoll_ctl(epfd_, EPOLL_CTL_MOD, c->strm.socket(), &ev) != 0)
        close_conn(c);
}

void HttpServer::close_conn(Conn *c) {
    const socket_t sock = c->strm.socket();
    if (c->strm.closing())
        linger(sock);
    ::epoll_ctl(epfd_, EPOLL_CTL_DEL, sock, nullptr);
    {
        std::lock_guard g(mutex_);
        conns_.erase(c);
    }
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    delete c;
}

// Shuts the connections idle for longer than the keep-alive timeout (all idle ones when
// stopping): their sockets read as ended, and the thread that takes them closes them.
void HttpServer::sweep(bool all) {
    const std::int64_t now = now_ms();
    std::int64_t last = last_sweep_.load();
    if (!all && (now - last < 500 || !last_sweep_.compare_exchange_strong(last, now)))
        return;
    const std::int64_t limit = static_cast<std::int64_t>(keep_alive_timeout_sec_) * 1000;
    std::lock_guard g(mutex_);
    for (Conn *c : conns_)
        if (!c->busy.load() && !c->shut.load() && (all || now - c->last.load() >= limit)) {
            c->shut = true;
            ::shutdown(c->strm.socket(), SHUT_RDWR);
        }
}

void HttpServer::stop_loop() {
    if (started_.load() == 0)
        return;
    stopping_ = true;
    if (watcher_.joinable())
        watcher_.join();
    // Idle connections end now; those in a request end when it is answered (serve checks
    // svr_sock_, which stop() has closed), as cpp-httplib's own loop does.
    sweep(true);
    std::vector<std::thread> threads;
    for (;;) {
        {
            std::lock_guard g(mutex_);
            threads.swap(threads_);
        }
        if (threads.empty())
            break;
        for (auto &t : threads)
            t.join();
        threads.clear();
    }
    started_ = 0;
}

} // namespace ts::serve
