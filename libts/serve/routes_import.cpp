// Imports: an item made from an http(s) URL or a provider command's output (both off by
// default), accepted like an upload.
#include "serve/app.hpp"
#include "serve/fetch.hpp"
#include "serve/items.hpp"
#include "serve/paths.hpp"
#include "serve/problem.hpp"
#include "serve/routes.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ts::serve {
namespace {

void import(App &app, Request &req, Response &res) {
    const Config &c = app.cfg();
    const Json j = req.json();
    for (const auto &[k, v] : j.items())
        if (k != "url" && k != "provider" && k != "title" && k != "public")
            throw HttpError(400, "fields: url, provider, title, public; not " + k);
    if (!j.contains("url") || !j["url"].is_string())
        throw HttpError(400, "url is required (a string)");
    const std::string url = j["url"];
    std::string provider;
    if (j.contains("provider")) {
        if (!j["provider"].is_string())
            throw HttpError(400, "provider must be a string");
        provider = j["provider"];
        if (!c.providers.count(provider))
            throw HttpError(400, "no provider named '" + provider + "' is configured");
        if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0)
            throw HttpError(400, "a provider takes an http(s) URL");
    } else if (!c.import_urls) {
        throw HttpError(403, "URL import is off on this server (ts-serve --import-urls)");
    }
    if (j.contains("title") && (!j["title"].is_string() || j["title"].get<std::string>().size() > 1000))
        throw HttpError(400, "title must be a string of at most 1000 bytes");
    if (j.contains("public") && !j["public"].is_boolean())
        throw HttpError(400, "public must be true or false");
    // An import costs what an upload does.
    if (const int wait = app.uploads().take(req.principal.user_id); wait > 0)
        throw HttpError(429, "too many uploads; try again later", {{"Retry-After", std::to_string(wait)}});

    const std::string id = random_uuid();
    TmpFile tmp;
    tmp.path = app.tmp_dir() / ("import-" + id);
    tmp.fd = ::open(tmp.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (tmp.fd < 0)
        throw std::runtime_error(tmp.path.string() + ": " + std::strerror(errno));
    FetchPolicy policy{c.import_allow_http, c.import_allow_private, c.max_upload, c.tool_timeout};
    if (provider.empty())
        fetch_url(url, tmp.fd, policy);
    else
        fetch_provider(c.providers.at(provider), url, tmp.fd, policy);
    struct stat st {};
    ::fstat(tmp.fd, &st);
    if (st.st_size == 0)
        throw HttpError(502, "the import is empty");
    std::string name = url.substr(url.find_last_of('/') + 1);
    name = name.substr(0, name.find('?'));
    if (name.empty() || name.size() > 255)
        name = "import";
    const std::string title = j.value("title", name);
    res.set_header("Location", "/api/v1/items/" + id);
    send_json(req, res,
              accept_file(app, req.principal, tmp, id, static_cast<std::uint64_t>(st.st_size),
                          title, name, j.value("public", false), provider.empty() ? "url" : "provider"),
              201);
}

} // namespace

void add_import_routes(std::vector<Route> &r) {
    r.push_back({"POST", "/api/v1/items/import", scope_process, false, import});
}

} // namespace ts::serve
