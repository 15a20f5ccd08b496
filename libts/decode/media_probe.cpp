// Tags and exact lengths of media files, from the container alone.
#include "decode/media_probe.hpp"

#include "core/error.hpp"
#include "decode/source.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/intreadwrite.h>
}

#include <algorithm>

namespace ts::decode {
namespace {

void add_tags(pcm::KeyValues &tags, const AVDictionary *dict) {
    const AVDictionaryEntry *e = nullptr;
    while ((e = av_dict_get(dict, "", e, AV_DICT_IGNORE_SUFFIX))) {
        std::string k = tag_key(e->key);
        if (k.empty() || std::any_of(tags.begin(), tags.end(),
                                     [&](const auto &kv) { return kv.first == k; }))
            continue;
        tags.emplace_back(k, e->value);
    }
}

bool is_pcm(AVCodecID id) { return id >= AV_CODEC_ID_PCM_S16LE && id < AV_CODEC_ID_ADPCM_IMA_QT; }

struct Scan {
    std::int64_t frames = 0; // at the codec's sample rate, after skips
    bool ok = true;
};

// Demux every packet of the stream, summing durations less the skip side data.
Scan scan_packets(const std::string &path, int index, int rate, std::vector<SeekPoint> *points) {
    Scan scan;
    AVFormatContext *fmt = nullptr;
    if (avformat_open_input(&fmt, ("file:" + path).c_str(), nullptr, nullptr) < 0)
        return {0, false};
    if (avformat_find_stream_info(fmt, nullptr) < 0 || index >= static_cast<int>(fmt->nb_streams)) {
        avformat_close_input(&fmt);
        return {0, false};
    }
    for (unsigned i = 0; i < fmt->nb_streams; ++i)
        if (static_cast<int>(i) != index)
            fmt->streams[i]->discard = AVDISCARD_ALL;
    const AVRational tb = fmt->streams[index]->time_base;
    AVPacket *pkt = av_packet_alloc();
    std::int64_t ticks = 0, skipped = 0, skipped_start = 0, count = 0;
    while (av_read_frame(fmt, pkt) >= 0) {
        if (pkt->stream_index == index) {
            if (points && count++ % 16 == 0 && pkt->pos >= 0)
                points->push_back({pkt->pos, av_rescale_q(ticks, tb, AVRational{1, rate}) - skipped_start});
            if (pkt->duration <= 0 && !(pkt->flags & AV_PKT_FLAG_DISCARD))
                scan.ok = false;
            if (pkt->flags & AV_PKT_FLAG_DISCARD)
                scan.ok = false; // edit-list discards: leave it to the decoder
            ticks += pkt->duration;
            std::size_t size = 0;
            const uint8_t *side = av_packet_get_side_data(pkt, AV_PKT_DATA_SKIP_SAMPLES, &size);
            if (side && size >= 8) {
                skipped += AV_RL32(side) + AV_RL32(side + 4);
                skipped_start += AV_RL32(side);
            }
        }
        av_packet_unref(pkt);
    }
    av_packet_free(&pkt);
    avformat_close_input(&fmt);
    scan.frames = av_rescale_q(ticks, tb, AVRational{1, rate}) - skipped;
    return scan;
}

std::string secs(std::int64_t frames, int rate) { return seconds(static_cast<double>(frames) / rate); }

} // namespace

pcm::KeyValues media_tags(const AVFormatContext *fmt, const AVStream *st) {
    pcm::KeyValues tags;
    add_tags(tags, fmt->metadata);
    add_tags(tags, st->metadata);
    return tags;
}

std::int64_t exact_frames(const AVFormatContext *fmt, const AVStream *st, const std::string &path,
                          const std::string &name, std::vector<SeekPoint> *points) {
    const AVCodecParameters *par = st->codecpar;
    const int rate = par->sample_rate;
    std::int64_t declared = -1;
    if (st->duration > 0 && st->duration != AV_NOPTS_VALUE)
        declared = av_rescale_q(st->duration, st->time_base, AVRational{1, rate});
    if (is_pcm(par->codec_id) || par->codec_id == AV_CODEC_ID_FLAC) {
        if (is_pcm(par->codec_id) && declared > 0 && par->block_align > 0 && fmt->pb) {
            // A data chunk cut short: the header promises more bytes than the file has.
            std::int64_t size = avio_size(fmt->pb);
            std::int64_t need = declared * par->block_align;
            if (size > 0 && need > size)
                throw Error(name + ": truncated: the header declares " + secs(declared, rate) +
                            " of audio, the file holds at most " +
                            secs(size / par->block_align, rate));
        }
        return declared;
    }
    // The packet count matches the decoder's output exactly only where the demuxer records
    // every delay and padding as skip side data: checked for MPEG audio. Ogg and Matroska
    // trim through granule positions and codec delay that a packet count does not see.
    if (par->codec_id != AV_CODEC_ID_MP3 && par->codec_id != AV_CODEC_ID_MP2)
        return -1;
    Scan scan = scan_packets(path, st->index, rate, points);
    if (!scan.ok || scan.frames <= 0) {
        if (points)
            points->clear();
        return -1;
    }
    const bool exact_header = fmt->duration_estimation_method != AVFMT_DURATION_FROM_BITRATE;
    if (exact_header && declared > 0 && par->frame_size > 0 &&
        scan.frames + std::max<std::int64_t>(2 * par->frame_size, 2304) < declared)
        throw Error(name + ": truncated: the header declares " + secs(declared, rate) +
                    ", the file holds " + secs(scan.frames, rate));
    return scan.frames;
}

} // namespace ts::decode
