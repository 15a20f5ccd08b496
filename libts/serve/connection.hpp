// Connections served by an epoll loop, with fewer system calls than cpp-httplib's own.
//
// cpp-httplib 0.11.4 polls the socket before every read and every write, reads a request
// through a 4 kB buffer made anew for each request, asks the kernel for both addresses on
// every request, and sends a response's headers and its body in two calls. HttpServer keeps
// cpp-httplib's parsing, routing and response writing (Server::process_request) and replaces
// its thread pool, the connection loop and the stream under it: a read buffer lent by the
// serving thread, blocking reads and writes bounded by the socket's timeouts (SO_RCVTIMEO and
// SO_SNDTIMEO, which cpp-httplib sets on every accepted socket), the addresses asked once, and
// the header block of a sized response sent with the first block of its body in one sendmsg.
#pragma once

#include <httplib.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

namespace ts::serve {

// The stream of one connection, kept across its requests.
class ConnectionStream final : public httplib::Stream {
public:
    explicit ConnectionStream(socket_t sock);

    bool is_readable() const override;
    bool is_writable() const override;
    ssize_t read(char *ptr, std::size_t size) override;
    ssize_t write(const char *ptr, std::size_t size) override;
    void get_remote_ip_and_port(std::string &ip, int &port) const override;
    void get_local_ip_and_port(std::string &ip, int &port) const override;
    socket_t socket() const override { return sock_; }

    // The read buffer (64 kB) to use from now on, empty: given by the thread that serves the
    // connection, when it takes it with nothing buffered.
    void lend(char *buffer);
    // Bytes received and not yet read (a pipelined request).
    std::size_t buffered() const { return len_ - off_; }
    // A request begins: the next write that starts a response is its header block.
    void begin() { expect_head_ = true; }
    // The response's header block said "Connection: close" (for one whose body was not
    // read, say): the connection must end after it.
    bool closing() const { return closing_; }
    // Sends a header block still held back (a response without a body); false on failure.
    bool flush();

private:
    socket_t sock_;
    char *buf_ = nullptr;
    std::size_t off_ = 0, len_ = 0;
    std::string held_; // a sized response's header block, waiting for its body
    bool expect_head_ = false, closing_ = false;
    mutable bool have_remote_ = false, have_local_ = false;
    mutable std::string remote_ip_, local_ip_;
    mutable int remote_port_ = 0, local_port_ = 0;
};

// cpp-httplib's server with connections that wait in epoll, not in a thread each.
//
// A kept-alive connection between requests is armed in one epoll set (EPOLLONESHOT). A small
// pool of threads takes ready connections from it: a thread serves the requests a connection
// has sent (pipelined ones too), arms it again and takes the next, so that under load a
// thread goes from one request to the next without sleeping. A request that takes long (an
// upload, a stream of events, a transcode) keeps its thread; when fewer than spare_ threads
// are free or on a short request, a watcher starts another, up to max_threads. Connections
// idle longer than the keep-alive timeout are shut by a sweep.
class HttpServer : public httplib::Server {
public:
    HttpServer();
    ~HttpServer() override;
    HttpServer(const HttpServer &) = delete;
    HttpServer &operator=(const HttpServer &) = delete;

    // Threads serving requests at most (each long request holds one).
    void set_max_threads(int n) { max_threads_ = n < 1 ? 1 : n; }

private:
    struct Conn;
    class InlineQueue;

    // Called by cpp-httplib's accept loop for each accepted connection: arms it.
    bool process_and_close_socket(socket_t sock) override;
    void start_thread();
    void loop(int slot);
    void watch(); // starts a thread when those serving are held by long requests; sweeps
    void serve(Conn *c);
    void close_conn(Conn *c);
    void sweep(bool now);
    void stop_loop(); // when the accept loop has ended: ends every connection, joins

    int epfd_ = -1;
    int max_threads_ = 64;
    std::mutex mutex_; // conns_, threads_
    std::unordered_set<Conn *> conns_;
    std::vector<std::thread> threads_;
    std::thread watcher_;
    int spare_ = 2;                  // threads serving at once, not counting long requests
    std::atomic<int> started_{0};    // threads started
    // Per thread: since when (steady clock, ms) it serves its connection; 0 when waiting.
    std::unique_ptr<std::atomic<std::int64_t>[]> busy_since_;
    std::atomic<bool> stopping_{false};
    std::atomic<std::int64_t> last_sweep_{0}; // steady clock, ms
};

} // namespace ts::serve
