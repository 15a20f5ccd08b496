// The server's state shared by every request: its settings, the catalog, the limiters.
#pragma once

#include "serve/db.hpp"
#include "serve/prerender.hpp"
#include "serve/ratelimit.hpp"
#include "serve/session.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ts::serve {

struct Config {
    std::filesystem::path data;          // the data folder: catalog, media, derived, tmp
    std::string host = "127.0.0.1";
    int port = 8080;                     // 0: any free port
    int threads = 64;
    std::uint64_t max_upload = 2ull << 30;   // bytes of one upload
    std::uint64_t max_json = 1u << 20;       // bytes of a JSON request body
    std::uint64_t free_floor = 256ull << 20; // uploads refused (507) below this much free space
    bool anonymous_reads = false;        // public objects readable without a token
    // Browser sessions (POST /api/v1/session): lifetime, the cookie's Secure attribute (the
    // server is reached through HTTPS), failed sign-ins per client address and minute.
    long session_ttl = 12 * 3600;
    bool secure_cookies = false;
    // The built web player (index.html, player.css, dist/, vendor/) served at /player/;
    // empty: not found (its routes answer 503).
    std::filesystem::path player_dir;
    double sign_in_failures_per_minute = 10, sign_in_burst = 10;
    double renders_per_minute = 120, render_burst = 30;
    double uploads_per_minute = 30, upload_burst = 10;
    int tool_timeout = 600;              // seconds a child tool may run
    std::filesystem::path tools;         // where ts-info and the others are
    bool quiet = false;
    // Imports (POST /api/v1/items/import): off unless import_urls or a provider is set.
    bool import_urls = false;
    bool import_allow_http = false;    // plain http too (https only otherwise)
    bool import_allow_private = false; // loopback and private addresses (tests)
    std::map<std::string, std::vector<std::string>> providers; // name -> argv (URL appended after --)
};

class App {
  public:
    explicit App(Config cfg);
    const Config &cfg() const { return cfg_; }
    Db &db() { return db_; }
    RateLimiter &renders() { return renders_; }
    RateLimiter &uploads() { return uploads_; }
    SignInLimiter &sign_ins() { return sign_ins_; }
    Prerenderer &prerender() { return prerender_; }

    // A tool beside ts-serve: tool("ts-info").
    std::string tool(const std::string &name) const;
    // Folders under the data folder.
    std::filesystem::path media_dir() const { return cfg_.data / "media"; }
    std::filesystem::path derived_dir() const { return cfg_.data / "derived"; }
    std::filesystem::path tmp_dir() const { return cfg_.data / "tmp"; }

  private:
    Config cfg_;
    Db db_;
    RateLimiter renders_, uploads_;
    SignInLimiter sign_ins_;
    Prerenderer prerender_; // last: stopped first, while the catalog is still there
};

// Makes the data folder's layout if missing; with clean_tmp (the server's start), removes the
// temporary files a crash left.
void prepare_data(const std::filesystem::path &data, bool clean_tmp);

// The built web player's folder: DIR/share/timeside/player for a ts-serve installed in DIR/bin,
// else the source tree's web/player when this ts-serve is the build tree's; empty when neither
// holds dist/player.js.
std::filesystem::path find_player_dir();

// The folder of the running executable (/proc/self/exe).
std::filesystem::path exe_dir();

} // namespace ts::serve
