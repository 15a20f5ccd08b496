// TSPCM reading: header with its 64 KiB bound, then samples converted to float.
#include "pcm/reader.hpp"

#include "core/error.hpp"
#include "pcm/convert.hpp"

#include <bit>
#include <cstring>

namespace ts::pcm {

static_assert(std::endian::native == std::endian::little,
              "TSPCM samples are little-endian; a big-endian host needs byte swapping here");

bool looks_like_tspcm(const char *data, std::size_t size) {
    return size >= 6 && std::memcmp(data, "TSPCM ", 6) == 0;
}

Header read_header(io::Reader &in) {
    const std::string &name = in.name();
    char first[8];
    std::size_t n = in.read_full(first, sizeof first);
    if (n < 6 || std::memcmp(first, "TSPCM ", 6) != 0)
        throw Error(name + ": not a TSPCM stream (wrong magic)");
    if (n < 8 || std::memcmp(first, magic.data(), magic.size()) != 0)
        throw Error(name + ": unsupported TSPCM version (this reader knows version 1)");
    // Read in small chunks until "\nEND\n"; the header is tiny, so the cost does not matter,
    // and reading no further than END leaves the samples in the stream.
    std::string text;
    text.reserve(512);
    char c;
    bool line_start = true;
    std::size_t end_match = 0; // characters of "END\n" matched at a line start
    for (;;) {
        if (text.size() + magic.size() >= max_header_bytes)
            throw Error(name + ": bad TSPCM header: longer than 64 KiB without an END line");
        if (in.read(&c, 1) != 1)
            throw Error(name + ": bad TSPCM header: the input ends before the END line");
        text += c;
        if (line_start || end_match > 0) {
            static constexpr char end_line[] = "END\n";
            if (c == end_line[end_match]) {
                if (++end_match == 4)
                    break;
                line_start = false;
                continue;
            }
            end_match = 0;
        }
        line_start = c == '\n';
    }
    Header h = parse_header(text, name);
    if (in.regular_file() && h.frames >= 0 && in.file_size() >= 0) {
        auto header_size = static_cast<std::int64_t>(magic.size() + text.size());
        std::int64_t have = (in.file_size() - header_size) / static_cast<std::int64_t>(h.frame_bytes());
        if (have < h.frames)
            throw Error(name + ": truncated TSPCM stream: the header says " +
                        std::to_string(h.frames) + " frames, the file holds " +
                        std::to_string(have));
    }
    return h;
}

Reader::Reader(io::Reader &in, Header header) : in_(in), header_(std::move(header)) {}

std::size_t Reader::read(float *dst, std::size_t max_frames) {
    if (header_.frames >= 0) {
        auto left = static_cast<std::size_t>(header_.frames - done_);
        max_frames = std::min(max_frames, left);
        if (max_frames == 0)
            return 0;
    }
    const std::size_t fb = header_.frame_bytes();
    const std::size_t samples_per_frame = static_cast<std::size_t>(header_.channels);
    std::size_t want = max_frames * fb;
    std::size_t got;
    if (header_.format == SampleFormat::f32le) {
        got = in_.read_full(dst, want);
    } else {
        bytes_.resize(want);
        got = in_.read_full(bytes_.data(), want);
    }
    if (got % fb != 0)
        throw Error(in_.name() + ": truncated TSPCM stream: it ends inside a frame");
    std::size_t frames = got / fb;
    if (header_.format == SampleFormat::s16le)
        s16_to_float(reinterpret_cast<const std::int16_t *>(bytes_.data()), dst,
                     frames * samples_per_frame);
    done_ += static_cast<std::int64_t>(frames);
    if (frames < max_frames && header_.frames >= 0 && done_ < header_.frames)
        throw Error(in_.name() + ": truncated TSPCM stream: the header says " +
                    std::to_string(header_.frames) + " frames, the stream ended after " +
                    std::to_string(done_));
    return frames;
}

} // namespace ts::pcm
