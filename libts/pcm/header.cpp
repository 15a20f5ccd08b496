// TSPCM header text: strict about required keys and values, tolerant of unknown keys.
#include "pcm/header.hpp"

#include "pcm/layout.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <charconv>
#include <vector>
#include <cmath>

namespace ts::pcm {
namespace {
constexpr std::size_t frames_width = 20; // digits reserved for a frame count patched later

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

template <class T> bool parse_number(std::string_view s, T &out) {
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && ptr == s.data() + s.size();
}

std::string format_double(double v) {
    char buf[64];
    auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, ptr);
}
} // namespace

std::size_t bytes_per_sample(SampleFormat format) { return format == SampleFormat::f32le ? 4 : 2; }

const char *format_name(SampleFormat format) {
    return format == SampleFormat::f32le ? "f32le" : "s16le";
}

std::optional<SampleFormat> parse_format(std::string_view name) {
    if (name == "f32le")
        return SampleFormat::f32le;
    if (name == "s16le")
        return SampleFormat::s16le;
    return std::nullopt;
}

std::string escape_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else
            out += c;
    }
    return out;
}

std::string unescape_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) {
            char n = value[++i];
            out += n == 'n' ? '\n' : n == 'r' ? '\r' : n;
        } else {
            out += value[i];
        }
    }
    return out;
}

std::string format_header(const Header &h, bool pad_frames) {
    std::string out(magic);
    out += "rate: " + std::to_string(h.rate) + "\n";
    out += "channels: " + std::to_string(h.channels) + "\n";
    // mono and stereo go without saying
    if (!h.layout.empty() && !(h.channels <= 2 && h.layout == default_layout(h.channels)))
        out += "layout: " + escape_value(h.layout) + "\n";
    out += std::string("format: ") + format_name(h.format) + "\n";
    std::string frames = h.frames < 0 ? "unknown" : std::to_string(h.frames);
    if (pad_frames && frames.size() < frames_width)
        frames.resize(frames_width, ' ');
    out += "frames: " + frames + "\n";
    if (h.start)
        out += "start: " + format_double(*h.start) + "\n";
    if (!h.source.empty())
        out += "source: " + escape_value(h.source) + "\n";
    if (!h.sha1.empty())
        out += "sha1: " + h.sha1 + "\n";
    for (const auto &[k, v] : h.tags)
        out += "tag." + k + ": " + escape_value(v) + "\n";
    for (const auto &[k, v] : h.extra)
        out += k + ": " + escape_value(v) + "\n";
    for (const auto &line : h.history)
        out += "history: " + escape_value(line) + "\n";
    out += "END\n";
    return out;
}

std::size_t frames_value_offset(const std::string &formatted) {
    auto pos = formatted.find("\nframes: ");
    return pos == std::string::npos ? std::string::npos : pos + 9;
}

std::string frames_patch(std::int64_t frames) {
    std::string s = std::to_string(frames);
    if (s.size() > frames_width)
        return {};
    s.resize(frames_width, ' ');
    return s;
}

Header parse_header(std::string_view text, const std::string &name) {
    auto fail = [&](const std::string &why) -> Error {
        return Error(name + ": bad TSPCM header: " + why);
    };
    Header h;
    bool have_rate = false, have_channels = false, have_format = false, ended = false;
    std::vector<std::string_view> seen;
    std::size_t pos = 0;
    int line_no = 1;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        if (nl == std::string_view::npos)
            throw fail("line " + std::to_string(line_no + 1) + " does not end");
        std::string_view line = text.substr(pos, nl - pos);
        pos = nl + 1;
        ++line_no;
        if (line == "END") {
            ended = true;
            break;
        }
        auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0)
            throw fail("line " + std::to_string(line_no) + " is not 'key: value'");
        std::string_view key = trim(line.substr(0, colon));
        std::string_view raw = trim(line.substr(colon + 1));
        // Only history repeats: readers that take the first of two rates and readers that
        // take the last would disagree on the same stream.
        if (key != "history") {
            if (std::find(seen.begin(), seen.end(), key) != seen.end())
                throw fail("line " + std::to_string(line_no) + " repeats the key '" +
                           std::string(key) + "'");
            seen.push_back(key);
        }
        std::string value = unescape_value(raw);
        if (key == "rate") {
            if (!parse_number(raw, h.rate) || h.rate < 1 || h.rate > max_rate)
                throw fail("rate '" + value + "' is not a sample rate in Hz (1 to " +
                           std::to_string(max_rate) + ")");
            have_rate = true;
        } else if (key == "channels") {
            if (!parse_number(raw, h.channels) || h.channels < 1 || h.channels > max_channels)
                throw fail("channels '" + value + "' is not a count from 1 to 64");
            have_channels = true;
        } else if (key == "layout") {
            h.layout = value;
        } else if (key == "format") {
            auto f = parse_format(raw);
            if (!f)
                throw fail("format '" + value + "' is not f32le or s16le");
            h.format = *f;
            have_format = true;
        } else if (key == "frames") {
            if (raw == "unknown")
                h.frames = -1;
            else if (!parse_number(raw, h.frames) || h.frames < 0)
                throw fail("frames '" + value + "' is not a count or 'unknown'");
        } else if (key == "start") {
            double s = 0;
            if (!parse_number(raw, s) || !std::isfinite(s) || s < 0)
                throw fail("start '" + value + "' is not a time in seconds");
            h.start = s;
        } else if (key == "source") {
            h.source = value;
        } else if (key == "sha1") {
            h.sha1 = value;
        } else if (key == "history") {
            h.history.push_back(value);
        } else if (key.substr(0, 4) == "tag." && key.size() > 4) {
            h.tags.emplace_back(std::string(key.substr(4)), value);
        } else {
            h.extra.emplace_back(std::string(key), value);
        }
    }
    if (!ended)
        throw fail("no END line");
    if (!have_rate)
        throw fail("the required key 'rate' is missing");
    if (!have_channels)
        throw fail("the required key 'channels' is missing");
    if (!have_format)
        throw fail("the required key 'format' is missing");
    if (!h.layout.empty()) {
        const auto speakers = parse_layout(h.layout);
        if (!speakers || static_cast<int>(speakers->size()) != h.channels)
            throw fail("layout '" + h.layout + "' does not name " + std::to_string(h.channels) +
                       " channel" + (h.channels == 1 ? "" : "s") +
                       " (a name as 5.1(side), or channels as FL+FR+FC)");
    }
    return h;
}

} // namespace ts::pcm
