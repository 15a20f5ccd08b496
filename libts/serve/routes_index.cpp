// The index page at /: the catalog's items and collections with search, and the job queue
// with live state. Plain HTML, CSS and ES modules from web/index/, compiled in (the server
// needs no other file), each served with a strict Content-Security-Policy: the page loads
// nothing but its own files and talks to this server only.
#include "serve/app.hpp"
#include "serve/problem.hpp"
#include "serve/routes.hpp"

#include <map>
#include <string>

namespace ts::serve {

// Generated from web/index/ at build time (embed.py).
extern const char index_html[], index_css[], index_main_js[], index_api_js[];

namespace {

const char *const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                        "connect-src 'self'; base-uri 'none'; form-action 'self'; "
                        "frame-ancestors 'none'";

void send_asset(Response &res, const char *body, const char *mime) {
    res.status = 200;
    res.set_header("Content-Security-Policy", csp);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("Cache-Control", "no-cache");
    res.set_content(body, mime);
}

} // namespace

void add_index_routes(std::vector<Route> &r) {
    r.push_back({"GET", "/", 0, false, [](App &, Request &, Response &res) {
                     send_asset(res, index_html, "text/html; charset=utf-8");
                 }});
    r.push_back({"GET", "/index/{file}", 0, false, [](App &, Request &req, Response &res) {
                     static const std::map<std::string, std::pair<const char *, const char *>> files = {
                         {"index.css", {index_css, "text/css; charset=utf-8"}},
                         {"main.js", {index_main_js, "text/javascript; charset=utf-8"}},
                         {"api.js", {index_api_js, "text/javascript; charset=utf-8"}},
                     };
                     const auto f = files.find(req.param("file"));
                     if (f == files.end())
                         throw HttpError(404, "no such file of the index page");
                     send_asset(res, f->second.first, f->second.second);
                 }});
}

} // namespace ts::serve
