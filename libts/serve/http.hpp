// The HTTP layer over cpp-httplib: one route table, auth, problem+json errors, file bodies.
#pragma once

#include "serve/auth.hpp"
#include "serve/range.hpp"

#include <httplib.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ts::serve {

class App;
using Json = nlohmann::ordered_json;

// One request as a handler sees it.
struct Request {
    explicit Request(const httplib::Request &r) : raw(r) {}
    const httplib::Request &raw;
    const httplib::ContentReader *reader = nullptr; // the body, unread (streaming routes)
    std::map<std::string, std::string> params;       // {name} parts of the path
    Principal principal;
    std::string id; // request id, echoed as X-Request-Id and in problem bodies
    std::string body; // read for routes that do not stream (at most max_json bytes)

    const std::string &param(const std::string &name) const { return params.at(name); }
    std::optional<std::string> query(const std::string &name) const;
    // The body as a JSON object (400 when it is not one).
    Json json() const;
};

using Response = httplib::Response;
using Handler = std::function<void(App &, Request &, Response &)>;

struct Route {
    std::string method;  // GET (HEAD is served by GET routes), POST, PUT, PATCH, DELETE
    std::string pattern; // /api/v1/items/{id}; a {name} part matches one path segment
    unsigned scope;      // scopes needed; 0: none (public route)
    bool stream_body;    // the handler reads the body itself through reader
    Handler handler;
};

// The route table, in matching order: every route of the API.
const std::vector<Route> &routes();

// Serves until stop() (SIGINT or SIGTERM): binds, calls on_bound with the URL, then blocks.
// Returns false when the address cannot be bound.
bool serve(App &app, const std::function<void(const std::string &url)> &on_bound);

// Answers with a JSON body (and an ETag; 304 when If-None-Match matches on GET).
void send_json(const Request &req, Response &res, const Json &body, int status = 200);

// Answers with a file's bytes, honouring Range (see range.hpp), If-None-Match and If-Range,
// read with pread a block at a time: never the whole file in memory.
void send_file(const Request &req, Response &res, const std::filesystem::path &file,
               const std::string &mime, const std::string &etag);
// The same for a file already open (fd is taken: closed when the response is done; 404 when
// it is not a regular file).
void send_fd(const Request &req, Response &res, int fd, const std::string &mime,
             const std::string &etag);

// Reads a query parameter as a number within [lo, hi]; 400 otherwise.
double query_number(const Request &req, const std::string &name, double fallback, double lo,
                    double hi);

} // namespace ts::serve
