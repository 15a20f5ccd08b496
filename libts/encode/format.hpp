// The output formats ts-transcode writes: container, codec, defaults and what each allows.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ts::encode {

struct Format {
    const char *name;        // "mp3": what -f takes
    const char *muxer;       // libavformat's short name
    const char *codec;       // libavcodec encoder ("" for PCM: chosen by bit depth)
    std::vector<const char *> extensions; // lower case, without the dot
    bool streamable;         // can be written to a pipe
    bool lossless;
    int default_bitrate;     // bits/s when neither --bitrate nor --quality is given (0: none)
    bool has_quality;        // --quality (VBR) is accepted
    double default_quality;  // used when has_quality and no --bitrate (NaN-free: see uses_vbr)
    bool uses_vbr;           // the default is VBR at default_quality, not default_bitrate
    double quality_min, quality_max;
    std::vector<int> bits;   // accepted --bits values; first is the default (empty: lossy)
};

// Every format, in the order the man page lists them.
const std::vector<Format> &formats();
// By -f name (case-insensitive); null when unknown.
const Format *find_format(std::string_view name);
// By the extension of PATH; null when it has none or an unknown one.
const Format *format_for_path(const std::string &path);
// "wav, flac, mp3, ..." for messages.
std::string format_names();

} // namespace ts::encode
