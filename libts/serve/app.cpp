// The data folder and what App holds.
#include "serve/app.hpp"

#include "core/error.hpp"

#include <system_error>

namespace fs = std::filesystem;

namespace ts::serve {

void prepare_data(const fs::path &data, bool clean_tmp) {
    std::error_code ec;
    for (const char *sub : {"", "media", "derived", "tmp"}) {
        fs::create_directories(data / sub, ec);
        if (ec)
            throw Error(data.string() + ": cannot make the data folder: " + ec.message());
    }
    if (!clean_tmp)
        return;
    // Uploads and renders interrupted by a crash: never referenced by the catalog.
    for (const auto &e : fs::directory_iterator(data / "tmp", ec))
        fs::remove_all(e.path(), ec);
}

App::App(Config cfg)
    : cfg_((prepare_data(cfg.data, true), std::move(cfg))), db_(cfg_.data / "catalog.sqlite"),
      renders_(cfg_.renders_per_minute, cfg_.render_burst),
      uploads_(cfg_.uploads_per_minute, cfg_.upload_burst),
      sign_ins_(cfg_.sign_in_failures_per_minute, cfg_.sign_in_burst) {}

std::string App::tool(const std::string &name) const { return (cfg_.tools / name).string(); }

fs::path exe_dir() {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec)
        return fs::current_path();
    return exe.parent_path();
}

} // namespace ts::serve
