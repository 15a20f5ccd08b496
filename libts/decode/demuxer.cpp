// Demuxer: libavformat opening shared by decoding (ts-decode) and probing (ts-info).
#include "decode/demuxer.hpp"

#include "ffmpeg/log.hpp"

#include "core/error.hpp"
#include "core/signals.hpp"

extern "C" {
#include <libavformat/avformat.h>
}

namespace ts::decode {

namespace {
const char *const not_media = "not a media file FFmpeg can read (unknown format or corrupt data)";
}
namespace {
int interrupt_cb(void *) { return signals::received() != 0 ? 1 : 0; }
} // namespace


// Exceptions cannot cross FFmpeg's C frames, so failures are kept and rethrown by fail().
int Demuxer::read_cb(void *opaque, unsigned char *buf, int size) {
    auto *io = static_cast<StreamIO *>(opaque);
    try {
        std::size_t n = io->reader->read(buf, static_cast<std::size_t>(size));
        return n == 0 ? AVERROR_EOF : static_cast<int>(n);
    } catch (const Interrupted &) {
        io->interrupted = true;
        return AVERROR_EXIT;
    } catch (const std::exception &e) {
        io->error = e.what();
        return AVERROR(EIO);
    }
}

std::int64_t Demuxer::seek_cb(void *opaque, std::int64_t offset, int whence) {
    auto *io = static_cast<StreamIO *>(opaque);
    if (whence & AVSEEK_SIZE)
        return io->reader->file_size();
    return io->reader->seek(offset, whence & ~AVSEEK_FORCE);
}

Demuxer::Demuxer(const std::string &arg, io::Reader *reader) : name_(io::display_name(arg)) {
    fmt_ = avformat_alloc_context();
    if (!fmt_)
        throw std::bad_alloc();
    fmt_->interrupt_callback.callback = interrupt_cb;
    AVDictionary *opts = nullptr;
    std::string url = io::is_url(arg) ? arg : "file:" + arg;
    if (reader) {
        const int size = 1 << 16;
        auto *buf = static_cast<uint8_t *>(av_malloc(size));
        io_.reader = reader;
        // stdin redirected from a file can seek (an mp4 with its index at the end).
        avio_ = buf ? avio_alloc_context(buf, size, 0, &io_, &read_cb, nullptr,
                                         reader->regular_file() ? &seek_cb : nullptr)
                    : nullptr;
        if (!avio_) {
            av_free(buf);
            avformat_free_context(fmt_);
            throw std::bad_alloc();
        }
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
        if (avio_) {
            av_freep(&avio_->buffer);
            avio_context_free(&avio_);
        }
        fail(ret, "cannot open");
    }
    ret = avformat_find_stream_info(fmt_, nullptr);
    if (ret < 0) {
        close();
        fail(ret, "cannot read the stream information");
    }
}

Demuxer::~Demuxer() { close(); }

void Demuxer::close() {
    avformat_close_input(&fmt_);
    if (avio_) {
        av_freep(&avio_->buffer);
        avio_context_free(&avio_);
    }
}

int Demuxer::audio_stream(int wanted) const {
    if (wanted < 0) {
        return best_audio_stream(fmt_, name_);
    }
    int seen = 0;
    for (unsigned i = 0; i < fmt_->nb_streams; ++i)
        if (fmt_->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO && seen++ == wanted)
            return static_cast<int>(i);
    throw UsageError(name_ + ": --stream " + std::to_string(wanted) + ": the input has " +
                     std::to_string(seen) + " audio stream(s), numbered from 0");
}

int best_audio_stream(AVFormatContext *fmt, const std::string &name) {
    const int idx = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    if (idx >= 0)
        return idx;
    bool other = false;
    for (unsigned i = 0; i < fmt->nb_streams; ++i)
        other = other || fmt->streams[i]->codecpar->codec_type != AVMEDIA_TYPE_AUDIO;
    if (!other)
        throw Error(name + ": " + not_media);
    throw Error(name + ": no audio stream");
}

void Demuxer::fail(int code, const std::string &what) const {
    if (io_.interrupted || code == AVERROR_EXIT)
        throw Interrupted();
    if (!io_.error.empty())
        throw Error(io_.error);
    // A file that is no media at all reads as invalid data, or, when its extension chose a
    // demuxer, as an invalid argument (.mp3) or an end of file (.ogg, .aac): one message.
    if (code == AVERROR_INVALIDDATA || code == AVERROR(EINVAL) || code == AVERROR_EOF)
        throw Error(name_ + ": " + not_media);
    throw Error(name_ + ": " + what + ": " + ffmpeg::av_error(code));
}

} // namespace ts::decode
