// Media facts for ts-info: TSPCM, raw and plain WAV headers read directly, other media probed
// with libavformat (media_facts.cpp, in the media module).
#include "decode/media_info.hpp"

#include "core/error.hpp"
#include "decode/media_module.hpp"
#include "decode/flac_source.hpp"
#include "decode/wav_source.hpp"
#include "io/input.hpp"
#include "pcm/reader.hpp"

#include <cstring>
#include <memory>
#include <unistd.h>
#include <utility>

namespace ts::decode {
namespace {

// The codec facts of TSPCM and raw input, named as FFmpeg names the same samples.
void pcm_facts(MediaInfo &info, pcm::SampleFormat format) {
    const bool f32 = format == pcm::SampleFormat::f32le;
    info.codec = f32 ? "pcm_f32le" : "pcm_s16le";
    info.codec_long = pcm_codec_long(info.codec);
    info.sample_format = f32 ? "flt" : "s16";
    info.bits_per_sample = f32 ? 32 : 16;
    info.bit_rate = std::int64_t{info.rate} * info.channels * *info.bits_per_sample;
    info.streams = 1;
}

void tspcm_info(io::Reader &in, MediaInfo &info) {
    pcm::Header h = pcm::read_header(in);
    info.tspcm = true;
    info.container = "tspcm";
    info.rate = h.rate;
    info.channels = h.channels;
    pcm_facts(info, h.format);
    if (h.frames >= 0) {
        set_frames(info, h.frames); // read_header has checked a regular file holds them all
    } else if (in.regular_file()) {
        // read_header stops right after END, so the descriptor sits at the first sample.
        off_t at = lseek(in.fd(), 0, SEEK_CUR);
        auto fb = static_cast<std::int64_t>(h.frame_bytes());
        std::int64_t payload = in.file_size() - at;
        if (at < 0 || payload < 0)
            throw Error(in.name() + ": cannot find the end of the TSPCM header");
        if (payload % fb != 0)
            throw Error(in.name() + ": truncated TSPCM stream: it ends inside a frame");
        set_frames(info, payload / fb);
    }
    info.tags = std::move(h.tags);
    if (!h.source.empty())
        info.origin = h.source;
    if (!h.sha1.empty())
        info.source_sha1 = h.sha1;
    info.start = h.start;
    info.history = std::move(h.history);
}

void raw_info(io::Reader &in, MediaInfo &info, const pcm::RawInput &raw) {
    auto format = pcm::parse_format(raw.format);
    if (!format)
        throw UsageError("--input-format " + raw.format + ": not f32le or s16le");
    info.container = raw.format; // FFmpeg's raw demuxers bear the same names
    info.rate = raw.rate;
    info.channels = raw.channels;
    pcm_facts(info, *format);
    if (in.regular_file()) {
        auto fb = static_cast<std::int64_t>(pcm::bytes_per_sample(*format)) * raw.channels;
        if (in.file_size() % fb != 0)
            throw Error(in.name() + ": raw input of " + std::to_string(in.file_size()) +
                        " bytes is not a whole number of " + std::to_string(fb) + "-byte frames");
        set_frames(info, in.file_size() / fb);
    }
}

} // namespace

void set_frames(MediaInfo &info, std::int64_t frames) {
    info.frames = frames;
    info.duration = static_cast<double>(frames) / info.rate;
    info.duration_exact = true;
}

[[noreturn]] void no_such_stream(const std::string &name, int wanted, int audio_streams) {
    throw UsageError(name + ": --stream " + std::to_string(wanted) + ": the input has " +
                     std::to_string(audio_streams) + " audio stream(s), numbered from 0");
}

std::string pcm_codec_long(const std::string &codec) {
    // FFmpeg's long names of the PCM codecs a TSPCM, raw or plain WAV input can hold.
    static const char *const names[][2] = {
        {"pcm_u8", "PCM unsigned 8-bit"},
        {"pcm_s16le", "PCM signed 16-bit little-endian"},
        {"pcm_s24le", "PCM signed 24-bit little-endian"},
        {"pcm_s32le", "PCM signed 32-bit little-endian"},
        {"pcm_f32le", "PCM 32-bit floating point little-endian"},
        {"pcm_f64le", "PCM 64-bit floating point little-endian"}};
    for (const auto &n : names)
        if (codec == n[0])
            return n[1];
    return codec;
}

MediaInfo media_info(const std::string &input, const InfoOptions &options) {
    MediaInfo info;
    info.source = input;
    if (io::is_url(input)) {
        if (options.raw.raw)
            throw UsageError("--input-raw reads a file or stdin, not a URL");
        media_module().media_facts(input, nullptr, options, info);
        return info;
    }
    io::Reader in(input);
    // A file is named by its argument: stdin has no size or hash even when redirected
    // from a file, whose start may already be consumed.
    const bool file = in.regular_file() && !in.is_stdin();
    if (file)
        info.size = in.file_size();
    if (options.raw.raw) {
        raw_info(in, info, options.raw);
    } else {
        const char *head = nullptr;
        std::size_t n = in.peek(&head, 8);
        if (n == 0)
            throw Error(in.name() + ": empty input");
        if (pcm::looks_like_tspcm(head, n))
            tspcm_info(in, info);
        else if (!(file && n >= 4 && std::memcmp(head, "RIFF", 4) == 0 && options.stream <= 0 &&
                   wav_info(in, info)) &&
                 !(file && n >= 4 && std::memcmp(head, "fLaC", 4) == 0 && options.stream <= 0 &&
                   flac_info(input, in, info)))
            media_module().media_facts(input, &in, options, info);
    }
    if (options.stream > 0 && (options.raw.raw || info.tspcm))
        no_such_stream(in.name(), options.stream, 1);
    // Hashed last, so an input that cannot be read costs no full pass over its bytes.
    if (options.sha1 && file)
        info.sha1 = io::sha1_file(input);
    return info;
}

nlohmann::ordered_json to_json(const MediaInfo &info) {
    auto opt = [](const auto &v) -> nlohmann::ordered_json {
        if (v)
            return *v;
        return nullptr;
    };
    nlohmann::ordered_json j;
    j["source"] = info.source;
    j["container"] = info.container;
    j["codec"] = info.codec;
    j["codec_long"] = info.codec_long;
    j["sample_format"] = opt(info.sample_format);
    j["bits_per_sample"] = opt(info.bits_per_sample);
    j["rate"] = info.rate;
    j["channels"] = info.channels;
    j["channel_layout"] = opt(info.channel_layout);
    j["duration"] = opt(info.duration);
    j["duration_exact"] = info.duration_exact;
    j["frames"] = opt(info.frames);
    j["bit_rate"] = opt(info.bit_rate);
    j["size"] = opt(info.size);
    j["streams"] = info.streams;
    j["stream"] = info.stream;
    j["video"] = info.video;
    j["tags"] = nlohmann::ordered_json::object();
    for (const auto &[k, v] : info.tags)
        j["tags"][k] = v;
    j["sha1"] = opt(info.sha1);
    if (info.tspcm) {
        j["origin"] = opt(info.origin);
        j["source_sha1"] = opt(info.source_sha1);
        j["start"] = opt(info.start);
        j["history"] = info.history;
    }
    return j;
}

} // namespace ts::decode
