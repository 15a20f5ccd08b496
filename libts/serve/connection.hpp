// One keep-alive connection, served with fewer system calls than cpp-httplib's own loop.
//
// cpp-httplib 0.11.4 polls the socket before every read and every write, reads a request
// through a 4 kB buffer made anew for each request, asks the kernel for both addresses on
// every request, and sends a response's headers and its body in two calls. HttpServer keeps
// cpp-httplib's parsing, routing and response writing (Server::process_request) and replaces
// only the connection loop and the stream under it: one buffer per connection, blocking reads
// and writes bounded by the socket's timeouts (SO_RCVTIMEO and SO_SNDTIMEO, which cpp-httplib
// sets on every accepted socket), the addresses asked once, and the header block of a sized
// response sent with the first block of its body in one sendmsg.
#pragma once

#include <httplib.h>

#include <cstddef>
#include <string>
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
    std::vector<char> buf_;
    std::size_t off_ = 0, len_ = 0;
    std::string held_; // a sized response's header block, waiting for its body
    bool expect_head_ = false, closing_ = false;
    mutable bool have_remote_ = false, have_local_ = false;
    mutable std::string remote_ip_, local_ip_;
    mutable int remote_port_ = 0, local_port_ = 0;
};

class HttpServer : public httplib::Server {
private:
    // Called by cpp-httplib's accept loop on a pool thread for each accepted connection.
    bool process_and_close_socket(socket_t sock) override;
};

} // namespace ts::serve
