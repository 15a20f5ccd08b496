// FFmpeg decoding: demux the chosen audio stream, decode, convert to interleaved float.
#include "decode/ffmpeg_source.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/signals.hpp"
#include "decode/demuxer.hpp"
#include "decode/media_probe.hpp"
#include "pcm/layout.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

namespace ts::decode {
namespace {

// stdin and pipes given by name (whose first bytes were already peeked) are read through
// the Reader; regular files are opened by FFmpeg by path, so it can seek.
bool through_reader(const io::Reader *r) { return r && (r->is_stdin() || !r->regular_file()); }

class MediaSource : public Source {
  public:
    MediaSource(const std::string &arg, std::unique_ptr<io::Reader> reader,
                const OpenOptions &options)
        : arg_(arg), name_(io::display_name(arg)), reader_(std::move(reader)),
          demux_(arg, through_reader(reader_.get()) ? reader_.get() : nullptr) {
        fmt_ = demux_.fmt();
        try {
            open(options);
        } catch (...) {
            release(); // the destructor does not run for a half-built object
            throw;
        }
    }

    ~MediaSource() override { release(); }

  private:
    void open(const OpenOptions &options) {
        const std::string &arg = arg_;
        stream_ = demux_.audio_stream(options.stream);
        AVStream *st = fmt_->streams[stream_];
        for (unsigned i = 0; i < fmt_->nb_streams; ++i)
            if (static_cast<int>(i) != stream_)
                fmt_->streams[i]->discard = AVDISCARD_ALL;
        open_decoder(st);

        header_.rate = codec_->sample_rate;
        header_.channels = codec_->ch_layout.nb_channels;
        if (codec_->ch_layout.order == AV_CHANNEL_ORDER_NATIVE) {
            char buf[256];
            if (av_channel_layout_describe(&codec_->ch_layout, buf, sizeof buf) > 0) {
                const auto sp = pcm::parse_layout(buf);
                if (sp && static_cast<int>(sp->size()) == header_.channels)
                    header_.layout = pcm::layout_name(*sp); // "FL+FR+TC", not "3 channels (...)"
            }
        }
        if (header_.rate <= 0 || header_.channels <= 0 || header_.channels > pcm::max_channels)
            throw Error(name_ + ": unsupported audio stream (" + std::to_string(header_.rate) +
                        " Hz, " + std::to_string(header_.channels) + " channels)");
        if (!reader_ || !reader_->is_stdin())
            header_.source = arg;
        header_.tags = media_tags(fmt_, st);
        if (reader_ && !through_reader(reader_.get())) {
            const bool mp3 = st->codecpar->codec_id == AV_CODEC_ID_MP3;
            header_.frames = exact_frames(fmt_, st, arg, name_, mp3 ? &points_ : nullptr);
            hash_.start(arg, options, header_.sha1);
        }
        frame_ = av_frame_alloc();
        packet_ = av_packet_alloc();
        if (!frame_ || !packet_)
            throw std::bad_alloc();
        if (reader_ && !through_reader(reader_.get()))
            reader_.reset(); // FFmpeg reads the file by its path
    }

    void release() {
        av_frame_free(&frame_);
        av_packet_free(&packet_);
        swr_free(&swr_);
        avcodec_free_context(&codec_);
    }

  public:
    const pcm::Header &header() const override { return header_; }
    const std::string &name() const override { return name_; }
    int bits() const override { return bits_; }
    std::string sha1() override { return header_.sha1 = hash_.get(header_.sha1); }

    // An mp3 of known length: a byte seek to a packet at least 32 packets before the target
    // (enough to refill the bit reservoir, the MDCT overlap and the synthesis filter, so the
    // samples from the target on are those a decode from the start gives), then decoding
    // and dropping up to the target.
    bool skip(std::int64_t frames) override {
        const std::int64_t target = decoded_ + frames;
        if (points_.empty() || frames <= 0 || done_ || flushed_ || header_.frames < 0 ||
            target >= header_.frames)
            return false;
        const std::int64_t margin = 32 * std::max(codec_->frame_size, 1152);
        auto it = std::upper_bound(points_.begin(), points_.end(), target - margin,
                                   [](std::int64_t t, const SeekPoint &p) { return t < p.frame; });
        if (it == points_.begin() || (--it)->frame <= decoded_)
            return false; // too near: reading through costs no more
        if (av_seek_frame(fmt_, stream_, it->pos, AVSEEK_FLAG_BYTE) < 0)
            return false;
        log::verbose(name_ + ": seeking to frame " + std::to_string(target) + " from byte " +
                     std::to_string(it->pos) + ", " + std::to_string(target - it->frame) +
                     " frames before it decoded and dropped");
        avcodec_flush_buffers(codec_);
        swr_free(&swr_);
        swr_format_ = -1;
        av_frame_unref(frame_);
        seeked_ = true;
        decoded_ = it->frame;
        std::vector<float> scratch(4096 * static_cast<std::size_t>(header_.channels));
        while (decoded_ < target && // read() throws if the audio ends first
               read(scratch.data(), static_cast<std::size_t>(std::min<std::int64_t>(4096, target - decoded_))) > 0) {
        }
        return true;
    }

    std::size_t read(float *dst, std::size_t max_frames) override {
        const auto ch = static_cast<std::size_t>(header_.channels);
        if (seeked_) // the padding is not marked after a seek: the known length ends the audio
            max_frames = static_cast<std::size_t>(
                std::min<std::int64_t>(static_cast<std::int64_t>(max_frames), header_.frames - decoded_));
        std::size_t got = 0;
        // Samples go straight from the decoder's frame into dst through swresample, which
        // keeps what does not fit and gives it back first on the next call.
        static const uint8_t none = 0;
        const uint8_t *no_input[AV_NUM_DATA_POINTERS] = {&none};
        while (got < max_frames) {
            if (swr_) {
                got += convert(no_input, 0, dst + got * ch, max_frames - got);
                if (got == max_frames)
                    break;
            }
            if (done_ || !next_frame())
                break;
            prepare_swr(frame_);
            got += convert(const_cast<const uint8_t **>(frame_->extended_data), frame_->nb_samples,
                           dst + got * ch, max_frames - got);
            av_frame_unref(frame_);
        }
        decoded_ += static_cast<std::int64_t>(got);
        const std::string skipped =
            corrupt_ > 0 ? "skipped " + std::to_string(corrupt_) + " corrupt packet(s)" : "";
        // one line: a damaged file that is also short says both in its error
        if (got == 0 && header_.frames >= 0 && decoded_ < header_.frames)
            throw Error(truncated(name_, header_.frames, decoded_).what() +
                        (skipped.empty() ? "" : " (" + skipped + ")"));
        if (got == 0 && done_ && corrupt_ > 0 && !warned_) {
            warned_ = true;
            log::warning(name_ + ": " + skipped + "; the audio has gaps there");
        }
        return got;
    }

  private:
    int bits_ = 0;
    [[noreturn]] void fail(int code, const std::string &what) { demux_.fail(code, what); }

    void open_decoder(AVStream *st) {
        const AVCodec *dec = avcodec_find_decoder(st->codecpar->codec_id);
        if (!dec)
            throw Error(name_ + ": no decoder for codec '" +
                        avcodec_get_name(st->codecpar->codec_id) + "'");
        codec_ = avcodec_alloc_context3(dec);
        if (!codec_ || avcodec_parameters_to_context(codec_, st->codecpar) < 0)
            throw std::bad_alloc();
        codec_->pkt_timebase = st->time_base;
        // Frame threads where the codec has them (FLAC): same samples, less wall time.
        codec_->thread_count = 0;
        codec_->thread_type = FF_THREAD_FRAME;
        int ret = avcodec_open2(codec_, dec, nullptr);
        if (ret < 0)
            fail(ret, "cannot open the decoder");
        // Integer lossless or PCM: its sample size (24 for 24-bit FLAC decoded as s32).
        const AVCodecDescriptor *d = avcodec_descriptor_get(st->codecpar->codec_id);
        const AVSampleFormat sf = static_cast<AVSampleFormat>(st->codecpar->format);
        const bool integer = sf != AV_SAMPLE_FMT_FLT && sf != AV_SAMPLE_FMT_FLTP &&
                             sf != AV_SAMPLE_FMT_DBL && sf != AV_SAMPLE_FMT_DBLP && sf != AV_SAMPLE_FMT_NONE;
        if (d && (d->props & AV_CODEC_PROP_LOSSLESS) && integer) {
            for (int b : {codec_->bits_per_raw_sample, st->codecpar->bits_per_raw_sample,
                          st->codecpar->bits_per_coded_sample, av_get_bytes_per_sample(sf) * 8})
                if (b > 0) {
                    bits_ = b;
                    break;
                }
        }
    }

    void prepare_swr(const AVFrame *f) {
        if (f->sample_rate != header_.rate || f->ch_layout.nb_channels != header_.channels)
            throw Error(name_ + ": the audio format changes mid-stream (" +
                        std::to_string(f->sample_rate) + " Hz, " +
                        std::to_string(f->ch_layout.nb_channels) + " channels)");
        if (swr_ && f->format == swr_format_)
            return;
        swr_free(&swr_); // empty here: read() drains it before taking a new frame
        // Zeroed: av_channel_layout_copy frees what the destination holds first.
        AVChannelLayout layout{};
        av_channel_layout_copy(&layout, &f->ch_layout);
        if (layout.order == AV_CHANNEL_ORDER_UNSPEC)
            av_channel_layout_default(&layout, header_.channels);
        int ret = swr_alloc_set_opts2(&swr_, &layout, AV_SAMPLE_FMT_FLT, header_.rate, &layout,
                                      static_cast<AVSampleFormat>(f->format), header_.rate, 0,
                                      nullptr);
        av_channel_layout_uninit(&layout);
        if (ret < 0 || swr_init(swr_) < 0)
            throw Error(name_ + ": cannot convert sample format " +
                        av_get_sample_fmt_name(static_cast<AVSampleFormat>(f->format)));
        swr_format_ = f->format;
    }

    std::size_t convert(const uint8_t **in, int count, float *out, std::size_t max) {
        auto *o = reinterpret_cast<uint8_t *>(out);
        int n = swr_convert(swr_, &o, static_cast<int>(max), in, count);
        if (n < 0)
            throw Error(name_ + ": sample conversion failed");
        return static_cast<std::size_t>(n);
    }

    // Decodes until frame_ holds a frame (true) or the stream has ended (false).
    bool next_frame() {
        while (!done_) {
            int ret = avcodec_receive_frame(codec_, frame_);
            if (ret == 0)
                return true;
            if (ret == AVERROR_EOF) {
                done_ = true;
                return false;
            }
            if (ret == AVERROR_INVALIDDATA) {
                ++corrupt_;
                continue;
            }
            if (ret != AVERROR(EAGAIN))
                fail(ret, "decoding failed");
            if (flushed_) {
                done_ = true;
                return false;
            }
            signals::check();
            ret = av_read_frame(fmt_, packet_);
            if (ret == AVERROR_EOF) {
                avcodec_send_packet(codec_, nullptr);
                flushed_ = true;
                continue;
            }
            if (ret < 0)
                fail(ret, "reading failed");
            if (packet_->stream_index == stream_) {
                if (seeked_) {
                    // After a byte seek libavformat marks the encoder delay to be skipped
                    // again and finds the padding by timestamps it can only estimate: the
                    // marks are dropped, read() ends the audio at its known length.
                    std::size_t size = 0;
                    uint8_t *side = av_packet_get_side_data(packet_, AV_PKT_DATA_SKIP_SAMPLES, &size);
                    if (side)
                        std::memset(side, 0, std::min<std::size_t>(size, 8));
                }
                ret = avcodec_send_packet(codec_, packet_);
                if (ret == AVERROR_INVALIDDATA)
                    ++corrupt_;
                else if (ret < 0 && ret != AVERROR(EAGAIN))
                    fail(ret, "decoding failed");
            }
            av_packet_unref(packet_);
        }
        return false;
    }

    std::string arg_, name_;
    std::unique_ptr<io::Reader> reader_;
    Demuxer demux_;
    AVFormatContext *fmt_ = nullptr;
    AVCodecContext *codec_ = nullptr;
    SwrContext *swr_ = nullptr;
    int swr_format_ = -1;
    AVFrame *frame_ = nullptr;
    AVPacket *packet_ = nullptr;
    int stream_ = -1;
    pcm::Header header_;
    std::vector<SeekPoint> points_; // an mp3's seek points (exact_frames)
    bool flushed_ = false, done_ = false, warned_ = false, seeked_ = false;
    std::int64_t corrupt_ = 0, decoded_ = 0;
    FileHash hash_; // declared last: its thread stops first
};

} // namespace


std::unique_ptr<Source> open_media(const std::string &arg, std::unique_ptr<io::Reader> reader,
                                   const OpenOptions &options) {
    return std::make_unique<MediaSource>(arg, std::move(reader), options);
}

} // namespace ts::decode
