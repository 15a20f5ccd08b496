// FFmpeg decoding: demux the chosen audio stream, decode, convert to interleaved float.
#include "decode/ffmpeg_source.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/signals.hpp"
#include "decode/media_probe.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

#include <cstring>
#include <vector>

namespace ts::decode {
namespace {

std::string av_error(int code) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(code, buf, sizeof buf);
    return buf;
}

void log_callback(void *, int level, const char *fmt, va_list args) {
    if (level > AV_LOG_WARNING || log::level() != log::Level::verbose)
        return;
    char line[1024];
    std::vsnprintf(line, sizeof line, fmt, args);
    std::string s = line;
    while (!s.empty() && s.back() == '\n')
        s.pop_back();
    if (!s.empty())
        log::verbose("ffmpeg: " + s);
}

// Reads a non-seekable stream for libavformat through our Reader (which may hold peeked
// bytes). Exceptions cannot cross FFmpeg's C frames, so failures are kept and rethrown.
struct StreamIO {
    io::Reader *reader = nullptr;
    std::string error;
    bool interrupted = false;

    static int read(void *opaque, uint8_t *buf, int size) {
        auto *self = static_cast<StreamIO *>(opaque);
        try {
            std::size_t n = self->reader->read(buf, static_cast<std::size_t>(size));
            return n == 0 ? AVERROR_EOF : static_cast<int>(n);
        } catch (const Interrupted &) {
            self->interrupted = true;
            return AVERROR_EXIT;
        } catch (const std::exception &e) {
            self->error = e.what();
            return AVERROR(EIO);
        }
    }

    static int64_t seek(void *opaque, int64_t offset, int whence) {
        auto *self = static_cast<StreamIO *>(opaque);
        if (whence & AVSEEK_SIZE)
            return self->reader->file_size();
        return self->reader->seek(offset, whence & ~AVSEEK_FORCE);
    }
};

int interrupt_cb(void *) { return signals::received() != 0 ? 1 : 0; }

class MediaSource : public Source {
  public:
    MediaSource(const std::string &arg, std::unique_ptr<io::Reader> reader,
                const OpenOptions &options)
        : arg_(arg), name_(io::display_name(arg)), reader_(std::move(reader)) {
        fmt_ = avformat_alloc_context();
        if (!fmt_)
            throw std::bad_alloc();
        fmt_->interrupt_callback.callback = interrupt_cb;
        AVDictionary *opts = nullptr;
        std::string url = io::is_url(arg) ? arg : "file:" + arg;
        if (reader_ && reader_->is_stdin()) {
            const int size = 1 << 16;
            auto *buf = static_cast<uint8_t *>(av_malloc(size));
            stream_io_.reader = reader_.get();
            // stdin redirected from a file can seek (an mp4 with its index at the end).
            avio_ = avio_alloc_context(buf, size, 0, &stream_io_, &StreamIO::read, nullptr,
                                       reader_->regular_file() ? &StreamIO::seek : nullptr);
            if (!avio_)
                throw std::bad_alloc();
            fmt_->pb = avio_;
            url.clear();
        } else if (io::is_url(arg)) {
            av_dict_set(&opts, "rw_timeout", "30000000", 0);
            av_dict_set(&opts, "reconnect", "1", 0);
            av_dict_set(&opts, "user_agent", "timeside", 0);
        }
        int ret = avformat_open_input(&fmt_, url.c_str(), nullptr, &opts);
        av_dict_free(&opts);
        if (ret < 0) {
            fmt_ = nullptr; // freed by avformat_open_input on failure
            fail(ret, "cannot open");
        }
        ret = avformat_find_stream_info(fmt_, nullptr);
        if (ret < 0)
            fail(ret, "cannot read the stream information");
        stream_ = pick_stream(options.stream);
        AVStream *st = fmt_->streams[stream_];
        for (unsigned i = 0; i < fmt_->nb_streams; ++i)
            if (static_cast<int>(i) != stream_)
                fmt_->streams[i]->discard = AVDISCARD_ALL;
        open_decoder(st);

        header_.rate = codec_->sample_rate;
        header_.channels = codec_->ch_layout.nb_channels;
        if (header_.rate <= 0 || header_.channels <= 0 || header_.channels > pcm::max_channels)
            throw Error(name_ + ": unsupported audio stream (" + std::to_string(header_.rate) +
                        " Hz, " + std::to_string(header_.channels) + " channels)");
        if (!reader_ || !reader_->is_stdin())
            header_.source = arg;
        header_.tags = media_tags(fmt_, st);
        if (reader_ && reader_->regular_file() && !reader_->is_stdin()) {
            header_.frames = exact_frames(fmt_, st, arg, name_);
            if (options.sha1)
                header_.sha1 = io::sha1_file(arg);
        }
        frame_ = av_frame_alloc();
        packet_ = av_packet_alloc();
        if (!frame_ || !packet_)
            throw std::bad_alloc();
        if (reader_ && !reader_->is_stdin())
            reader_.reset(); // FFmpeg reads the file by its path
    }

    ~MediaSource() override {
        av_frame_free(&frame_);
        av_packet_free(&packet_);
        swr_free(&swr_);
        avcodec_free_context(&codec_);
        avformat_close_input(&fmt_);
        if (avio_) {
            av_freep(&avio_->buffer);
            avio_context_free(&avio_);
        }
    }

    const pcm::Header &header() const override { return header_; }
    const std::string &name() const override { return name_; }

    std::size_t read(float *dst, std::size_t max_frames) override {
        const auto ch = static_cast<std::size_t>(header_.channels);
        std::size_t got = 0;
        for (;;) {
            std::size_t avail = (fifo_.size() - fifo_pos_) / ch;
            std::size_t n = std::min(avail, max_frames - got);
            if (n > 0) {
                std::memcpy(dst + got * ch, fifo_.data() + fifo_pos_, n * ch * sizeof(float));
                fifo_pos_ += n * ch;
                got += n;
            }
            if (got == max_frames || done_)
                break;
            fifo_.clear();
            fifo_pos_ = 0;
            decode_more();
        }
        if (got == 0 && done_ && corrupt_ > 0 && !warned_) {
            warned_ = true;
            log::warning(name_ + ": skipped " + std::to_string(corrupt_) +
                         " corrupt packet(s); the audio has gaps there");
        }
        decoded_ += static_cast<std::int64_t>(got);
        if (got == 0 && header_.frames >= 0 && decoded_ < header_.frames)
            throw Error(name_ + ": truncated: the container declares " +
                        std::to_string(header_.frames) + " frames, the data holds " +
                        std::to_string(decoded_));
        return got;
    }

  private:
    [[noreturn]] void fail(int code, const std::string &what) {
        if (stream_io_.interrupted || code == AVERROR_EXIT)
            throw Interrupted();
        if (!stream_io_.error.empty())
            throw Error(stream_io_.error);
        std::string why = av_error(code);
        if (code == AVERROR_INVALIDDATA)
            why = "not a media file FFmpeg can read (unknown format or corrupt data)";
        throw Error(name_ + ": " + what + ": " + why);
    }

    int pick_stream(int wanted) {
        if (wanted < 0) {
            int idx = av_find_best_stream(fmt_, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
            if (idx < 0)
                throw Error(name_ + ": no audio stream");
            return idx;
        }
        int seen = 0;
        for (unsigned i = 0; i < fmt_->nb_streams; ++i)
            if (fmt_->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO && seen++ == wanted)
                return static_cast<int>(i);
        throw UsageError(name_ + ": --stream " + std::to_string(wanted) + ": the input has " +
                         std::to_string(seen) + " audio stream(s), numbered from 0");
    }

    void open_decoder(AVStream *st) {
        const AVCodec *dec = avcodec_find_decoder(st->codecpar->codec_id);
        if (!dec)
            throw Error(name_ + ": no decoder for codec '" +
                        avcodec_get_name(st->codecpar->codec_id) + "'");
        codec_ = avcodec_alloc_context3(dec);
        if (!codec_ || avcodec_parameters_to_context(codec_, st->codecpar) < 0)
            throw std::bad_alloc();
        codec_->pkt_timebase = st->time_base;
        int ret = avcodec_open2(codec_, dec, nullptr);
        if (ret < 0)
            fail(ret, "cannot open the decoder");
    }

    void convert(const AVFrame *f) {
        if (f->sample_rate != header_.rate || f->ch_layout.nb_channels != header_.channels)
            throw Error(name_ + ": the audio format changes mid-stream (" +
                        std::to_string(f->sample_rate) + " Hz, " +
                        std::to_string(f->ch_layout.nb_channels) + " channels)");
        if (!swr_ || f->format != swr_format_) {
            swr_free(&swr_);
            AVChannelLayout layout;
            av_channel_layout_copy(&layout, &f->ch_layout);
            if (layout.order == AV_CHANNEL_ORDER_UNSPEC)
                av_channel_layout_default(&layout, header_.channels);
            int ret = swr_alloc_set_opts2(&swr_, &layout, AV_SAMPLE_FMT_FLT, header_.rate,
                                          &layout, static_cast<AVSampleFormat>(f->format),
                                          header_.rate, 0, nullptr);
            av_channel_layout_uninit(&layout);
            if (ret < 0 || swr_init(swr_) < 0)
                throw Error(name_ + ": cannot convert sample format " +
                            av_get_sample_fmt_name(static_cast<AVSampleFormat>(f->format)));
            swr_format_ = f->format;
        }
        const auto ch = static_cast<std::size_t>(header_.channels);
        std::size_t at = fifo_.size();
        fifo_.resize(at + static_cast<std::size_t>(f->nb_samples) * ch);
        auto *out = reinterpret_cast<uint8_t *>(fifo_.data() + at);
        int n = swr_convert(swr_, &out, f->nb_samples, const_cast<const uint8_t **>(f->extended_data),
                            f->nb_samples);
        if (n < 0)
            throw Error(name_ + ": sample conversion failed");
        fifo_.resize(at + static_cast<std::size_t>(n) * ch);
    }

    // Decodes until at least one frame has been converted or the stream has ended.
    void decode_more() {
        while (!done_) {
            int ret = avcodec_receive_frame(codec_, frame_);
            if (ret == 0) {
                convert(frame_);
                av_frame_unref(frame_);
                if (!fifo_.empty())
                    return;
                continue;
            }
            if (ret == AVERROR_EOF) {
                done_ = true;
                return;
            }
            if (ret == AVERROR_INVALIDDATA) {
                ++corrupt_;
                continue;
            }
            if (ret != AVERROR(EAGAIN))
                fail(ret, "decoding failed");
            if (flushed_) {
                done_ = true;
                return;
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
                ret = avcodec_send_packet(codec_, packet_);
                if (ret == AVERROR_INVALIDDATA)
                    ++corrupt_;
                else if (ret < 0 && ret != AVERROR(EAGAIN))
                    fail(ret, "decoding failed");
            }
            av_packet_unref(packet_);
        }
    }

    std::string arg_, name_;
    std::unique_ptr<io::Reader> reader_;
    StreamIO stream_io_;
    AVIOContext *avio_ = nullptr;
    AVFormatContext *fmt_ = nullptr;
    AVCodecContext *codec_ = nullptr;
    SwrContext *swr_ = nullptr;
    int swr_format_ = -1;
    AVFrame *frame_ = nullptr;
    AVPacket *packet_ = nullptr;
    int stream_ = -1;
    pcm::Header header_;
    std::vector<float> fifo_;
    std::size_t fifo_pos_ = 0;
    bool flushed_ = false, done_ = false, warned_ = false;
    std::int64_t corrupt_ = 0, decoded_ = 0;
};

} // namespace

void quiet_ffmpeg_logs() { av_log_set_callback(log_callback); }

std::unique_ptr<Source> open_media(const std::string &arg, std::unique_ptr<io::Reader> reader,
                                   const OpenOptions &options) {
    return std::make_unique<MediaSource>(arg, std::move(reader), options);
}

} // namespace ts::decode
