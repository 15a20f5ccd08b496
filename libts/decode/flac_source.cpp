// The FLAC reader: the metadata blocks parsed here as libavformat's flac demuxer reads them,
// the frames decoded by libFLAC; samples converted as libswresample converts FFmpeg's
// decoder output (x · 2^(16 - bits) / 2^15 up to 16 bits, x · 2^(32 - bits) / 2^31 above,
// that is x / 2^(bits - 1), exact in float), so the output is bit-identical to the FFmpeg
// path's.
#include "decode/flac_source.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/signals.hpp"
#include "pcm/layout.hpp"

#include <FLAC/stream_decoder.h>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace ts::decode {
namespace {

std::uint32_t be32(const unsigned char *p) {
    return (static_cast<std::uint32_t>(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}
std::uint32_t le32(const unsigned char *p) {
    return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

struct StreamInfo {
    int rate = 0, channels = 0, bits = 0;
    std::int64_t frames = 0;
    std::uint64_t mask = 0; // a valid WAVEFORMATEXTENSIBLE_CHANNEL_MASK tag, else 0
};

// libavformat's dictionary as ff_vorbis_comment and ff_metadata_conv use it: keys compared
// without case (ASCII), a key set again removed by moving the last entry into its place and
// added at the end, its old value in front of the new one when appending.
struct Dict {
    pcm::KeyValues entries;

    static bool same(const std::string &a, const std::string &b) {
        if (a.size() != b.size())
            return false;
        for (std::size_t i = 0; i < a.size(); ++i) {
            auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
            if (x >= 'a' && x <= 'z')
                x = static_cast<unsigned char>(x - 32);
            if (y >= 'a' && y <= 'z')
                y = static_cast<unsigned char>(y - 32);
            if (x != y)
                return false;
        }
        return true;
    }
    std::string *find(const std::string &key) {
        for (auto &kv : entries)
            if (same(kv.first, key))
                return &kv.second;
        return nullptr;
    }
    void set(const std::string &key, std::string value, bool append) {
        for (std::size_t i = 0; i < entries.size(); ++i) {
            if (!same(entries[i].first, key))
                continue;
            if (append)
                value = entries[i].second + value;
            entries[i] = entries.back();
            entries.pop_back();
            break;
        }
        entries.emplace_back(key, std::move(value));
    }
};

// The tags of a VORBIS_COMMENT block, named, ordered and joined as libavformat does (keys
// upper-cased, a repeated key's values joined by ';', ALBUMARTIST, TRACKNUMBER, DISCNUMBER and
// DESCRIPTION renamed, a valid WAVEFORMATEXTENSIBLE_CHANNEL_MASK taken out). False for what
// would have a side effect there: cover art or chapters in comments, a key outside printable
// ASCII.
bool parse_comments(const unsigned char *b, std::size_t size, pcm::KeyValues &tags, bool &mask,
                    std::uint64_t &mask_bits) {
    Dict d;
    if (size < 8)
        return true; // FFmpeg warns and keeps no tags
    const unsigned char *p = b, *end = b + size;
    const std::uint32_t vendor = le32(p);
    p += 4;
    if (vendor > static_cast<std::size_t>(end - p - 4) || vendor > 0x7fffffffu)
        return true;
    p += vendor;
    std::uint32_t n = le32(p);
    p += 4;
    while (end - p >= 4 && n > 0) {
        const std::uint32_t s = le32(p);
        p += 4;
        if (s > static_cast<std::size_t>(end - p) || s > 0x7fffffffu)
            break;
        const unsigned char *t = p;
        p += s;
        --n;
        const auto *eq = static_cast<const unsigned char *>(std::memchr(t, '=', s));
        if (!eq)
            continue;
        const std::size_t tl = static_cast<std::size_t>(eq - t), vl = s - tl - 1;
        if (tl == 0 || vl == 0)
            continue;
        std::string key;
        for (std::size_t j = 0; j < tl; ++j) {
            const unsigned char c = t[j];
            if (c < 0x20 || c > 0x7d)
                return false;
            key += static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
        }
        if (key == "METADATA_BLOCK_PICTURE" || key.compare(0, 7, "CHAPTER") == 0)
            return false;
        const char *v = reinterpret_cast<const char *>(eq + 1);
        std::string value(v, strnlen(v, vl)); // a C string there: up to a NUL
        if (d.find(key))
            d.set(key, ";", true);
        d.set(key, std::move(value), true);
    }
    static const char *const conv[][2] = {{"ALBUMARTIST", "album_artist"},
                                          {"TRACKNUMBER", "track"},
                                          {"DISCNUMBER", "disc"},
                                          {"DESCRIPTION", "comment"}};
    Dict out;
    for (auto &kv : d.entries) {
        std::string key = kv.first;
        for (const auto &row : conv)
            if (Dict::same(key, row[0])) {
                key = row[1];
                break;
            }
        out.set(key, std::move(kv.second), false);
    }
    // The flac demuxer takes a valid channel mask out of the tags (into the layout).
    for (std::size_t i = 0; i < out.entries.size(); ++i)
        if (Dict::same(out.entries[i].first, "WAVEFORMATEXTENSIBLE_CHANNEL_MASK")) {
            mask = true;
            const auto mask = static_cast<std::uint64_t>(std::strtol(out.entries[i].second.c_str(), nullptr, 0));
            if (mask != 0 && !(mask & ~std::uint64_t{0x3ffff})) {
                mask_bits = mask;
                out.entries[i] = out.entries.back();
                out.entries.pop_back();
            }
            break;
        }
    // As media_tags names them (tag_key), the first of two names that become one kept.
    for (auto &kv : out.entries) {
        const std::string k = tag_key(kv.first);
        bool seen = k.empty();
        for (const auto &t : tags)
            seen = seen || t.first == k;
        if (!seen)
            tags.emplace_back(k, kv.second);
    }
    return true;
}

// Whether FFmpeg takes a PICTURE block as an attached picture or skips it, reading nothing
// past it (as it does when the picture's length overruns the block).
bool picture_fits(const unsigned char *b, std::size_t size) {
    if (size < 34)
        return true; // too short: FFmpeg skips it
    std::size_t at = 4;
    const std::uint32_t mime = be32(b + at);
    at += 4;
    if (mime == 0 || mime >= 64 || mime + 24 > size - at)
        return true; // FFmpeg skips it
    at += mime;
    const std::uint32_t desc = be32(b + at);
    at += 4;
    if (desc > size - at || size - at - desc < 20)
        return true; // FFmpeg skips it
    at += desc + 16;
    const std::uint32_t data = be32(b + at);
    at += 4;
    return data <= size - at; // longer: FFmpeg reads on past the block
}

// The file's stream facts and tags when FFmpeg would read its metadata to the same result.
bool plain_flac(io::Reader &in, StreamInfo &si, pcm::KeyValues &tags, bool &mask) {
    const std::int64_t size = in.file_size();
    unsigned char h[4];
    if (in.seek(0, SEEK_SET) != 0 || in.read_full(h, 4) != 4 || std::memcmp(h, "fLaC", 4) != 0)
        return false;
    std::int64_t pos = 4;
    bool last = false, have_info = false, have_comments = false;
    std::vector<unsigned char> b;
    while (!last) {
        if (in.read_full(h, 4) != 4)
            return false;
        last = (h[0] & 0x80) != 0;
        const int type = h[0] & 0x7f;
        const std::uint32_t n = (static_cast<std::uint32_t>(h[1]) << 16) | (h[2] << 8) | h[3];
        pos += 4 + n;
        if (pos > size || (type == 0) == have_info || type > 6 || type == 5)
            return false; // STREAMINFO first and once; no CUESHEET (chapters) or unknown type
        if (type == 1 || type == 2 || type == 3) { // PADDING, APPLICATION, SEEKTABLE
            if (in.seek(pos, SEEK_SET) != pos)
                return false;
            continue;
        }
        b.resize(n);
        if (in.read_full(b.data(), n) != n)
            return false;
        if (type == 0) {
            if (n != 34)
                return false;
            const unsigned char *s = b.data() + 10;
            si.rate = static_cast<int>((s[0] << 12) | (s[1] << 4) | (s[2] >> 4));
            si.channels = ((s[2] >> 1) & 7) + 1;
            si.bits = (((s[2] & 1) << 4) | (s[3] >> 4)) + 1;
            si.frames = (static_cast<std::int64_t>(s[3] & 0x0f) << 32) | be32(s + 4);
            if (si.rate == 0 || si.bits < 4 || si.bits > 24 || si.frames == 0)
                return false;
            have_info = true;
        } else if (type == 4) {
            if (have_comments || !parse_comments(b.data(), n, tags, mask, si.mask))
                return false;
            have_comments = true;
        } else if (!picture_fits(b.data(), n)) {
            return false;
        }
    }
    return have_info;
}

// The layouts FLAC assigns to its channel counts, under FFmpeg's names.
const char *flac_layout(int channels) {
    static const char *const layout[] = {"mono", "stereo", "3.0",       "quad",
                                         "5.0(side)", "5.1(side)", "6.1", "7.1"};
    return layout[channels - 1];
}

class FlacSource : public Source {
  public:
    FlacSource(const std::string &arg, std::unique_ptr<io::Reader> in, const StreamInfo &si,
               pcm::KeyValues tags, const OpenOptions &options)
        : in_(std::move(in)), si_(si), name_(in_->name()),
          scale_(1.0f / static_cast<float>(1U << (si.bits - 1))) {
        header_.rate = si.rate;
        header_.channels = si.channels;
        header_.layout = flac_layout(si.channels);
        if (const auto sp = pcm::mask_speakers(si.mask); static_cast<int>(sp.size()) == si.channels)
            header_.layout = pcm::layout_name(sp); // as the flac demuxer takes it
        header_.frames = si.frames;
        header_.source = arg;
        header_.tags = std::move(tags);
        hash_.start(arg, options, header_.sha1);
        if (in_->seek(0, SEEK_SET) != 0)
            throw Error(name_ + ": cannot seek back to the start");
        dec_ = FLAC__stream_decoder_new();
        if (!dec_)
            throw std::bad_alloc();
        FLAC__stream_decoder_set_md5_checking(dec_, false);
        if (FLAC__stream_decoder_init_stream(dec_, on_read, on_seek, on_tell, on_length, on_eof,
                                             on_write, nullptr, on_error, this) !=
            FLAC__STREAM_DECODER_INIT_STATUS_OK) {
            FLAC__stream_decoder_delete(dec_);
            throw Error(name_ + ": cannot start the FLAC decoder");
        }
    }
    ~FlacSource() override { FLAC__stream_decoder_delete(dec_); }
    FlacSource(const FlacSource &) = delete;
    FlacSource &operator=(const FlacSource &) = delete;

    const pcm::Header &header() const override { return header_; }
    const std::string &name() const override { return name_; }
    int bits() const override { return si_.bits; }
    std::string sha1() override { return header_.sha1 = hash_.get(header_.sha1); }

    // libFLAC's sample-exact seek: it hands the frame holding the target from the target on.
    bool skip(std::int64_t frames) override {
        const auto ch = static_cast<std::size_t>(si_.channels);
        const std::int64_t given = decoded_ - static_cast<std::int64_t>(pending_.size() / ch - at_);
        const std::int64_t target = given + frames;
        if (frames <= 0 || target >= si_.frames || done_)
            return false;
        log::verbose(name_ + ": seeking to frame " + std::to_string(target));
        pending_.clear();
        at_ = 0;
        seeking_ = true;
        const bool ok = FLAC__stream_decoder_seek_absolute(dec_, static_cast<FLAC__uint64>(target)) != 0;
        seeking_ = false;
        if (!ok || !problem_.empty())
            throw Error(name_ + ": cannot seek to " + at(target) + ": " +
                        (problem_.empty() ? std::string("corrupt FLAC data") : problem_));
        decoded_ = target + static_cast<std::int64_t>(pending_.size() / ch);
        eof_ = false;
        return true;
    }

    std::size_t read(float *dst, std::size_t max_frames) override {
        const auto ch = static_cast<std::size_t>(si_.channels);
        std::size_t got = 0;
        while (got < max_frames) {
            if (at_ == pending_.size() / ch) {
                if (!next_block())
                    break;
                continue;
            }
            const std::size_t n = std::min(max_frames - got, pending_.size() / ch - at_);
            std::memcpy(dst + got * ch, pending_.data() + at_ * ch, n * ch * sizeof(float));
            at_ += n;
            got += n;
        }
        return got;
    }

  private:
    // Decodes the next frame into pending_; false at the end of the stream.
    bool next_block() {
        pending_.clear();
        at_ = 0;
        while (pending_.empty()) {
            if (done_ || FLAC__stream_decoder_get_state(dec_) == FLAC__STREAM_DECODER_END_OF_STREAM) {
                if (decoded_ < si_.frames)
                    throw truncated(name_, si_.frames, decoded_);
                return false;
            }
            signals::check();
            const bool ok = FLAC__stream_decoder_process_single(dec_) != 0;
            if (!problem_.empty()) {
                pending_.clear();
                if (decoded_ >= si_.frames) { // bytes after the declared audio (an ID3v1 tag)
                    done_ = true;
                    continue;
                }
                if (eof_)
                    throw truncated(name_, si_.frames, decoded_); // the last frame cut by the end of the file
                throw Error(name_ + ": corrupt FLAC data at " + at(decoded_) + ": " + problem_ +
                            " (TS_DECODE_NATIVE=0 decodes the damage as FFmpeg does)");
            }
            if (!ok && FLAC__stream_decoder_get_state(dec_) != FLAC__STREAM_DECODER_END_OF_STREAM)
                throw Error(name_ + (read_error_ ? std::string(": read error")
                                                 : std::string(": FLAC decoding failed (") +
                                                       FLAC__StreamDecoderStateString[FLAC__stream_decoder_get_state(dec_)] + ")"));
        }
        decoded_ += static_cast<std::int64_t>(pending_.size() / static_cast<std::size_t>(si_.channels));
        return true;
    }

    std::string at(std::int64_t frame) const {
        return seconds(static_cast<double>(frame) / si_.rate) + " (frame " + std::to_string(frame) + ")";
    }

    static FLAC__StreamDecoderReadStatus on_read(const FLAC__StreamDecoder *, FLAC__byte buffer[],
                                                 std::size_t *bytes, void *self) {
        auto *s = static_cast<FlacSource *>(self);
        try {
            *bytes = s->in_->read(buffer, *bytes);
        } catch (const std::exception &) {
            s->read_error_ = true;
            return FLAC__STREAM_DECODER_READ_STATUS_ABORT;
        }
        if (*bytes == 0) {
            s->eof_ = true;
            return FLAC__STREAM_DECODER_READ_STATUS_END_OF_STREAM;
        }
        return FLAC__STREAM_DECODER_READ_STATUS_CONTINUE;
    }

    static FLAC__StreamDecoderSeekStatus on_seek(const FLAC__StreamDecoder *, FLAC__uint64 offset, void *self) {
        auto *s = static_cast<FlacSource *>(self);
        const auto at = static_cast<std::int64_t>(offset);
        s->eof_ = false;
        return s->in_->seek(at, SEEK_SET) == at ? FLAC__STREAM_DECODER_SEEK_STATUS_OK
                                                : FLAC__STREAM_DECODER_SEEK_STATUS_ERROR;
    }
    static FLAC__StreamDecoderTellStatus on_tell(const FLAC__StreamDecoder *, FLAC__uint64 *offset, void *self) {
        const std::int64_t at = static_cast<FlacSource *>(self)->in_->seek(0, SEEK_CUR);
        if (at < 0)
            return FLAC__STREAM_DECODER_TELL_STATUS_ERROR;
        *offset = static_cast<FLAC__uint64>(at);
        return FLAC__STREAM_DECODER_TELL_STATUS_OK;
    }
    static FLAC__StreamDecoderLengthStatus on_length(const FLAC__StreamDecoder *, FLAC__uint64 *length, void *self) {
        *length = static_cast<FLAC__uint64>(static_cast<FlacSource *>(self)->in_->file_size());
        return FLAC__STREAM_DECODER_LENGTH_STATUS_OK;
    }
    static FLAC__bool on_eof(const FLAC__StreamDecoder *, void *self) {
        auto *s = static_cast<FlacSource *>(self);
        if (!s->eof_ && s->in_->seek(0, SEEK_CUR) >= s->in_->file_size())
            s->eof_ = true;
        return s->eof_;
    }

    static FLAC__StreamDecoderWriteStatus on_write(const FLAC__StreamDecoder *, const FLAC__Frame *f,
                                                   const FLAC__int32 *const buffer[], void *self) {
        auto *s = static_cast<FlacSource *>(self);
        const FLAC__FrameHeader &h = f->header;
        if (!s->problem_.empty())
            return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
        if (static_cast<int>(h.channels) != s->si_.channels || static_cast<int>(h.sample_rate) != s->si_.rate ||
            static_cast<int>(h.bits_per_sample) != s->si_.bits) {
            s->problem_ = "the audio format changes (" + std::to_string(h.sample_rate) + " Hz, " +
                          std::to_string(h.channels) + " channels, " + std::to_string(h.bits_per_sample) +
                          " bits)";
            return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
        }
        const std::size_t ch = h.channels, n = h.blocksize;
        s->pending_.resize(n * ch);
        float *out = s->pending_.data();
        const float k = s->scale_;
        if (ch == 2) {
            const FLAC__int32 *l = buffer[0], *r = buffer[1];
            for (std::size_t i = 0; i < n; ++i) {
                out[2 * i] = static_cast<float>(l[i]) * k;
                out[2 * i + 1] = static_cast<float>(r[i]) * k;
            }
        } else {
            for (std::size_t c = 0; c < ch; ++c) {
                const FLAC__int32 *in = buffer[c];
                for (std::size_t i = 0; i < n; ++i)
                    out[i * ch + c] = static_cast<float>(in[i]) * k;
            }
        }
        return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE;
    }

    static void on_error(const FLAC__StreamDecoder *, FLAC__StreamDecoderErrorStatus status, void *self) {
        auto *s = static_cast<FlacSource *>(self);
        if (!s->problem_.empty() || s->seeking_)
            return; // a seek's probes land anywhere; it fails itself if the file is damaged
        switch (status) {
        case FLAC__STREAM_DECODER_ERROR_STATUS_LOST_SYNC:
            s->problem_ = "bytes that are not a frame";
            break;
        case FLAC__STREAM_DECODER_ERROR_STATUS_BAD_HEADER:
            s->problem_ = "a bad frame header";
            break;
        case FLAC__STREAM_DECODER_ERROR_STATUS_FRAME_CRC_MISMATCH:
            s->problem_ = "a frame whose CRC does not match its bytes";
            break;
        default:
            s->problem_ = std::string("libFLAC: ") + FLAC__StreamDecoderErrorStatusString[status];
        }
    }

    std::unique_ptr<io::Reader> in_;
    StreamInfo si_;
    std::string name_;
    float scale_;
    pcm::Header header_;
    FLAC__StreamDecoder *dec_ = nullptr;
    std::vector<float> pending_; // the last decoded frame, interleaved
    std::size_t at_ = 0;         // frames of it already given
    std::int64_t decoded_ = 0;
    std::string problem_;        // the first error libFLAC reported
    bool eof_ = false, read_error_ = false, done_ = false, seeking_ = false;
    FileHash hash_; // declared last: its thread stops first
};

} // namespace

bool flac_info(const std::string &arg, io::Reader &in, MediaInfo &info) {
    if (!in.regular_file() || in.is_stdin() || !native_readers())
        return false;
    StreamInfo si;
    pcm::KeyValues tags;
    bool mask = false;
    const bool plain = plain_flac(in, si, tags, mask) && !mask;
    if (in.seek(0, SEEK_SET) != 0)
        throw Error(in.name() + ": cannot seek back to the start");
    if (!plain)
        return false;
    // The judgement ts-decode makes: a file cut short is an error, found here by libFLAC's
    // seek to the last sample (it reads the frame holding it), not by decoding it all.
    if (si.frames > 1) {
        OpenOptions quick;
        quick.sha1 = false;
        bool whole = false;
        try {
            FlacSource probe(arg, std::make_unique<io::Reader>(arg), si, {}, quick);
            std::vector<float> last(static_cast<std::size_t>(si.channels));
            whole = probe.skip(si.frames - 1) && probe.read(last.data(), 1) == 1;
        } catch (const Error &) {
        }
        if (!whole)
            throw Error(in.name() + ": truncated: the container declares " +
                        std::to_string(si.frames) + " frames and the last of them cannot be "
                        "read (ts-decode tells how many the data holds)");
    }
    info.container = "flac";
    info.codec = "flac";
    info.codec_long = "FLAC (Free Lossless Audio Codec)";
    info.sample_format = si.bits <= 16 ? "s16" : "s32";
    info.bits_per_sample = si.bits;
    info.rate = si.rate;
    info.channels = si.channels;
    info.channel_layout = flac_layout(si.channels);
    // libavformat's: the file's bits over the duration in microseconds, rounded to nearest.
    const std::int64_t us = (si.frames * 1000000 + si.rate / 2) / si.rate;
    if (us > 0)
        info.bit_rate = static_cast<std::int64_t>(static_cast<double>(in.file_size()) * 8.0 * 1e6 /
                                                  static_cast<double>(us));
    set_frames(info, si.frames);
    info.tags = std::move(tags);
    info.streams = 1;
    info.stream = 0;
    return true;
}

std::unique_ptr<Source> open_flac(const std::string &arg, std::unique_ptr<io::Reader> &in,
                                  const OpenOptions &options) {
    if (!in->regular_file() || in->is_stdin() || !native_readers() || options.stream > 0)
        return nullptr;
    StreamInfo si;
    pcm::KeyValues tags;
    bool mask = false;
    if (!plain_flac(*in, si, tags, mask)) {
        if (in->seek(0, SEEK_SET) != 0)
            throw Error(in->name() + ": cannot seek back to the start");
        return nullptr;
    }
    return std::make_unique<FlacSource>(arg, std::move(in), si, std::move(tags), options);
}

} // namespace ts::decode
