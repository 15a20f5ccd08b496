// FFmpeg encoding and muxing: float frames -> the codec's sample format -> a FIFO cut to the
// codec's frame size -> packets -> the muxer, which writes through a custom AVIOContext into
// an io::Output (its temporary file, seekable, or stdout, a stream; an mp3 on a stream gets its
// Xing/LAME frame anyway, see patch_xing).
#include "encode/ff_encoder.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "ffmpeg/log.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/crc.h>
#include <libavutil/opt.h>
}

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <type_traits>
#include <sys/stat.h>
#include <unistd.h>

namespace ts::encode {

namespace {

const AVCodec *find_codec(const Format &f, int bits) {
    std::string name = f.codec;
    if (name.empty()) { // PCM: the codec is the sample size in the container's byte order
        bool be = f.big_endian_pcm;
        name = bits == 32 ? "pcm_f32le" : std::string("pcm_s") + std::to_string(bits) + (be ? "be" : "le");
    }
    const AVCodec *c = avcodec_find_encoder_by_name(name.c_str());
    if (!c)
        throw Error(std::string(f.name) + ": this FFmpeg has no " + name + " encoder");
    return c;
}

int bits_of(const Format &f, int bits) { return bits ? bits : (f.bits.empty() ? 0 : f.bits[0]); }

// The codec's sample format we feed: float when it takes float (no conversion loss), else the
// widest integer format it takes.
AVSampleFormat pick_sample_fmt(const AVCodec *c, int bits, int source_bits) {
    static const AVSampleFormat lossy[] = {AV_SAMPLE_FMT_FLTP, AV_SAMPLE_FMT_FLT, AV_SAMPLE_FMT_S32P,
                                           AV_SAMPLE_FMT_S32, AV_SAMPLE_FMT_S16P, AV_SAMPLE_FMT_S16};
    const AVSampleFormat *have = c->sample_fmts;
    if (!have)
        return AV_SAMPLE_FMT_FLT;
    if (bits == 0 && source_bits == 16) // a lossy codec: a 16-bit source's samples as they are
        bits = 16;
    if (bits == 16 || bits == 24) // lossless integer: the smallest format that holds them
        for (AVSampleFormat want : {bits == 16 ? AV_SAMPLE_FMT_S16 : AV_SAMPLE_FMT_S32,
                                    bits == 16 ? AV_SAMPLE_FMT_S16P : AV_SAMPLE_FMT_S32P})
            for (const AVSampleFormat *p = have; *p != AV_SAMPLE_FMT_NONE; ++p)
                if (*p == want)
                    return want;
    for (AVSampleFormat want : lossy)
        for (const AVSampleFormat *p = have; *p != AV_SAMPLE_FMT_NONE; ++p)
            if (*p == want)
                return want;
    return have[0];
}

bool takes_channels(const AVCodec *c, int channels, AVChannelLayout *layout) {
    if (!c->ch_layouts) {
        if (layout)
            av_channel_layout_default(layout, channels);
        return true;
    }
    for (const AVChannelLayout *l = c->ch_layouts; l->nb_channels; ++l)
        if (l->nb_channels == channels) {
            if (layout)
                av_channel_layout_copy(layout, l);
            return true;
        }
    return false;
}

int max_channels(const AVCodec *c) {
    int m = 0;
    if (!c->ch_layouts)
        return 64;
    for (const AVChannelLayout *l = c->ch_layouts; l->nb_channels; ++l)
        m = std::max(m, l->nb_channels);
    return m;
}

// The format's bitrate limits for `channels`, in bits/s for the whole stream.
void bitrate_range(const Format &f, int channels, int &lo, int &hi) {
    const BitrateRange &r = f.bitrate_range;
    lo = r.low * std::min(channels, r.low_channels);
    hi = r.high_channels ? r.high * std::max(1, channels / r.high_channels) : r.high;
}

std::string kbps(int bps) { return std::to_string(bps / 1000) + " kb/s"; }

// Float to integer: round(x * 2^(bits-1)) clipped, the inverse of FFmpeg's decoding x / 2^(bits-1)
// (so a file decodes back within half a step, and integer-valued input exactly), placed in the
// high bits of an int32 for 24-bit samples as FFmpeg's encoders expect. In double, where
// x * 2^(bits-1) is exact; adding and taking away 1.5 * 2^52 rounds half to even (the default
// rounding mode, as nearbyint) without a call per sample, so the loops below vectorize. NaN
// gives the lowest value.
template <typename T> inline T to_int(float x, double scale, double high) {
    double v = static_cast<double>(x) * scale;
    v = v > -scale ? v : -scale;
    v = v < scale - 1 ? v : scale - 1;
    v = (v + 0x1.8p52) - 0x1.8p52;
    return static_cast<T>(v * high);
}

// The same for 16 bits in float, twice the samples per vector: x * 2^15 is exact in float too,
// and the magic constant 1.5 * 2^23 rounds half to even below 2^22, so the samples are those
// of to_int, bit for bit.
inline std::int16_t to_int16(float x) {
    float v = x * 32768.0f;
    v = v > -32768.0f ? v : -32768.0f;
    v = v < 32767.0f ? v : 32767.0f;
    v = (v + 0x1.8p23f) - 0x1.8p23f;
    return static_cast<std::int16_t>(v);
}

template <typename T>
void convert(const float *in, std::size_t n, int ch, bool planar, int bits, std::uint8_t *out) {
    T *o = reinterpret_cast<T *>(out);
    const auto chs = static_cast<std::size_t>(ch);
    if constexpr (std::is_same_v<T, float>) {
        if (!planar || ch == 1) {
            std::memcpy(o, in, n * chs * sizeof(float));
            return;
        }
        for (std::size_t c = 0; c < chs; ++c) {
            T *oc = o + c * n;
            for (std::size_t i = 0; i < n; ++i)
                oc[i] = in[i * chs + c];
        }
    } else if constexpr (std::is_same_v<T, std::int16_t>) {
        if (!planar || ch == 1) {
            for (std::size_t i = 0; i < n * chs; ++i)
                o[i] = to_int16(in[i]);
            return;
        }
        for (std::size_t c = 0; c < chs; ++c) {
            T *oc = o + c * n;
            for (std::size_t i = 0; i < n; ++i)
                oc[i] = to_int16(in[i * chs + c]);
        }
    } else {
        const double scale = std::ldexp(1.0, bits - 1);
        const double high = std::ldexp(1.0, sizeof(T) == 4 ? 32 - bits : 0);
        if (!planar || ch == 1) {
            for (std::size_t i = 0; i < n * chs; ++i)
                o[i] = to_int<T>(in[i], scale, high);
            return;
        }
        for (std::size_t c = 0; c < chs; ++c) {
            T *oc = o + c * n;
            for (std::size_t i = 0; i < n; ++i)
                oc[i] = to_int<T>(in[i * chs + c], scale, high);
        }
    }
}

} // namespace

int ff_supported_rate(const Format &format, int rate) {
    const AVCodec *c = find_codec(format, bits_of(format, 0));
    if (!c->supported_samplerates)
        return rate;
    int best = 0, highest = 0;
    for (const int *r = c->supported_samplerates; *r; ++r) {
        if (*r == rate)
            return rate;
        highest = std::max(highest, *r);
        if (*r > rate && (best == 0 || *r < best))
            best = *r;
    }
    return best ? best : highest;
}

void ff_check(const Settings &s, int channels, bool streaming) {
    const Format &f = *s.format;
    std::string n = f.name;
    if (streaming && !f.streamable)
        throw UsageError(n + " cannot be written to a pipe (its header is completed at the end); "
                             "give -o FILE");
    if (s.quality && !f.has_quality)
        throw UsageError(n + " has no --quality" + (f.lossless ? "" : "; use --bitrate"));
    if (s.quality && (*s.quality < f.quality_min || *s.quality > f.quality_max))
        throw UsageError(n + ": --quality " + std::to_string(*s.quality) + " is out of range " +
                         std::to_string(static_cast<int>(f.quality_min)) + " to " +
                         std::to_string(static_cast<int>(f.quality_max)));
    if (s.quality && s.bitrate)
        throw UsageError(n + ": give --bitrate (constant) or --quality (variable), not both");
    if (s.bitrate && f.lossless)
        throw UsageError(n + " is lossless: it has no --bitrate");
    if (s.bits && f.bits.empty())
        throw UsageError(n + " is lossy: --bits applies to wav, aiff and flac");
    if (s.bits && std::find(f.bits.begin(), f.bits.end(), s.bits) == f.bits.end())
        throw UsageError(n + " cannot hold " + std::to_string(s.bits) + "-bit samples");
    const AVCodec *c = find_codec(f, bits_of(f, s.bits));
    if (!takes_channels(c, channels, nullptr))
        throw UsageError(n + " (" + c->name + ") holds at most " + std::to_string(max_channels(c)) +
                         " channels, not " + std::to_string(channels) +
                         (channels > 2 ? "; --channels 2 downmixes to stereo, --mono to one channel"
                                       : "; use --mono"));
    if (s.bitrate) {
        int lo = 0, hi = 0;
        bitrate_range(f, channels, lo, hi);
        if (s.bitrate < lo || s.bitrate > hi)
            throw UsageError(n + ": --bitrate " + kbps(s.bitrate) + " is out of range " + kbps(lo) +
                             " to " + kbps(hi) + " for " + std::to_string(channels) +
                             (channels == 1 ? " channel" : " channels"));
    }
}

FfEncoder::FfEncoder(io::Output &out, const Settings &s, int rate, int channels, const std::string &name)
    : out_(out), name_(name), channels_(channels) {
    const Format &f = *s.format;
    const int bits = bits_of(f, s.bits);
    const AVCodec *codec = find_codec(f, bits);
    const bool seekable = out.seekable();
    open_muxer(f, seekable, s.frames);
    setup_codec(codec, s, rate, bits);
    setup_rate_control(s, rate, bits);
    open_stream(codec, s);
    write_header(f, seekable);
    make_buffers(codec);
}

// The muxer, writing through our AVIOContext into out_.
void FfEncoder::open_muxer(const Format &f, bool seekable, std::int64_t frames) {
    int r = avformat_alloc_output_context2(&fmt_, nullptr, f.muxer, nullptr);
    if (r < 0 || !fmt_)
        fail(r, std::string("cannot make a ") + f.muxer + " muxer");
    // FFmpeg's mp3 muxer writes its Xing/LAME frame only to a seekable output (it completes
    // the frame in the trailer), so a pipe would have none and a decoder would keep the
    // encoder's delay. It is told the pipe is seekable; write_pipe drops the trailer's rewrite
    // and patch_xing fills in what is known at the start.
    mp3_pipe_ = !seekable && f.lame_header_on_pipe;
    head_done_ = !mp3_pipe_;
    expected_ = frames;
    unsigned char *buf = static_cast<unsigned char *>(av_malloc(1 << 16));
    avio_ = avio_alloc_context(buf, 1 << 16, 1, this, nullptr, &FfEncoder::write_cb,
                               seekable || mp3_pipe_ ? &FfEncoder::seek_cb : nullptr);
    if (!avio_)
        throw Error(name_ + ": out of memory");
    fmt_->pb = avio_;
    // Muxers check the extension (ipod: .m4a); stdout has none, so it gets the format's.
    fmt_->url =
        av_strdup(seekable ? name_.c_str() : ("stdout." + std::string(f.extensions[0])).c_str());
    fmt_->flags |= AVFMT_FLAG_CUSTOM_IO;
    // A file is written in full 64 KiB buffers; a stream is flushed at every packet, so its
    // reader gets each one at once (FFmpeg's default flushes a custom output at every packet).
    fmt_->flush_packets = seekable ? 0 : 1;
}

// The codec's context: rate, channels, the sample format we feed and its precision.
void FfEncoder::setup_codec(const AVCodec *codec, const Settings &s, int rate, int bits) {
    const Format &f = *s.format;
    ctx_ = avcodec_alloc_context3(codec);
    ctx_->sample_rate = rate;
    takes_channels(codec, channels_, &ctx_->ch_layout);
    ctx_->sample_fmt = pick_sample_fmt(codec, bits, f.lossless ? 0 : s.source_bits);
    ctx_->time_base = AVRational{1, rate};
    if (bits == 24) {
        ctx_->bits_per_raw_sample = 24;
        bits_ = 24;
    } else if (ctx_->sample_fmt == AV_SAMPLE_FMT_S16 || ctx_->sample_fmt == AV_SAMPLE_FMT_S16P)
        bits_ = 16;
    else if (ctx_->sample_fmt == AV_SAMPLE_FMT_S32 || ctx_->sample_fmt == AV_SAMPLE_FMT_S32P)
        bits_ = 32;
    sample_fmt_ = ctx_->sample_fmt;
    if (fmt_->oformat->flags & AVFMT_GLOBALHEADER)
        ctx_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    described_ = codec->name;
}

// A lossy codec's bit rate or VBR quality; the description --verbose prints.
void FfEncoder::setup_rate_control(const Settings &s, int rate, int bits) {
    const Format &f = *s.format;
    if (!f.lossless) {
        if (s.bitrate || (!s.quality && !f.uses_vbr)) {
            ctx_->bit_rate = s.bitrate ? s.bitrate : f.default_bitrate;
            described_.append(" ").append(kbps(static_cast<int>(ctx_->bit_rate)));
            const RateControl &rc = f.rate_control;
            if (rc.option)
                av_opt_set(ctx_->priv_data, rc.option, s.bitrate ? rc.given : rc.by_default, 0);
            if (s.bitrate && rc.says_cbr)
                described_ += " CBR";
        } else {
            double q = s.quality.value_or(f.default_quality);
            ctx_->flags |= AV_CODEC_FLAG_QSCALE;
            ctx_->global_quality = static_cast<int>(std::lround(q * FF_QP2LAMBDA));
            char text[32];
            std::snprintf(text, sizeof text, " VBR quality %g", q);
            described_ += text;
        }
    } else
        described_.append(" ").append(std::to_string(bits)).append(bits == 32 ? "-bit float" : "-bit");
    described_ += " at " + std::to_string(rate) + " Hz, " + std::to_string(channels_) +
                  (channels_ == 1 ? " channel" : " channels") + ", samples " +
                  av_get_sample_fmt_name(ctx_->sample_fmt);
}

// The encoder opened, its stream and the tags.
void FfEncoder::open_stream(const AVCodec *codec, const Settings &s) {
    ffmpeg::take_error();
    int r = avcodec_open2(ctx_, codec, nullptr);
    if (r < 0)
        fail(r, std::string("cannot open the ") + codec->name + " encoder");
    st_ = avformat_new_stream(fmt_, nullptr);
    if (!st_)
        throw Error(name_ + ": out of memory");
    st_->time_base = ctx_->time_base;
    r = avcodec_parameters_from_context(st_->codecpar, ctx_);
    if (r < 0)
        fail(r, "cannot set the stream's parameters");
    AVDictionary **meta = s.format->tags_per_stream ? &st_->metadata : &fmt_->metadata;
    for (const auto &[k, v] : s.tags)
        av_dict_set(meta, k.c_str(), v.c_str(), 0);
}

void FfEncoder::write_header(const Format &f, bool seekable) {
    AVDictionary *opts = nullptr;
    // MP4 on a pipe: fragmented (an empty moov first, then a moof + mdat per second), since
    // the moov of a plain MP4 is written at the end and points back into the file.
    if (!seekable && f.fragment_on_pipe) {
        av_dict_set(&opts, "movflags", "empty_moov+default_base_moof", 0);
        av_dict_set(&opts, "frag_duration", "1000000", 0);
    }
    int r = avformat_write_header(fmt_, &opts);
    av_dict_free(&opts);
    if (r < 0)
        fail(r, "cannot write the header");
}

// The FIFO that cuts the input into the codec's frames, the frame and the packet.
void FfEncoder::make_buffers(const AVCodec *codec) {
    frame_size_ = (codec->capabilities & AV_CODEC_CAP_VARIABLE_FRAME_SIZE) || ctx_->frame_size <= 0
                      ? 4096
                      : ctx_->frame_size;
    fifo_ = av_audio_fifo_alloc(ctx_->sample_fmt, channels_, frame_size_ * 2);
    frame_ = av_frame_alloc();
    packet_ = av_packet_alloc();
    if (!fifo_ || !frame_ || !packet_)
        throw Error(name_ + ": out of memory");
}

FfEncoder::~FfEncoder() {
    av_packet_free(&packet_);
    av_frame_free(&frame_);
    if (fifo_)
        av_audio_fifo_free(fifo_);
    avcodec_free_context(&ctx_);
    if (avio_) {
        av_freep(&avio_->buffer);
        avio_context_free(&avio_);
    }
    if (fmt_)
        avformat_free_context(fmt_);
}

std::string FfEncoder::describe() const { return described_; }

void FfEncoder::rethrow_io() {
    if (io_error_) {
        auto e = io_error_;
        io_error_ = nullptr;
        std::rethrow_exception(e);
    }
}

void FfEncoder::fail(int code, const std::string &what) {
    rethrow_io();
    const std::string said = ffmpeg::take_error(); // the encoder's own reason
    throw Error(name_ + ": " + what + ": " + (said.empty() ? ffmpeg::av_error(code) : said));
}

int FfEncoder::write_cb(void *opaque, std::uint8_t *buf, int size) {
    auto *self = static_cast<FfEncoder *>(opaque);
    try {
        if (self->out_.seekable()) { // the temporary file, at the muxer's own position
            const std::uint8_t *p = buf;
            std::size_t left = static_cast<std::size_t>(size);
            while (left > 0) {
                ssize_t n = ::write(self->out_.fd(), p, left);
                if (n < 0 && errno == EINTR)
                    continue;
                if (n < 0)
                    throw Error(self->name_ + ": write failed: " + std::strerror(errno));
                p += n;
                left -= static_cast<std::size_t>(n);
            }
        } else if (self->mp3_pipe_) {
            self->write_pipe(buf, static_cast<std::size_t>(size));
        } else {
            self->out_.write(buf, static_cast<std::size_t>(size));
        }
        return size;
    } catch (...) {
        self->io_error_ = std::current_exception();
        return AVERROR(EIO);
    }
}

std::int64_t FfEncoder::seek_cb(void *opaque, std::int64_t offset, int whence) {
    auto *self = static_cast<FfEncoder *>(opaque);
    if (self->mp3_pipe_) { // a position the muxer believes in; write_pipe makes it true
        if (whence & AVSEEK_SIZE)
            return self->end_;
        switch (whence & ~AVSEEK_FORCE) {
        case SEEK_SET:
            self->pos_ = offset;
            break;
        case SEEK_CUR:
            self->pos_ += offset;
            break;
        case SEEK_END:
            self->pos_ = self->end_ + offset;
            break;
        default:
            return AVERROR(EINVAL);
        }
        return self->pos_;
    }
    int fd = self->out_.fd();
    if (whence & AVSEEK_SIZE) {
        struct stat sb;
        return fstat(fd, &sb) == 0 ? sb.st_size : AVERROR(errno);
    }
    off_t r = lseek(fd, offset, whence & ~AVSEEK_FORCE);
    return r < 0 ? AVERROR(errno) : r;
}

// The muxer's bytes at pos_: those below end_ rewrite earlier ones. While the start is held
// back in head_ (which then holds every byte from 0 to end_) they are applied there: the size
// of an ID3v2 tag too long for the muxer's buffer, a short output's completed Xing frame.
// Later they rewrite what the pipe already has (the trailer's update of the Xing frame, with
// the byte count and TOC that cannot be known at the start): dropped. The rest is new.
void FfEncoder::write_pipe(const std::uint8_t *buf, std::size_t size) {
    const std::int64_t at = pos_;
    pos_ += static_cast<std::int64_t>(size);
    if (at > end_)
        throw Error(name_ + ": the mp3 muxer skipped ahead on a pipe");
    const auto old =
        static_cast<std::size_t>(std::min(end_ - at, static_cast<std::int64_t>(size)));
    end_ = std::max(end_, pos_);
    if (old > 0 && !head_done_)
        std::memcpy(head_.data() + at, buf, old);
    if (old < size)
        send_pipe(buf + old, size - old);
    else if (old > 0 && !head_done_)
        send_pipe(buf, 0); // the rewrite may complete what patch_xing waits for
}

void FfEncoder::send_pipe(const std::uint8_t *buf, std::size_t size) {
    if (head_done_) {
        out_.write(buf, size);
        return;
    }
    head_.insert(head_.end(), buf, buf + size);
    if (patch_xing()) {
        head_done_ = true;
        out_.write(head_.data(), head_.size());
        head_ = {};
    }
}

// The Xing frame FFmpeg 5.1 writes at the start holds zeros where the trailer puts the frame
// count, the byte count, the TOC, the encoder delay and end padding, and the CRCs. Here the
// delay (known from the encoder at the start) goes in, and, when the input's length is known,
// the frame count and padding, then the tag's CRC, at the offsets of FFmpeg's mp3_update_xing.
// The byte count stays 0 (unknown) and the TOC FFmpeg's even placeholder. So FFmpeg's mp3
// demuxer skips the delay (and, with the count, trims the end): ts-decode gives back the
// input's samples at their place. Returns false while more bytes are needed.
bool FfEncoder::patch_xing() {
    const std::uint8_t *d = head_.data();
    const std::size_t have = head_.size();
    auto be32 = [&](std::size_t at) {
        return static_cast<std::uint32_t>(d[at]) << 24 |
               static_cast<std::uint32_t>(d[at + 1]) << 16 |
               static_cast<std::uint32_t>(d[at + 2]) << 8 | d[at + 3];
    };
    if (have < 10)
        return false;
    if (have > (16u << 20)) // no frame found in a tag's worth: send as is, memory bounded
        return true;
    std::size_t p = 0; // the frame follows the ID3v2 tag: 10 bytes, a syncsafe size, a footer
    if (std::memcmp(d, "ID3", 3) == 0) {
        p = static_cast<std::size_t>(d[6] & 0x7f) << 21 | (d[7] & 0x7f) << 14 |
            (d[8] & 0x7f) << 7 | (d[9] & 0x7f);
        if (p == 0) // the muxer fills in the size once the tag is written
            return false;
        p += 10 + ((d[5] & 0x10) ? 10 : 0);
    }
    if (have < p + 4)
        return false;
    const std::uint32_t h = be32(p);
    if ((h & 0xffe00000u) != 0xffe00000u)
        return true; // no frame there: nothing to patch
    const bool mpeg1 = ((h >> 19) & 3) == 3, mono = ((h >> 6) & 3) == 3;
    const std::size_t x = p + (mpeg1 ? (mono ? 21 : 36) : (mono ? 13 : 21)); // "Xing"
    if (have < std::max(x + 156, p + 190))
        return false;
    // Not FFmpeg's placeholder (a short output's frame was completed in the muxer's buffer
    // before any of it reached us): leave it.
    if (std::memcmp(d + x, "Xing", 4) != 0 || be32(x + 4) != 0x0f || be32(x + 8) != 0)
        return true;
    std::uint8_t *w = head_.data();
    // LAME's delay: FFmpeg's initial padding less the decoder's 528 + 1 (as the muxer does).
    const std::int64_t delay = std::max(0, ctx_->initial_padding - 528 - 1);
    std::int64_t padding = 0;
    if (expected_ >= 0) {
        // libmp3lame gives ceil((frames + delay + 576) / spf) frames: its flush adds 576
        // frames past the delay (measured with FFmpeg 5.1 at 8 to 48 kHz, 1 to 44677 frames).
        const std::int64_t spf = mpeg1 ? 1152 : 576;
        lame_frames_ = (expected_ + delay + 576 + spf - 1) / spf;
        padding = lame_frames_ * spf - expected_ - delay;
        for (int i = 0; i < 4; ++i)
            w[x + 8 + i] = static_cast<std::uint8_t>(lame_frames_ >> (24 - 8 * i));
    }
    const std::int64_t v =
        std::min<std::int64_t>(delay, 4095) << 12 | std::min<std::int64_t>(padding, 4095);
    for (int i = 0; i < 3; ++i)
        w[x + 141 + i] = static_cast<std::uint8_t>(v >> (16 - 8 * i));
    const unsigned crc = av_crc(av_crc_get_table(AV_CRC_16_ANSI_LE), 0, w + p, 190);
    w[x + 154] = static_cast<std::uint8_t>(crc >> 8);
    w[x + 155] = static_cast<std::uint8_t>(crc);
    return true;
}

void FfEncoder::write(const float *frames, std::size_t count) {
    const bool planar = av_sample_fmt_is_planar(static_cast<AVSampleFormat>(sample_fmt_));
    const int bps = av_get_bytes_per_sample(static_cast<AVSampleFormat>(sample_fmt_));
    planes_.resize(count * static_cast<std::size_t>(channels_ * bps));
    switch (bps) {
    case 2:
        convert<std::int16_t>(frames, count, channels_, planar, 16, planes_.data());
        break;
    case 4:
        if (bits_)
            convert<std::int32_t>(frames, count, channels_, planar, bits_, planes_.data());
        else
            convert<float>(frames, count, channels_, planar, 0, planes_.data());
        break;
    default:
        throw Error(name_ + ": unexpected sample format");
    }
    std::vector<void *> ptrs(planar ? channels_ : 1);
    for (std::size_t c = 0; c < ptrs.size(); ++c)
        ptrs[c] = planes_.data() + c * count * bps;
    if (av_audio_fifo_write(fifo_, ptrs.data(), static_cast<int>(count)) < static_cast<int>(count))
        throw Error(name_ + ": out of memory");
    while (av_audio_fifo_size(fifo_) >= frame_size_)
        send(frame_);
}

void FfEncoder::send(AVFrame *frame) {
    int r;
    if (frame) {
        int n = std::min(frame_size_, av_audio_fifo_size(fifo_));
        // One buffer of frame_size_ frames for the whole stream: the encoders copy the samples
        // and let go of the frame before avcodec_send_frame returns the next time (one that
        // kept it would get a fresh buffer from av_frame_make_writable).
        if (!frame->buf[0]) {
            frame->nb_samples = frame_size_;
            frame->format = sample_fmt_;
            frame->sample_rate = ctx_->sample_rate;
            av_channel_layout_copy(&frame->ch_layout, &ctx_->ch_layout);
            if ((r = av_frame_get_buffer(frame, 0)) < 0)
                fail(r, "cannot allocate a frame");
        }
        frame->nb_samples = frame_size_;
        if ((r = av_frame_make_writable(frame)) < 0)
            fail(r, "cannot allocate a frame");
        frame->nb_samples = n;
        av_audio_fifo_read(fifo_, reinterpret_cast<void **>(frame->data), n);
        frame->pts = next_pts_;
        next_pts_ += n;
    }
    if ((r = avcodec_send_frame(ctx_, frame)) < 0)
        fail(r, "encoding");
    for (;;) {
        r = avcodec_receive_packet(ctx_, packet_);
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
            break;
        if (r < 0)
            fail(r, "encoding");
        av_packet_rescale_ts(packet_, ctx_->time_base, st_->time_base);
        packet_->stream_index = st_->index;
        ++packets_;
        if ((r = av_write_frame(fmt_, packet_)) < 0)
            fail(r, "writing");
    }
}

void FfEncoder::finish() {
    if (av_audio_fifo_size(fifo_) > 0)
        send(frame_);
    send(nullptr);
    int r = av_write_trailer(fmt_);
    if (r < 0)
        fail(r, "writing the trailer");
    avio_flush(avio_);
    rethrow_io();
    if (avio_->error < 0)
        fail(avio_->error, "writing");
    if (!head_done_) { // a frame too short to patch
        head_done_ = true;
        out_.write(head_.data(), head_.size());
    }
    if (lame_frames_ >= 0 && (lame_frames_ != packets_ || next_pts_ != expected_))
        log::warning(name_ + ": the LAME header says " + std::to_string(lame_frames_) +
                     " mp3 frames, the stream has " + std::to_string(packets_) +
                     ": a decoder may trim its end wrongly");
}

} // namespace ts::encode
