// Media facts for ts-info: TSPCM and raw headers read directly, media probed with libavformat.
#include "decode/media_info.hpp"

#include "core/error.hpp"
#include "core/signals.hpp"
#include "decode/demuxer.hpp"
#include "decode/media_probe.hpp"
#include "io/input.hpp"
#include "pcm/reader.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include <memory>
#include <unistd.h>
#include <utility>

namespace ts::decode {
namespace {

bool is_pcm(AVCodecID id) {
    return id >= AV_CODEC_ID_PCM_S16LE && id < AV_CODEC_ID_ADPCM_IMA_QT;
}

// The codec facts of TSPCM and raw input, named as FFmpeg names the same samples.
void pcm_facts(MediaInfo &info, pcm::SampleFormat format) {
    const bool f32 = format == pcm::SampleFormat::f32le;
    const AVCodecID id = f32 ? AV_CODEC_ID_PCM_F32LE : AV_CODEC_ID_PCM_S16LE;
    info.codec = avcodec_get_name(id);
    const AVCodecDescriptor *d = avcodec_descriptor_get(id);
    info.codec_long = d && d->long_name ? d->long_name : info.codec;
    info.sample_format = f32 ? "flt" : "s16";
    info.bits_per_sample = f32 ? 32 : 16;
    info.bit_rate = std::int64_t{info.rate} * info.channels * *info.bits_per_sample;
    info.streams = 1;
}

void set_frames(MediaInfo &info, std::int64_t frames) {
    info.frames = frames;
    info.duration = static_cast<double>(frames) / info.rate;
    info.duration_exact = true;
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

void raw_info(io::Reader &in, MediaInfo &info, const cli::RawInput &raw) {
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

[[noreturn]] void no_such_stream(const std::string &name, int wanted, int audio_streams) {
    throw UsageError(name + ": --stream " + std::to_string(wanted) + ": the input has " +
                     std::to_string(audio_streams) + " audio stream(s), numbered from 0");
}

// The index in fmt->streams of the audio stream to describe, and its rank among audio streams.
std::pair<int, int> pick_stream(AVFormatContext *fmt, int wanted, const std::string &name,
                                int audio_streams) {
    int index = wanted;
    if (wanted < 0) {
        index = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
        if (index < 0)
            throw Error(name + ": no audio stream");
    }
    int rank = 0;
    for (unsigned i = 0; i < fmt->nb_streams; ++i) {
        if (fmt->streams[i]->codecpar->codec_type != AVMEDIA_TYPE_AUDIO)
            continue;
        if (wanted < 0 ? static_cast<int>(i) == index : rank == wanted)
            return {static_cast<int>(i), rank};
        ++rank;
    }
    no_such_stream(name, wanted, audio_streams);
}

void media_facts(const std::string &arg, io::Reader *reader, const InfoOptions &options,
                 MediaInfo &info) {
    const std::string name = io::display_name(arg);
    Demuxer demux(arg, reader && (reader->is_stdin() || !reader->regular_file()) ? reader : nullptr);
    AVFormatContext *fmt = demux.fmt();
    info.container = fmt->iformat->name;
    for (unsigned i = 0; i < fmt->nb_streams; ++i) {
        const AVStream *s = fmt->streams[i];
        if (s->codecpar->codec_type == AVMEDIA_TYPE_AUDIO)
            ++info.streams;
        else if (s->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
                 !(s->disposition & AV_DISPOSITION_ATTACHED_PIC))
            info.video = true;
    }
    auto [index, rank] = pick_stream(fmt, options.stream, name, info.streams);
    const AVStream *st = fmt->streams[index];
    const AVCodecParameters *par = st->codecpar;
    info.stream = rank;
    info.rate = par->sample_rate;
    info.channels = par->ch_layout.nb_channels;
    if (info.rate <= 0 || info.channels <= 0)
        throw Error(name + ": unsupported audio stream (" + std::to_string(info.rate) + " Hz, " +
                    std::to_string(info.channels) + " channels)");

    info.codec = avcodec_get_name(par->codec_id);
    const AVCodecDescriptor *d = avcodec_descriptor_get(par->codec_id);
    info.codec_long = d && d->long_name ? d->long_name : info.codec;
    if (par->format >= 0)
        info.sample_format = av_get_sample_fmt_name(static_cast<AVSampleFormat>(par->format));
    if (par->bits_per_raw_sample > 0)
        info.bits_per_sample = par->bits_per_raw_sample;
    else if (int bits = av_get_bits_per_sample(par->codec_id); bits > 0)
        info.bits_per_sample = bits;
    if (par->ch_layout.order != AV_CHANNEL_ORDER_UNSPEC) {
        char buf[128];
        if (av_channel_layout_describe(&par->ch_layout, buf, sizeof buf) > 0)
            info.channel_layout = buf;
    } else if (info.channels <= 2) {
        // A plain wav names no layout; one or two channels can only be mono or stereo,
        // while FFmpeg's default for more would be a guess.
        info.channel_layout = info.channels == 1 ? "mono" : "stereo";
    }
    if (par->bit_rate > 0)
        info.bit_rate = par->bit_rate;
    else if (fmt->bit_rate > 0)
        info.bit_rate = fmt->bit_rate;

    // Exact when the count is certain before decoding (see exact_frames); a header's own
    // length (PCM, FLAC) counts on a pipe too, as a TSPCM frames key does.
    std::int64_t frames = -1;
    const bool has_duration = st->duration > 0 && st->duration != AV_NOPTS_VALUE;
    if (reader && reader->regular_file() && !reader->is_stdin())
        frames = exact_frames(fmt, st, arg, name);
    else if (has_duration && (is_pcm(par->codec_id) || par->codec_id == AV_CODEC_ID_FLAC))
        frames = av_rescale_q(st->duration, st->time_base, AVRational{1, info.rate});
    if (frames >= 0)
        set_frames(info, frames);
    else if (has_duration)
        info.duration = static_cast<double>(st->duration) * av_q2d(st->time_base);
    else if (fmt->duration > 0 && fmt->duration != AV_NOPTS_VALUE)
        info.duration = static_cast<double>(fmt->duration) / AV_TIME_BASE;
    info.tags = media_tags(fmt, st);
}

} // namespace

MediaInfo media_info(const std::string &input, const InfoOptions &options) {
    MediaInfo info;
    info.source = input;
    if (io::is_url(input)) {
        if (options.raw.raw)
            throw UsageError("--input-raw reads a file or stdin, not a URL");
        media_facts(input, nullptr, options, info);
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
        else
            media_facts(input, &in, options, info);
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
