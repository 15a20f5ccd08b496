// Browser sessions: sign in with a token (POST), who am I (GET), sign out (DELETE); and the
// cookie's check for every other route (authenticate_session, called by the HTTP layer).
#include "serve/app.hpp"
#include "serve/problem.hpp"
#include "serve/routes.hpp"
#include "serve/session.hpp"

namespace ts::serve {
namespace {

const std::pair<std::string, std::string> www_auth{"WWW-Authenticate", "Bearer realm=\"timeside\""};

const char *why(TokenCheck c, bool session) {
    switch (c) {
    case TokenCheck::expired:
        return session ? "the session has expired: sign in again" : "the token has expired";
    case TokenCheck::revoked:
        return session ? "the session's token was revoked" : "the token was revoked";
    default:
        return session ? "the session is not known: sign in again" : "the token is not known";
    }
}

Json scopes_json(const Principal &p) {
    Json out = Json::array();
    for (const char *s : {"read", "annotate", "process", "admin"})
        if (p.has(*parse_scopes(s)))
            out.push_back(s);
    return out;
}

std::optional<std::string> cookie_of(const Request &req) {
    if (!req.raw.has_header("Cookie"))
        return std::nullopt;
    auto c = session_cookie(req.raw.get_header_value("Cookie"));
    if (c && c->empty())
        return std::nullopt; // "ts_session=": a cleared cookie is no cookie
    return c;
}

void require_csrf_header(const Request &req) {
    if (req.raw.method == "GET" || req.raw.method == "HEAD")
        return;
    if (req.raw.get_header_value(csrf_header) != "1")
        throw HttpError(403, std::string("a request signed in by the session cookie must carry the "
                                         "header ") + csrf_header + ": 1 unless it is a GET or HEAD");
}

void sign_in(App &app, Request &req, Response &res) {
    const std::string key = req.raw.remote_addr;
    if (const int wait = app.sign_ins().blocked(key))
        throw HttpError(429, "too many failed sign-ins from this address: retry in " +
                                 std::to_string(wait) + " s",
                        {{"Retry-After", std::to_string(wait)}});
    // A cross-site form cannot send application/json without a CORS preflight: no sign-in
    // forged by another site.
    std::string ctype = req.raw.get_header_value("Content-Type");
    ctype = ctype.substr(0, ctype.find(';'));
    while (!ctype.empty() && ctype.back() == ' ')
        ctype.pop_back();
    if (ctype != "application/json")
        throw HttpError(415, "the body must be application/json: {\"token\": \"...\"}");
    const Json body = req.json();
    if (!body.contains("token") || !body["token"].is_string() || body.size() != 1)
        throw HttpError(400, "the body must be {\"token\": \"...\"} and nothing else");
    Principal p;
    TokenCheck check = TokenCheck::unknown;
    const auto s = create_session(app.db(), body["token"].get<std::string>(),
                                  app.cfg().session_ttl, p, check);
    if (!s) {
        app.sign_ins().failed(key);
        throw HttpError(401, why(check, false), {www_auth});
    }
    res.status = 204;
    res.set_header("Set-Cookie", session_set_cookie(s->secret, s->max_age, app.cfg().secure_cookies));
    res.set_header("Cache-Control", "no-store");
}

void who(App &app, Request &req, Response &res) {
    const auto cookie = cookie_of(req);
    if (!cookie)
        throw HttpError(401, "no session: sign in with POST /api/v1/session", {www_auth});
    Principal p;
    std::string expires;
    const TokenCheck c = check_session(app.db(), *cookie, p, &expires);
    if (c != TokenCheck::ok) {
        throw HttpError(401, why(c, true),
                        {www_auth, {"Set-Cookie", session_clear_cookie(app.cfg().secure_cookies)}});
    }
    Json j;
    j["user"] = p.user_name;
    j["scopes"] = scopes_json(p);
    j["expires"] = expires;
    send_json(req, res, j);
    res.set_header("Cache-Control", "no-store");
}

void sign_out(App &app, Request &req, Response &res) {
    if (const auto cookie = cookie_of(req)) {
        Principal p;
        if (check_session(app.db(), *cookie, p) == TokenCheck::ok)
            require_csrf_header(req);
        end_session(app.db(), *cookie);
    }
    res.status = 204;
    res.set_header("Set-Cookie", session_clear_cookie(app.cfg().secure_cookies));
}

} // namespace

bool authenticate_session(App &app, const Route &route, Request &req) {
    const auto cookie = cookie_of(req);
    if (!cookie)
        return false;
    const TokenCheck c = check_session(app.db(), *cookie, req.principal);
    if (c != TokenCheck::ok)
        throw HttpError(401, why(c, true), {www_auth});
    require_csrf_header(req);
    if (!req.principal.has(route.scope))
        throw HttpError(403, "the session lacks the scope " + format_scopes(route.scope));
    return true;
}

void add_session_routes(std::vector<Route> &r) {
    r.push_back({"POST", "/api/v1/session", 0, false, sign_in});
    r.push_back({"GET", "/api/v1/session", 0, false, who});
    r.push_back({"DELETE", "/api/v1/session", 0, false, sign_out});
}

} // namespace ts::serve
