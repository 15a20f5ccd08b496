// Routes about the service itself: health, the OpenAPI document, its reference page, whoami.
#include "core/version.hpp"
#include "serve/app.hpp"
#include "serve/db.hpp"
#include "serve/problem.hpp"
#include "serve/routes.hpp"

namespace ts::serve {

void add_meta_routes(std::vector<Route> &r) {
    r.push_back({"GET", "/healthz", 0, false, [](App &app, Request &req, Response &res) {
                     // This thread's read connection: no lock shared with the other requests.
                     Db &db = app.db().reader();
                     Stmt st(db, "PRAGMA user_version", Stmt::cached);
                     if (!st.step())
                         throw HttpError(503, "the catalog cannot be read");
                     send_json(req, res,
                               {{"status", "ok"},
                                {"version", ts::version()},
                                {"schema_version", st.integer(0)}});
                 }});
    r.push_back({"GET", "/api/v1/openapi.json", 0, false, [](App &, Request &, Response &res) {
                     res.status = 200;
                     res.set_content(openapi_json, "application/json");
                 }});
    // The reference page: plain HTML and a script reading openapi.json, no CDN.
    r.push_back({"GET", "/api/v1/docs", 0, false, [](App &, Request &, Response &res) {
                     res.status = 200;
                     res.set_header("Content-Security-Policy",
                                    "default-src 'self'; script-src 'unsafe-inline'; "
                                    "style-src 'unsafe-inline'");
                     res.set_content(reference_html, "text/html; charset=utf-8");
                 }});
    r.push_back({"GET", "/api/v1/me", scope_read, false, [](App &, Request &req, Response &res) {
                     const Principal &p = req.principal;
                     Json j;
                     j["user"] = p.anonymous() ? Json(nullptr) : Json(p.user_name);
                     j["scopes"] = Json::array();
                     for (const char *s : {"read", "annotate", "process", "admin"})
                         if (p.has(*parse_scopes(s)))
                             j["scopes"].push_back(s);
                     j["token"] = p.anonymous() ? Json(nullptr) : Json(p.token_id);
                     send_json(req, res, j);
                 }});
}

} // namespace ts::serve
