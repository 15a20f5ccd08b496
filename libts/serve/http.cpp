// Dispatch: one catch-all handler per method matches the route table, checks the token and
// the scope, reads bounded bodies, and turns every failure into problem+json.
#include "serve/http.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/signals.hpp"
#include "serve/app.hpp"
#include "serve/connection.hpp"
#include "serve/problem.hpp"
#include "serve/routes.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace fs = std::filesystem;

namespace ts::serve {
namespace {

std::string hex(const unsigned char *p, std::size_t n) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        out += digits[p[i] >> 4];
        out += digits[p[i] & 15];
    }
    return out;
}

// Unique, not secret: a per-thread random start (OpenSSL's generator, once) and a counter,
// so that a request does not cost a call into the DRBG.
std::string new_request_id() {
    thread_local std::uint64_t next = [] {
        std::uint64_t seed = 0;
        RAND_bytes(reinterpret_cast<unsigned char *>(&seed), sizeof seed);
        return seed;
    }();
    // splitmix64 of the counter: consecutive ids do not look consecutive.
    std::uint64_t z = (next += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    unsigned char b[8];
    for (int i = 0; i < 8; ++i)
        b[i] = static_cast<unsigned char>(z >> (8 * i));
    return hex(b, sizeof b);
}

std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < path.size()) {
        if (path[i] == '/') {
            ++i;
            continue;
        }
        std::size_t j = path.find('/', i);
        if (j == std::string_view::npos)
            j = path.size();
        out.push_back(path.substr(i, j - i));
        i = j;
    }
    return out;
}

bool match(const Route &r, const std::vector<std::string_view> &path,
           std::map<std::string, std::string> &params) {
    // The patterns' segments, split once (the table is built once and never changes).
    static const std::vector<std::vector<std::string_view>> split = [] {
        std::vector<std::vector<std::string_view>> v;
        for (const Route &x : routes())
            v.push_back(segments(x.pattern));
        return v;
    }();
    const auto &pat = split.at(static_cast<std::size_t>(&r - routes().data()));
    if (pat.size() != path.size())
        return false;
    std::map<std::string, std::string> found;
    for (std::size_t i = 0; i < pat.size(); ++i) {
        if (pat[i].size() > 2 && pat[i].front() == '{' && pat[i].back() == '}')
            found[std::string(pat[i].substr(1, pat[i].size() - 2))] = std::string(path[i]);
        else if (pat[i] != path[i])
            return false;
    }
    params = std::move(found);
    return true;
}

void set_problem(Response &res, int status, const std::string &detail, const std::string &path,
                 const std::string &id) {
    res.status = status;
    res.set_content(problem(status, detail, path, id).dump(), "application/problem+json");
}

bool has_body_method(const std::string &m) {
    return m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE";
}

// Authorization: Bearer TOKEN (RFC 6750); the scheme is case-insensitive.
std::optional<std::string> bearer(const httplib::Request &raw) {
    if (!raw.has_header("Authorization"))
        return std::nullopt;
    std::string v = raw.get_header_value("Authorization");
    if (v.size() < 7)
        return std::string();
    std::string scheme = v.substr(0, 7);
    for (char &c : scheme)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (scheme != "bearer ")
        return std::string();
    std::string t = v.substr(7);
    while (!t.empty() && t.front() == ' ')
        t.erase(t.begin());
    while (!t.empty() && t.back() == ' ')
        t.pop_back();
    return t;
}

void authenticate(App &app, const Route &route, Request &req) {
    if (route.scope == 0)
        return;
    const auto token = bearer(req.raw);
    if (!token) {
        if (authenticate_session(app, route, req))
            return; // a browser's session cookie
        if (app.cfg().anonymous_reads && route.scope == scope_read)
            return; // anonymous: public objects only
        throw HttpError(401, "this route needs a token (Authorization: Bearer TOKEN) or "
                        "a session cookie (POST /api/v1/session)",
                        {{"WWW-Authenticate", "Bearer realm=\"timeside\""}});
    }
    const TokenCheck c = check_token(app.db(), *token, req.principal);
    if (c != TokenCheck::ok) {
        const char *why = c == TokenCheck::expired   ? "the token has expired"
                          : c == TokenCheck::revoked ? "the token was revoked"
                                                     : "the token is not known";
        throw HttpError(401, why,
                        {{"WWW-Authenticate", "Bearer realm=\"timeside\", error=\"invalid_token\""}});
    }
    if (!req.principal.has(route.scope))
        throw HttpError(403, "the token lacks the scope " + format_scopes(route.scope),
                        {{"WWW-Authenticate", "Bearer realm=\"timeside\", error=\"insufficient_scope\", "
                                              "scope=\"" + format_scopes(route.scope) + "\""}});
}

void read_body(App &app, Request &req) {
    if (!req.reader)
        return;
    const std::uint64_t limit = app.cfg().max_json;
    if (req.raw.has_header("Content-Length")) {
        const auto n = std::strtoull(req.raw.get_header_value("Content-Length").c_str(), nullptr, 10);
        if (n > limit)
            throw HttpError(413, "a JSON body is at most " + std::to_string(limit) + " bytes",
                            {{"Connection", "close"}});
    }
    bool over = false;
    (*req.reader)([&](const char *d, std::size_t n) {
        if (req.body.size() + n > limit) {
            over = true;
            return false;
        }
        req.body.append(d, n);
        return true;
    });
    if (over)
        throw HttpError(413, "a JSON body is at most " + std::to_string(limit) + " bytes",
                        {{"Connection", "close"}});
}

void dispatch(App &app, const httplib::Request &raw, Response &res,
              const httplib::ContentReader *reader) {
    Request req{raw};
    // A body the route leaves unread (refused before reading it, or cut at its limit) is
    // still on the connection, where it would be read as the next request: the connection
    // is closed after the answer instead.
    bool body_read = false;
    std::optional<httplib::ContentReader> counted;
    if (reader) {
        counted.emplace(
            [&body_read, reader](httplib::ContentReceiver receiver) {
                body_read = reader->reader_(std::move(receiver));
                return body_read;
            },
            reader->multipart_reader_);
        req.reader = &*counted;
    }
    req.id = new_request_id();
    res.set_header("X-Request-Id", req.id);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Cache-Control", "no-cache");
    res.set_header("Vary", "Authorization, Cookie");
    // Ranges are resolved by the handlers (range.hpp): cpp-httplib must not apply its own.
    const_cast<httplib::Request &>(raw).ranges.clear();
    try {
        const auto path = segments(raw.path);
        const std::string method = raw.method == "HEAD" ? "GET" : raw.method;
        const Route *found = nullptr;
        std::string allow;
        for (const Route &r : routes()) {
            std::map<std::string, std::string> params;
            if (!match(r, path, params))
                continue;
            if (r.method == method) {
                found = &r;
                req.params = std::move(params);
                break;
            }
            allow += (allow.empty() ? "" : ", ") + r.method + (r.method == "GET" ? ", HEAD" : "");
        }
        if (!found) {
            if (!allow.empty())
                throw HttpError(405, raw.method + " is not allowed here", {{"Allow", allow}});
            throw HttpError(404, "no such route");
        }
        authenticate(app, *found, req);
        if (!found->stream_body && has_body_method(method))
            read_body(app, req);
        found->handler(app, req, res);
    } catch (const HttpError &e) {
        set_problem(res, e.status(), e.detail(), raw.path, req.id);
        for (const auto &[k, v] : e.headers())
            res.set_header(k, v);
    } catch (const std::exception &e) {
        log::error("request " + req.id + ": " + raw.method + " " + raw.path + ": " + e.what());
        set_problem(res, 500, "internal error; the server's log names request " + req.id,
                    raw.path, req.id);
    }
    if (reader && !body_read &&
        (raw.get_header_value("Transfer-Encoding") == "chunked" ||
         (raw.has_header("Content-Length") && raw.get_header_value("Content-Length") != "0")))
        res.set_header("Connection", "close");
}

} // namespace

std::optional<std::string> Request::query(const std::string &name) const {
    if (!raw.has_param(name.c_str()))
        return std::nullopt;
    return raw.get_param_value(name.c_str());
}

Json Request::json() const {
    Json j;
    try {
        j = Json::parse(body);
    } catch (const std::exception &) {
        throw HttpError(400, "the body is not JSON");
    }
    if (!j.is_object())
        throw HttpError(400, "the body is not a JSON object");
    return j;
}

double query_number(const Request &req, const std::string &name, double fallback, double lo,
                    double hi) {
    const auto v = req.query(name);
    if (!v)
        return fallback;
    char *end = nullptr;
    errno = 0;
    const double x = std::strtod(v->c_str(), &end);
    if (v->empty() || end != v->c_str() + v->size() || errno != 0 || !(x >= lo && x <= hi))
        throw HttpError(400, name + " must be a number from " + Json(lo).dump() + " to " +
                                 Json(hi).dump());
    return x;
}

void send_json(const Request &req, Response &res, const Json &body, int status) {
    const std::string text = body.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (status == 200 && req.raw.method != "POST") {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned len = 0;
        EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr);
        const std::string etag = "\"" + hex(md, 12) + "\"";
        res.set_header("ETag", etag);
        if (req.raw.get_header_value("If-None-Match") == etag) {
            res.status = 304;
            return;
        }
    }
    res.status = status;
    res.set_content(text, "application/json");
}

void send_file(const Request &req, Response &res, const fs::path &file, const std::string &mime,
               const std::string &etag) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw HttpError(404, "the file is missing from the data folder");
    send_fd(req, res, fd, mime, etag);
}

void send_fd(const Request &req, Response &res, int fd, const std::string &mime,
             const std::string &etag) {
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw HttpError(404, "the file is missing from the data folder");
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    res.set_header("Accept-Ranges", "bytes");
    res.set_header("ETag", etag);
    if (req.raw.get_header_value("If-None-Match") == etag) {
        ::close(fd);
        res.status = 304;
        return;
    }
    ByteRange r;
    if (req.raw.has_header("Range")) {
        // If-Range with another validator: the whole representation (RFC 9110 13.1.5).
        const bool fresh =
            !req.raw.has_header("If-Range") || req.raw.get_header_value("If-Range") == etag;
        if (fresh)
            r = resolve_range(req.raw.get_header_value("Range"), size);
    }
    if (r.kind == ByteRange::unsatisfiable) {
        ::close(fd);
        throw HttpError(416, "the range is outside the " + std::to_string(size) + " bytes",
                        {{"Content-Range", content_range(r, size)}});
    }
    std::uint64_t first = 0, length = size;
    if (r.kind == ByteRange::partial) {
        first = r.first;
        length = r.length();
        res.status = 206;
        res.set_header("Content-Range", content_range(r, size));
    } else {
        res.status = 200;
    }
    if (length == 0) {
        ::close(fd);
        res.set_content("", mime);
        return;
    }
    auto fdp = std::make_shared<int>(fd);
    res.set_content_provider(
        static_cast<std::size_t>(length), mime,
        [fdp, first](std::size_t offset, std::size_t want, httplib::DataSink &sink) {
            thread_local std::vector<char> buf(256 * 1024);
            const std::size_t n = std::min(want, buf.size());
            const ssize_t got = ::pread(*fdp, buf.data(), n, static_cast<off_t>(first + offset));
            if (got <= 0)
                return false; // the file shrank or failed: the connection is cut
            return sink.write(buf.data(), static_cast<std::size_t>(got));
        },
        [fdp](bool) { ::close(*fdp); });
}

bool serve(App &app, const std::function<void(const std::string &)> &on_bound) {
    app.prerender().start([&app](const std::string &id) { prerender_peaks(app, id); });
    HttpServer svr; // cpp-httplib's server over a leaner connection loop (connection.hpp)
    svr.set_max_threads(app.cfg().threads);
    // Bodies are bounded per route (read_body, the upload's own cap); this is the ceiling.
    svr.set_payload_max_length(static_cast<std::size_t>(app.cfg().max_upload));
    svr.set_read_timeout(30, 0);
    svr.set_write_timeout(30, 0);
    // Then the connection closes, so that threads are shared fairly; nginx's default. Each
    // new connection costs an accept, a hand-over to the pool and a 64 kB read buffer.
    svr.set_keep_alive_max_count(1000);
    // Headers and a small body go out in separate writes: without TCP_NODELAY, Nagle's
    // algorithm holds the second for the client's delayed ACK, 40 ms per small response.
    svr.set_tcp_nodelay(true);
    // SO_REUSEADDR only: cpp-httplib's default adds SO_REUSEPORT, with which a second server
    // binds the same port and silently takes half of the first one's connections.
    // The listening socket is kept to raise its backlog once bound (below).
    socket_t listener = INVALID_SOCKET;
    svr.set_socket_options([&listener](socket_t sock) {
        int yes = 1;
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        listener = sock;
    });

    auto plain = [&app](const httplib::Request &rq, Response &rs) { dispatch(app, rq, rs, nullptr); };
    auto with_reader = [&app](const httplib::Request &rq, Response &rs,
                              const httplib::ContentReader &rd) { dispatch(app, rq, rs, &rd); };
    svr.Get(".*", plain);
    svr.Post(".*", with_reader);
    svr.Post(".*", plain);
    svr.Put(".*", with_reader);
    svr.Put(".*", plain);
    svr.Patch(".*", with_reader);
    svr.Patch(".*", plain);
    svr.Delete(".*", with_reader);
    svr.Delete(".*", plain);
    svr.Options(".*", plain);

    // Errors cpp-httplib answers by itself (a request it cannot parse, an unknown method, a
    // body over the ceiling) get a problem body too. It answers 416 to a Range header its
    // parser refuses, before any route runs: RFC 9110 lets a server ignore such a header, so
    // the request is served as if it had none.
    svr.set_error_handler(httplib::Server::HandlerWithResponse([&app](const httplib::Request &rq, Response &rs) {
        if (rs.has_header("X-Request-Id"))
            return httplib::Server::HandlerResponse::Unhandled; // answered by dispatch
        if (rs.status == 416 && (rq.method == "GET" || rq.method == "HEAD") && !rq.path.empty()) {
            rs.status = -1;
            dispatch(app, rq, rs, nullptr);
            return httplib::Server::HandlerResponse::Handled;
        }
        const std::string id = new_request_id();
        rs.set_header("X-Request-Id", id);
        std::string detail = rs.status == 413 ? "the body is too large"
                             : rs.status == 404 ? "no such route"
                                                : "the request could not be read";
        set_problem(rs, rs.status, detail, rq.path, id);
        return httplib::Server::HandlerResponse::Handled;
    }));
    // Without this, cpp-httplib puts an exception's text in a response header.
    svr.set_exception_handler([](const httplib::Request &rq, Response &rs, std::exception_ptr ep) {
        const std::string id = new_request_id();
        std::string what = "unknown exception";
        try {
            std::rethrow_exception(ep);
        } catch (const std::exception &e) {
            what = e.what();
        } catch (...) {
        }
        log::error("request " + id + ": " + rq.method + " " + rq.path + ": " + what);
        rs.set_header("X-Request-Id", id);
        set_problem(rs, 500, "internal error; the server's log names request " + id, rq.path, id);
    });
    if (!app.cfg().quiet)
        svr.set_logger([](const httplib::Request &rq, const Response &rs) {
            // No query string, no headers: tokens never reach the log.
            log::info(rq.remote_addr + " " + rq.method + " " + rq.path + " " +
                      std::to_string(rs.status) + " " + rs.get_header_value("X-Request-Id"));
        });

    int port = app.cfg().port;
    if (port == 0)
        port = svr.bind_to_any_port(app.cfg().host.c_str());
    else if (!svr.bind_to_port(app.cfg().host.c_str(), port))
        port = -1;
    if (port < 0)
        return false;
    // cpp-httplib listens with a backlog of 5: when more clients connect at once than that,
    // the kernel drops their SYNs and they retry a second later (a p99 of 1 s at 64
    // connections). listen() again on the bound socket sets the system's maximum instead.
    if (listener != INVALID_SOCKET)
        ::listen(listener, SOMAXCONN);
    const bool v6 = app.cfg().host.find(':') != std::string::npos;
    on_bound("http://" + (v6 ? "[" + app.cfg().host + "]" : app.cfg().host) + ":" +
             std::to_string(port));

    // SIGINT/SIGTERM set a flag (core/signals); a watcher stops the server, which finishes
    // the requests in flight.
    std::atomic<bool> done{false};
    std::thread watcher([&] {
        while (!done.load() && signals::received() == 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        svr.stop();
    });
    svr.listen_after_bind();
    done = true;
    watcher.join();
    return true;
}

} // namespace ts::serve
