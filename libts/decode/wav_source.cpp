// The plain-WAV reader: parse the chunk list, then convert samples as libswresample does
// (u8: (x - 128) / 2^7, s16: x / 2^15, s24 and s32: x / 2^23 and x / 2^31 in float, f64 to
// the nearest float), so its output is bit-identical to the FFmpeg path's.
#include "decode/wav_source.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/signals.hpp"
#include "pcm/layout.hpp"

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace ts::decode {
namespace {

enum class Kind { u8, s16, s24, s32, f32, f64 };

std::uint32_t le32(const unsigned char *p) {
    return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
std::uint16_t le16(const unsigned char *p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }

struct Layout {
    Kind kind = Kind::s16;
    int rate = 0, channels = 0, bytes = 0;
    std::int64_t data_offset = -1, frames = 0;
    pcm::KeyValues tags;
    bool have_info = false;
    bool extensible = false;
    std::uint32_t mask = 0;      // WAVE_FORMAT_EXTENSIBLE's channel mask
    std::uint32_t byte_rate = 0; // as the fmt chunk states it
};

// RIFF INFO names as libavformat gives them (its ff_riff_info_conv); others keep their four
// letters, lower-cased as every tag name is.
const char *info_name(const std::string &id) {
    static const char *const table[][2] = {
        {"IART", "artist"}, {"ICMT", "comment"}, {"ICOP", "copyright"}, {"ICRD", "date"},
        {"IGNR", "genre"},  {"ILNG", "language"}, {"INAM", "title"},    {"IPRD", "album"},
        {"IPRT", "track"},  {"ITRK", "track"},    {"ISFT", "encoder"},  {"ISMP", "timecode"},
        {"ITCH", "encoded_by"}};
    for (const auto &row : table)
        if (id == row[0])
            return row[1];
    return nullptr;
}

// A LIST/INFO chunk's tags, read as libavformat reads them (each value up to its first NUL,
// the pad byte of an odd size included); false for anything it might read differently
// (another list type, a malformed or empty entry, a name twice), left to FFmpeg.
bool parse_info(const unsigned char *b, std::uint32_t n, Layout &l) {
    if (l.have_info || n < 4 || std::memcmp(b, "INFO", 4) != 0)
        return false;
    l.have_info = true;
    std::uint32_t off = 4;
    while (off + 8 <= n) {
        std::string id(reinterpret_cast<const char *>(b + off), 4);
        const std::uint32_t sz = le32(b + off + 4);
        for (char c : id)
            if (!std::isalnum(static_cast<unsigned char>(c)))
                return false;
        if (sz > n || off + 8 + sz + (sz & 1) > n)
            return false;
        const char *v = reinterpret_cast<const char *>(b + off + 8);
        const std::string value(v, strnlen(v, sz + (sz & 1)));
        std::string key = info_name(id) ? info_name(id) : id;
        for (char &c : key)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (value.empty())
            return false;
        for (const auto &kv : l.tags)
            if (kv.first == key)
                return false;
        l.tags.emplace_back(key, value);
        off += 8 + sz + (sz & 1);
    }
    return true;
}

// The KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT GUIDs after their first two bytes.
constexpr unsigned char guid_tail[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
                                         0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71};

bool parse_fmt(const unsigned char *f, std::uint32_t size, Layout &l) {
    if (size < 16)
        return false;
    int tag = le16(f);
    l.channels = le16(f + 2);
    l.rate = static_cast<int>(le32(f + 4));
    l.byte_rate = le32(f + 8);
    const int align = le16(f + 12), bits = le16(f + 14);
    l.extensible = tag == 0xfffe;
    if (tag == 0xfffe) {
        if (size < 40 || le16(f + 16) < 22 || le16(f + 18) != bits ||
            std::memcmp(f + 26, guid_tail, sizeof guid_tail) != 0)
            return false;
        tag = le16(f + 24);
        l.mask = le32(f + 20);
    }
    if (tag == 1 && bits == 8)
        l.kind = Kind::u8;
    else if (tag == 1 && bits == 16)
        l.kind = Kind::s16;
    else if (tag == 1 && bits == 24)
        l.kind = Kind::s24;
    else if (tag == 1 && bits == 32)
        l.kind = Kind::s32;
    else if (tag == 3 && bits == 32)
        l.kind = Kind::f32;
    else if (tag == 3 && bits == 64)
        l.kind = Kind::f64;
    else
        return false;
    l.bytes = bits / 8;
    return l.channels >= 1 && l.channels <= pcm::max_channels && l.rate > 0 &&
           l.rate <= 1000000 && align == l.channels * l.bytes;
}

// The file's layout when it is plain, else false.
bool plain_wav(io::Reader &in, Layout &l) {
    const std::int64_t size = in.file_size();
    unsigned char head[12];
    if (in.seek(0, SEEK_SET) != 0 || in.read_full(head, 12) != 12 ||
        std::memcmp(head, "RIFF", 4) != 0 || std::memcmp(head + 8, "WAVE", 4) != 0)
        return false;
    // RIFF's size may be short or long by a pad byte in files from other tools; FFmpeg goes
    // by the chunks, and so does this reader: only the chunks must fit the file.
    std::int64_t pos = 12;
    bool have_fmt = false;
    while (pos + 8 <= size) {
        unsigned char c[8];
        if (in.read_full(c, 8) != 8)
            return false;
        const std::uint32_t n = le32(c + 4);
        const std::int64_t body = pos + 8, next = body + n + (n & 1);
        if (std::memcmp(c, "fmt ", 4) == 0) {
            if (have_fmt || l.data_offset >= 0 || n > 1024)
                return false;
            unsigned char f[1024];
            if (in.read_full(f, n) != n || !parse_fmt(f, n, l))
                return false;
            have_fmt = true;
        } else if (std::memcmp(c, "data", 4) == 0) {
            if (!have_fmt || l.data_offset >= 0 || n == 0 || n == 0xffffffffu ||
                n % static_cast<std::uint32_t>(l.channels * l.bytes) != 0 || body + n > size)
                return false;
            l.data_offset = body;
            l.frames = n / (l.channels * l.bytes);
        } else if (std::memcmp(c, "LIST", 4) == 0) {
            if (n > 65536 || next > size)
                return false;
            std::vector<unsigned char> b(n);
            if (in.read_full(b.data(), n) != n || !parse_info(b.data(), n, l))
                return false;
        } else if (std::memcmp(c, "fact", 4) != 0 && std::memcmp(c, "PEAK", 4) != 0 &&
                   std::memcmp(c, "JUNK", 4) != 0 && std::memcmp(c, "junk", 4) != 0 &&
                   std::memcmp(c, "pad ", 4) != 0) {
            return false; // id3, bext, cue, ...: FFmpeg reads them
        }
        if (next > size)
            return l.data_offset >= 0 && next == size + 1 && (n & 1); // a missing last pad byte
        pos = next;
        if (in.seek(pos, SEEK_SET) != pos)
            return false;
    }
    return l.data_offset >= 0 && pos == size;
}

class WavSource : public Source {
  public:
    WavSource(const std::string &arg, std::unique_ptr<io::Reader> in, const Layout &l,
              const OpenOptions &options)
        : in_(std::move(in)), l_(l), name_(in_->name()) {
        header_.rate = l.rate;
        header_.channels = l.channels;
        if (const auto sp = pcm::mask_speakers(l.mask); static_cast<int>(sp.size()) == l.channels)
            header_.layout = pcm::layout_name(sp);
        header_.frames = l.frames;
        header_.source = arg;
        header_.tags = l.tags;
        bits_ = l.kind == Kind::f32 || l.kind == Kind::f64 ? 0 : l.bytes * 8;
        hash_.start(arg, options, header_.sha1);
        if (in_->seek(l.data_offset, SEEK_SET) != l.data_offset)
            throw Error(name_ + ": cannot seek to the audio data");
    }

    const pcm::Header &header() const override { return header_; }
    const std::string &name() const override { return name_; }
    int bits() const override { return bits_; }
    std::string sha1() override { return header_.sha1 = hash_.get(header_.sha1); }

    bool skip(std::int64_t frames) override {
        if (frames <= 0 || frames >= l_.frames - done_)
            return false;
        const std::int64_t at = l_.data_offset + (done_ + frames) * l_.channels * l_.bytes;
        log::verbose(name_ + ": seeking to frame " + std::to_string(done_ + frames));
        if (in_->seek(at, SEEK_SET) != at)
            throw Error(name_ + ": cannot seek to frame " + std::to_string(done_ + frames));
        done_ += frames;
        return true;
    }

    std::size_t read(float *dst, std::size_t max_frames) override {
        const std::int64_t left = l_.frames - done_;
        std::size_t n = static_cast<std::size_t>(std::min<std::int64_t>(left, static_cast<std::int64_t>(max_frames)));
        if (n == 0)
            return 0;
        signals::check();
        const std::size_t frame_bytes = static_cast<std::size_t>(l_.channels * l_.bytes);
        buf_.resize(n * frame_bytes);
        const std::size_t got = in_->read_full(buf_.data(), buf_.size());
        if (got != buf_.size())
            throw truncated(name_, l_.frames, done_ + static_cast<std::int64_t>(got / frame_bytes));
        convert(buf_.data(), dst, n * static_cast<std::size_t>(l_.channels));
        done_ += static_cast<std::int64_t>(n);
        return n;
    }

  private:
    void convert(const unsigned char *p, float *out, std::size_t count) const {
        switch (l_.kind) {
        case Kind::u8:
            for (std::size_t i = 0; i < count; ++i)
                out[i] = static_cast<float>(p[i] - 0x80) * (1.0f / (1 << 7));
            break;
        case Kind::s16:
            for (std::size_t i = 0; i < count; ++i)
                out[i] = static_cast<float>(static_cast<std::int16_t>(le16(p + 2 * i))) *
                         (1.0f / (1 << 15));
            break;
        case Kind::s24:
            for (std::size_t i = 0; i < count; ++i) {
                const unsigned char *s = p + 3 * i;
                const auto v = static_cast<std::int32_t>(
                    (static_cast<std::uint32_t>(s[0]) << 8) | (static_cast<std::uint32_t>(s[1]) << 16) |
                    (static_cast<std::uint32_t>(s[2]) << 24));
                out[i] = static_cast<float>(v) * (1.0f / (1U << 31));
            }
            break;
        case Kind::s32:
            for (std::size_t i = 0; i < count; ++i)
                out[i] = static_cast<float>(static_cast<std::int32_t>(le32(p + 4 * i))) *
                         (1.0f / (1U << 31));
            break;
        case Kind::f32:
            std::memcpy(out, p, count * 4);
            break;
        case Kind::f64:
            for (std::size_t i = 0; i < count; ++i) {
                double d;
                std::memcpy(&d, p + 8 * i, 8);
                out[i] = static_cast<float>(d);
            }
            break;
        }
    }

    std::unique_ptr<io::Reader> in_;
    Layout l_;
    std::string name_;
    pcm::Header header_;
    int bits_ = 0;
    std::int64_t done_ = 0;
    std::vector<unsigned char> buf_;
    FileHash hash_;
};

} // namespace

bool wav_info(io::Reader &in, MediaInfo &info) {
    if (!in.regular_file() || in.is_stdin() || !native_readers())
        return false;
    Layout l;
    const bool plain = plain_wav(in, l) && !l.extensible &&
                       l.byte_rate == static_cast<std::uint32_t>(l.rate * l.channels * l.bytes);
    if (in.seek(0, SEEK_SET) != 0)
        throw Error(in.name() + ": cannot seek back to the start");
    if (!plain)
        return false;
    static const char *const codec[] = {"pcm_u8", "pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le", "pcm_f64le"};
    static const char *const sample[] = {"u8", "s16", "s32", "s32", "flt", "dbl"};
    const auto k = static_cast<std::size_t>(l.kind);
    info.container = "wav";
    info.codec = codec[k];
    info.codec_long = pcm_codec_long(info.codec);
    info.sample_format = sample[k];
    info.bits_per_sample = l.bytes * 8;
    info.rate = l.rate;
    info.channels = l.channels;
    if (l.channels <= 2)
        info.channel_layout = l.channels == 1 ? "mono" : "stereo";
    info.bit_rate = std::int64_t{l.byte_rate} * 8;
    set_frames(info, l.frames);
    info.tags = l.tags;
    info.streams = 1;
    info.stream = 0;
    return true;
}

std::unique_ptr<Source> open_wav(const std::string &arg, std::unique_ptr<io::Reader> &in,
                                 const OpenOptions &options) {
    if (!in->regular_file() || in->is_stdin())
        return nullptr;
    if (!native_readers())
        return nullptr;
    Layout l;
    const bool plain = plain_wav(*in, l);
    if (!plain) {
        if (in->seek(0, SEEK_SET) != 0)
            throw Error(in->name() + ": cannot seek back to the start");
        return nullptr;
    }
    return std::make_unique<WavSource>(arg, std::move(in), l, options);
}

} // namespace ts::decode
