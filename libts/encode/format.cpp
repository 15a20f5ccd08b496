// The table of output formats: one row per -f name, the only place a format is described.
#include "encode/format.hpp"

#include <algorithm>
#include <cctype>

namespace ts::encode {

namespace {

std::string lower(std::string_view s) {
    std::string r(s);
    for (auto &c : r)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return r;
}

} // namespace

const std::vector<Format> &formats() {
    // Defaults: mp3 VBR V2 (about 190 kb/s), vorbis q6 (about 192 kb/s), opus 128 kb/s,
    // aac 192 kb/s; the lossless formats 16-bit unless --bits says otherwise.
    static const std::vector<Format> table = {
        {"wav", "wav", "", {"wav"}, false, true, 0, false, 0, false, 0, 0, {16, 24, 32}},
        {"aiff", "aiff", "", {"aiff", "aif"}, false, true, 0, false, 0, false, 0, 0, {16, 24}},
        {"flac", "flac", "flac", {"flac"}, true, true, 0, false, 0, false, 0, 0, {16, 24}},
        {"mp3", "mp3", "libmp3lame", {"mp3"}, true, false, 0, true, 2, true, 0, 9, {}},
        {"ogg", "ogg", "libvorbis", {"ogg", "oga"}, true, false, 0, true, 6, true, -1, 10, {}},
        {"opus", "ogg", "libopus", {"opus"}, true, false, 128000, false, 0, false, 0, 0, {}},
        {"m4a", "ipod", "aac", {"m4a", "mp4"}, true, false, 192000, false, 0, false, 0, 0, {}},
        {"aac", "adts", "aac", {"aac"}, true, false, 192000, false, 0, false, 0, 0, {}},
        {"webm", "webm", "libopus", {"webm"}, true, false, 128000, false, 0, false, 0, 0, {}},
    };
    return table;
}

const Format *find_format(std::string_view name) {
    std::string n = lower(name);
    for (const auto &f : formats())
        if (n == f.name)
            return &f;
    return nullptr;
}

const Format *format_for_path(const std::string &path) {
    auto slash = path.rfind('/');
    auto dot = path.rfind('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
        return nullptr;
    std::string ext = lower(path.substr(dot + 1));
    for (const auto &f : formats())
        if (std::find(f.extensions.begin(), f.extensions.end(), ext) != f.extensions.end())
            return &f;
    return nullptr;
}

std::string format_names() {
    std::string s;
    for (const auto &f : formats())
        s += (s.empty() ? "" : ", ") + std::string(f.name);
    return s;
}

} // namespace ts::encode
