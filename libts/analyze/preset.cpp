// Preset files: "analyzers:" a list of -a values, "params:" a map of NAME.KEY to values.
#include "analyze/preset.hpp"

#include "core/error.hpp"
#include "ts_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace ts::analyze {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> search_path() {
    std::vector<fs::path> dirs;
    if (const char *env = std::getenv("TS_PRESET_PATH")) {
        std::istringstream in(env);
        std::string d;
        while (std::getline(in, d, ':'))
            if (!d.empty())
                dirs.emplace_back(d);
    }
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        dirs.push_back(exe.parent_path().parent_path() / "presets");                 // build tree
        dirs.push_back(exe.parent_path().parent_path() / "share/timeside/presets");  // prefix
    }
    dirs.emplace_back(TS_PRESET_DIR);
    return dirs;
}

} // namespace

std::vector<std::string> preset_names() {
    std::vector<std::string> names;
    for (const auto &dir : search_path()) {
        std::error_code ec;
        for (const auto &e : fs::directory_iterator(dir, ec))
            if (e.path().extension() == ".yaml") {
                std::string n = e.path().stem().string();
                if (std::find(names.begin(), names.end(), n) == names.end())
                    names.push_back(n);
            }
    }
    std::sort(names.begin(), names.end());
    return names;
}

Preset load_preset(const std::string &name) {
    fs::path file;
    if (name.find('/') != std::string::npos || name.ends_with(".yaml")) {
        file = name;
    } else {
        for (const auto &dir : search_path())
            if (fs::exists(dir / (name + ".yaml"))) {
                file = dir / (name + ".yaml");
                break;
            }
        if (file.empty()) {
            std::string known;
            for (const auto &n : preset_names())
                known += (known.empty() ? "" : ", ") + n;
            throw UsageError("unknown preset '" + name + "'" +
                             (known.empty() ? "" : "; presets: " + known));
        }
    }
    if (fs::is_directory(file))
        throw Error(file.string() + ": is a folder, not a preset file");
    Preset p;
    // Every mistake names the file and line: a misspelt or repeated key is not ignored.
    const auto at = [&](const YAML::Node &n) {
        return file.string() + ":" + std::to_string(n.Mark().line + 1) + ": ";
    };
    // The keys of a map, each once.
    const auto keys = [&](const YAML::Node &map, const char *what) {
        std::vector<std::string> seen;
        for (const auto &kv : map) {
            const auto k = kv.first.as<std::string>();
            if (std::find(seen.begin(), seen.end(), k) != seen.end())
                throw Error(at(kv.first) + what + " '" + k + "' is given twice");
            seen.push_back(k);
        }
    };
    try {
        YAML::Node root = YAML::LoadFile(file.string());
        if (!root.IsMap())
            throw Error(file.string() + ": a preset is a map with 'analyzers' and 'params'");
        keys(root, "the key");
        for (const auto &kv : root) {
            const auto k = kv.first.as<std::string>();
            if (k != "analyzers" && k != "params")
                throw Error(at(kv.first) + "unknown key '" + k +
                            "' (a preset has 'analyzers' and 'params')");
        }
        const YAML::Node list = root["analyzers"];
        if (list && !list.IsSequence())
            throw Error(at(list) + "'analyzers' is not a list");
        for (const auto &a : list) {
            if (!a.IsScalar() || a.as<std::string>().find_first_not_of(" \t,") == std::string::npos)
                throw Error(at(a) + "an empty analyzer name in 'analyzers'");
            p.analyzers.push_back(a.as<std::string>());
        }
        if (p.analyzers.empty())
            throw Error(file.string() + ": the preset lists no analyzers");
        if (const YAML::Node params = root["params"]) {
            if (!params.IsMap())
                throw Error(at(params) + "'params' is not a map of NAME.KEY: VALUE");
            keys(params, "the parameter");
            for (const auto &kv : params)
                p.params.push_back(kv.first.as<std::string>() + "=" + kv.second.as<std::string>());
        }
    } catch (const YAML::BadFile &) {
        throw Error(file.string() + ": cannot read the preset");
    } catch (const YAML::Exception &e) {
        throw Error(file.string() + ": bad preset: " + e.what());
    }
    return p;
}

} // namespace ts::analyze
