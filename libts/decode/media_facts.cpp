// Media facts for ts-info from libavformat (the media module's side of media_info.cpp).
#include "decode/media_info.hpp"

#include "core/error.hpp"
#include "decode/demuxer.hpp"
#include "decode/media_probe.hpp"
#include "io/input.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include <utility>

namespace ts::decode {
namespace {

bool is_pcm(AVCodecID id) {
    return id >= AV_CODEC_ID_PCM_S16LE && id < AV_CODEC_ID_ADPCM_IMA_QT;
}

// The index in fmt->streams of the audio stream to describe, and its rank among audio streams.
std::pair<int, int> pick_stream(AVFormatContext *fmt, int wanted, const std::string &name,
                                int audio_streams) {
    int index = wanted;
    if (wanted < 0) {
        index = best_audio_stream(fmt, name);
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

} // namespace

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

} // namespace ts::decode
