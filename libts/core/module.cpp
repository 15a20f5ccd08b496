// Loading a module: dlopen of NAME.so beside the build or in the installed folder.
#include "core/module.hpp"

#include "core/error.hpp"
#include "ts_config.h"

#include <dlfcn.h>
#include <limits.h>
#include <unistd.h>

#include <map>
#include <mutex>

namespace ts::module {
namespace {

std::string self_dir() {
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        return {};
    std::string path(buf, static_cast<std::size_t>(n));
    return path.substr(0, path.rfind('/'));
}

bool inside(const std::string &dir, const std::string &root) {
    return dir.size() >= root.size() && dir.compare(0, root.size(), root) == 0 &&
           (dir.size() == root.size() || dir[root.size()] == '/');
}

} // namespace

std::string folder() {
    static const std::string dir = [] {
        const std::string self = self_dir();
        // A tool of the build tree (tools/, tests/) uses its own build's modules, never an
        // installed copy from another version.
        if (!self.empty() && inside(self, TS_BUILD_ROOT))
            return std::string(TS_MODULE_BUILD_DIR);
        // An installed tool: LIBDIR/timeside relative to BINDIR, so a moved prefix works.
        if (!self.empty()) {
            std::string rel = self + "/" TS_BINDIR_TO_MODULES;
            if (access(rel.c_str(), R_OK | X_OK) == 0)
                return rel;
        }
        return std::string(TS_MODULE_INSTALL_DIR);
    }();
    return dir;
}

const void *load(const std::string &name, int abi, const std::string &part) {
    static std::mutex mutex;
    static std::map<std::string, const void *> loaded; // by entry
    std::lock_guard lock(mutex);
    const std::string entry = "ts_" + name + (part.empty() ? "" : "_" + part) + "_module";
    if (auto it = loaded.find(entry); it != loaded.end())
        return it->second;
    const std::string path = folder() + "/" + name + ".so";
    void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL); // once: the loader counts
    if (!handle) {
        const char *why = dlerror();
        // The loader's message names the file.
        throw Error("cannot load the " + name + " module: " + (why ? why : path) +
                    " (is TimeSide fully installed?)");
    }
    using Entry = const void *(*)();
    auto fn = reinterpret_cast<Entry>(dlsym(handle, entry.c_str()));
    if (!fn)
        throw Error(path + ": not a TimeSide module (no " + entry + ")");
    const void *table = fn();
    if (!table || *static_cast<const int *>(table) != abi)
        throw Error(path + ": built from another version of TimeSide than this tool");
    loaded[entry] = table;
    return table; // never unloaded: its code may run until exit
}

} // namespace ts::module
