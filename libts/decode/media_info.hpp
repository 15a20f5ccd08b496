// What ts-info reports about one input, gathered from headers and the container alone.
#pragma once

#include "pcm/raw.hpp"
#include "io/input.hpp"
#include "pcm/header.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ts::decode {

struct InfoOptions {
    pcm::RawInput raw; // headerless input
    int stream = -1;   // the Nth audio stream of a media file (-1: FFmpeg's best one)
    bool sha1 = true;  // hash a regular file's bytes
};

// The facts of one input. Empty optionals are unknown (null in JSON).
struct MediaInfo {
    std::string source;    // the argument, "-" for stdin
    std::string container; // FFmpeg's demuxer name, "tspcm", or "f32le"/"s16le" for raw
    std::string codec, codec_long;
    std::optional<std::string> sample_format; // FFmpeg's name: "s16", "fltp"
    std::optional<int> bits_per_sample;
    int rate = 0;
    int channels = 0;
    std::optional<std::string> channel_layout;
    std::optional<double> duration; // seconds
    bool duration_exact = false;
    std::optional<std::int64_t> frames; // only when exact
    std::optional<std::int64_t> bit_rate;
    std::optional<std::int64_t> size;
    pcm::KeyValues tags;
    std::optional<std::string> sha1;
    int streams = 0;    // audio streams in the input
    bool video = false; // a video stream, cover pictures aside
    int stream = 0;     // which audio stream is described, counted like --stream

    // TSPCM input only: the header's source, sha1, start and history keys.
    bool tspcm = false;
    std::optional<std::string> origin, source_sha1;
    std::optional<double> start;
    std::vector<std::string> history;
};

// Opens "-", a path or a URL and reads what it is without decoding its samples: a TSPCM
// header (recognised by its magic), headerless PCM described by options.raw, or anything
// libavformat can demux. Errors throw ts::Error naming the input; asking for a stream the
// input does not have is a UsageError, as in ts-decode.
MediaInfo media_info(const std::string &input, const InfoOptions &options);

// The facts as one JSON object with a stable key order (ts-info(1) defines each key).
nlohmann::ordered_json to_json(const MediaInfo &info);

// Shared by the readers of facts (media_info.cpp, media_facts.cpp, wav_source.cpp):
// libavformat's facts of a media file (through the media module: media_module().media_facts).
void media_facts(const std::string &arg, io::Reader *reader, const InfoOptions &options,
                 MediaInfo &info);
// frames and the exact duration they give.
void set_frames(MediaInfo &info, std::int64_t frames);
[[noreturn]] void no_such_stream(const std::string &name, int wanted, int audio_streams);
// FFmpeg's long name of a PCM codec ("pcm_s16le": "PCM signed 16-bit little-endian").
std::string pcm_codec_long(const std::string &codec);

} // namespace ts::decode
