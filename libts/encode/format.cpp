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
    // Opus: 6 kb/s to 256 per channel, told CBR at a given bit rate, VBR at its default.
    const BitrateRange opus_rates{.low = 6000, .high = 256000, .high_channels = 1};
    const RateControl opus_control{
        .option = "vbr", .given = "off", .by_default = "on", .says_cbr = true};
    static const std::vector<Format> table = {
        {.name = "wav",
         .muxer = "wav",
         .extensions = {"wav"},
         .streamable = false,
         .lossless = true,
         .bits = {16, 24, 32}},
        {.name = "aiff",
         .muxer = "aiff",
         .extensions = {"aiff", "aif"},
         .streamable = false,
         .lossless = true,
         .bits = {16, 24},
         .big_endian_pcm = true},
        {.name = "flac",
         .muxer = "flac",
         .codec = "flac",
         .extensions = {"flac"},
         .lossless = true,
         .bits = {16, 24}},
        {.name = "mp3",
         .muxer = "mp3",
         .codec = "libmp3lame",
         .extensions = {"mp3"},
         .has_quality = true,
         .default_quality = 2,
         .uses_vbr = true,
         .quality_max = 9,
         .bitrate_range = {.high = 320000, .high_channels = 0},
         .rate_control = {.option = "abr", .given = "0", .by_default = "0"},
         .lame_header_on_pipe = true},
        {.name = "ogg",
         .muxer = "ogg",
         .codec = "libvorbis",
         .extensions = {"ogg", "oga"},
         .has_quality = true,
         .default_quality = 6,
         .uses_vbr = true,
         .quality_min = -1,
         .quality_max = 10,
         .bitrate_range = {.low = 32000, .low_channels = 2, .high = 500000, .high_channels = 2},
         .tags_per_stream = true},
        {.name = "opus",
         .muxer = "ogg",
         .codec = "libopus",
         .extensions = {"opus"},
         .default_bitrate = 128000,
         .bitrate_range = opus_rates,
         .rate_control = opus_control,
         .tags_per_stream = true},
        {.name = "m4a",
         .muxer = "ipod",
         .codec = "aac",
         .extensions = {"m4a", "mp4"},
         .default_bitrate = 192000,
         .fragment_on_pipe = true},
        {.name = "aac",
         .muxer = "adts",
         .codec = "aac",
         .extensions = {"aac"},
         .default_bitrate = 192000},
        {.name = "webm",
         .muxer = "webm",
         .codec = "libopus",
         .extensions = {"webm"},
         .default_bitrate = 128000,
         .bitrate_range = opus_rates,
         .rate_control = opus_control,
         .tags_per_stream = true},
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
