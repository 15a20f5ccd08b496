// The TSPCM header (man/ts-pcm.5): parse, validate and format.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ts::pcm {

enum class SampleFormat { f32le, s16le };

constexpr std::size_t max_header_bytes = 64 * 1024;
constexpr int max_channels = 64;
constexpr int max_rate = 1536000;
// The highest rate the tools resample to (--rate): libswresample's soxr engine's limit.
constexpr int max_resample_rate = 768000;
// The sample formats by name, in format_name's spelling.
inline const std::vector<std::string> sample_format_names = {"f32le", "s16le"};
constexpr std::string_view magic = "TSPCM 1\n";

std::size_t bytes_per_sample(SampleFormat format);
const char *format_name(SampleFormat format);
// Parses "f32le" or "s16le"; nullopt for anything else.
std::optional<SampleFormat> parse_format(std::string_view name);

using KeyValues = std::vector<std::pair<std::string, std::string>>;

struct Header {
    int rate = 0;
    int channels = 0;
    std::string layout;           // FFmpeg's name of the channel layout ("5.1(side)"); empty: unknown
    SampleFormat format = SampleFormat::f32le;
    std::int64_t frames = -1;     // -1: unknown
    std::optional<double> start;  // seconds into the source
    std::string source;
    std::string sha1;
    KeyValues tags;               // names without the "tag." prefix, in order
    std::vector<std::string> history;
    KeyValues extra;              // unknown keys, passed on unchanged and in order

    std::size_t frame_bytes() const { return bytes_per_sample(format) * static_cast<std::size_t>(channels); }
    double duration() const { return frames < 0 ? -1.0 : static_cast<double>(frames) / rate; }
};

// Formats a header ending with "END\n". With pad_frames, an unknown frame count is written
// with trailing spaces so that patch_frames() can fill it in place later.
std::string format_header(const Header &header, bool pad_frames = false);

// The text that replaces the frames line of a padded header, same length. Empty if the
// header was not padded or the count does not fit.
std::string frames_patch(std::int64_t frames);
// Offset of the frames value in a header formatted with pad_frames.
std::size_t frames_value_offset(const std::string &formatted);

// Parses the header text that follows the magic line, up to and including "END\n".
// Throws ts::Error ("<name>: bad TSPCM header: ...") on any violation.
Header parse_header(std::string_view text, const std::string &name);

// Escapes a value for a header line (newline as \n, backslash as \\), and back.
std::string escape_value(std::string_view value);
std::string unescape_value(std::string_view value);

} // namespace ts::pcm
