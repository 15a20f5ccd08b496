// The web player served by ts-serve: GET /player/{item} is the page (web/player/index.html,
// told to read the API at /api/v1/), its assets are the built files of the player folder
// (Config::player_dir: index.html, player.css, dist/player.js, vendor/peaks.js). The page is the
// same for every item and every visitor: it reads the item through the API, with the browser's
// session cookie, and offers a sign-in form when the API answers 401.
#include "serve/app.hpp"
#include "serve/paths.hpp"
#include "serve/problem.hpp"
#include "serve/routes.hpp"

#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace fs = std::filesystem;

namespace ts::serve {
namespace {

// Scripts, styles, images, media and API calls from this origin only; no inline script or
// style, no plugin, no framing, no <base>.
const char *const page_csp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

const fs::path &player_dir(App &app) {
    const fs::path &d = app.cfg().player_dir;
    if (d.empty() || !fs::is_regular_file(d / "dist" / "player.js"))
        throw HttpError(503, "the web player is not built or not installed: run scripts/setup (npm "
                             "ci and npm run build in web/), or give --player-dir");
    return d;
}

void asset(App &app, Request &req, Response &res, const std::string &rel, const std::string &mime) {
    const fs::path file = player_dir(app) / rel;
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        throw HttpError(404, "no such file of the player");
    const std::string etag = "\"player-" + std::to_string(st.st_size) + "-" +
                             std::to_string(st.st_mtim.tv_sec) + "." +
                             std::to_string(st.st_mtim.tv_nsec) + "\"";
    send_file(req, res, file, mime, etag);
}

// The files of dist/ and vendor/ the page loads; anything else is 404.
const char *mime_of(const std::string &folder, const std::string &name) {
    if (folder == "dist") {
        if (name == "player.js")
            return "text/javascript; charset=utf-8";
        if (name == "player.js.map")
            return "application/json";
    } else if (folder == "vendor") {
        if (name == "peaks.js")
            return "text/javascript; charset=utf-8";
        if (name == "peaks.js.COPYING")
            return "text/plain; charset=utf-8";
    }
    return nullptr;
}

void page(App &app, Request &req, Response &res) {
    const std::string &item = req.param("item");
    if (!is_uuid(item))
        throw HttpError(404, "an item's id is a UUID");
    std::ifstream in(player_dir(app) / "index.html", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string html = ss.str();
    if (!in || html.empty())
        throw HttpError(503, "the web player's index.html cannot be read");
    // Tells the page where the API is: a <meta>, not an inline script, under the CSP.
    const std::string head = "<head>";
    const auto at = html.find(head);
    if (at == std::string::npos)
        throw HttpError(503, "the web player's index.html has no <head>");
    html.insert(at + head.size(), "\n<meta name=\"timeside-api\" content=\"/api/v1/\" data-item=\"" +
                                      item + "\">");
    res.status = 200;
    res.set_header("Content-Security-Policy", page_csp);
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("X-Frame-Options", "DENY");
    res.set_content(html, "text/html; charset=utf-8");
}

} // namespace

void add_player_routes(std::vector<Route> &r) {
    // Before /player/{item}: literal paths first.
    r.push_back({"GET", "/player/player.css", 0, false, [](App &app, Request &req, Response &res) {
                     asset(app, req, res, "player.css", "text/css; charset=utf-8");
                 }});
    for (const char *folder : {"dist", "vendor"})
        r.push_back({"GET", std::string("/player/") + folder + "/{file}", 0, false,
                     [folder = std::string(folder)](App &app, Request &req, Response &res) {
                         const std::string &name = req.param("file");
                         const char *mime = mime_of(folder, name);
                         if (!mime)
                             throw HttpError(404, "no such file of the player");
                         asset(app, req, res, folder + "/" + name, mime);
                     }});
    r.push_back({"GET", "/player/{item}", 0, false, page});
}

} // namespace ts::serve
