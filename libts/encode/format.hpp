// The output formats ts-transcode writes: container, codec, defaults and what each allows.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ts::encode {

// The --bitrate a codec takes, in bits/s for the whole stream: from low * min(channels,
// low_channels) to high * max(1, channels / high_channels), or high alone when high_channels
// is 0.
struct BitrateRange {
    int low = 8000, low_channels = 1;
    int high = 512000, high_channels = 2;
};

// How a codec is told the bit rate is constant: av_opt_set(option, given) when --bitrate is
// given, (option, by_default) at the default bit rate; no option: nothing to say.
struct RateControl {
    const char *option = nullptr;
    const char *given = nullptr;
    const char *by_default = nullptr;
    bool says_cbr = false; // --verbose's description adds " CBR" when --bitrate is given
};

struct Format {
    const char *name = "";                // "mp3": what -f takes
    const char *muxer = "";               // libavformat's short name
    const char *codec = "";               // libavcodec encoder ("" for PCM: chosen by bit depth)
    std::vector<const char *> extensions; // lower case, without the dot
    bool streamable = true;               // can be written to a pipe
    bool lossless = false;
    int default_bitrate = 0;    // bits/s when neither --bitrate nor --quality is given (0: none)
    bool has_quality = false;   // --quality (VBR) is accepted
    double default_quality = 0; // used when has_quality and no --bitrate (see uses_vbr)
    bool uses_vbr = false;      // the default is VBR at default_quality, not default_bitrate
    double quality_min = 0, quality_max = 0;
    std::vector<int> bits;   // accepted --bits values; first is the default (empty: lossy)
    BitrateRange bitrate_range;
    RateControl rate_control;

    // The quirks of containers and muxers:
    bool big_endian_pcm = false;      // PCM samples big-endian (aiff)
    bool tags_per_stream = false;     // comments kept per stream (Ogg, Matroska), not per file
    bool lame_header_on_pipe = false; // FFmpeg's muxer writes the Xing/LAME frame only when
                                      // it can seek back: told a pipe can, then patched
    bool fragment_on_pipe = false;    // MP4: fragmented on a pipe, its moov being written last
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
