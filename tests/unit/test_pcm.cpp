// Unit tests: the TSPCM header, reader, writer and sample conversions (design §3).
#include <doctest/doctest.h>

#include "support.hpp"

#include "core/error.hpp"
#include "io/input.hpp"
#include "io/output.hpp"
#include "pcm/convert.hpp"
#include "pcm/header.hpp"
#include "pcm/layout.hpp"
#include "pcm/reader.hpp"
#include "pcm/writer.hpp"

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

using ts::pcm::Header;
using ts::pcm::SampleFormat;

using namespace ts::test;

namespace {

std::string bytes_of(const void *data, std::size_t size) {
    return std::string(static_cast<const char *>(data), size);
}

// A regular file under /tmp holding the given bytes, removed at the end of the scope.
class TempFile {
  public:
    explicit TempFile(const std::string &bytes) {
        char name[] = "/tmp/ts-unit-pcm-XXXXXX";
        int fd = mkstemp(name);
        REQUIRE(fd >= 0);
        path_ = name;
        std::size_t done = 0;
        while (done < bytes.size()) {
            ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
            REQUIRE(n > 0);
            done += static_cast<std::size_t>(n);
        }
        REQUIRE(close(fd) == 0);
    }
    ~TempFile() { unlink(path_.c_str()); }
    TempFile(const TempFile &) = delete;
    TempFile &operator=(const TempFile &) = delete;
    const std::string &path() const { return path_; }

  private:
    std::string path_;
};

// A path under /tmp that does not exist yet; whatever is there at the end is removed.
class TempPath {
  public:
    TempPath() {
        char name[] = "/tmp/ts-unit-pcm-out-XXXXXX";
        REQUIRE(mkdtemp(name) != nullptr);
        dir_ = name;
        path_ = dir_ + "/out.tspcm";
    }
    ~TempPath() {
        unlink(path_.c_str());
        rmdir(dir_.c_str());
    }
    const std::string &path() const { return path_; }

  private:
    std::string dir_, path_;
};

// An io::Reader over a pipe fed with `bytes` by a thread, so the input is not a regular file
// and may be larger than the pipe's buffer.
class PipeFeed {
  public:
    explicit PipeFeed(std::string bytes) {
        std::signal(SIGPIPE, SIG_IGN); // the reader may stop early; the writer then sees EPIPE
        int fds[2];
        REQUIRE(pipe(fds) == 0);
        name_ = "/dev/fd/" + std::to_string(fds[0]);
        reader_ = std::make_unique<ts::io::Reader>(name_);
        close(fds[0]); // the reader holds its own descriptor now
        thread_ = std::thread([fd = fds[1], data = std::move(bytes)] {
            std::size_t done = 0;
            while (done < data.size()) {
                ssize_t n = ::write(fd, data.data() + done, data.size() - done);
                if (n <= 0)
                    break;
                done += static_cast<std::size_t>(n);
            }
            close(fd);
        });
    }
    ~PipeFeed() {
        reader_.reset();
        thread_.join();
    }
    PipeFeed(const PipeFeed &) = delete;
    PipeFeed &operator=(const PipeFeed &) = delete;
    ts::io::Reader &reader() { return *reader_; }
    const std::string &name() const { return name_; }

  private:
    std::string name_;
    std::unique_ptr<ts::io::Reader> reader_;
    std::thread thread_;
};

Header basic_header(int rate, int channels, SampleFormat format, std::int64_t frames) {
    Header h;
    h.rate = rate;
    h.channels = channels;
    h.format = format;
    h.frames = frames;
    return h;
}

// A header using every key the format defines, with values that need escaping.
Header full_header() {
    Header h = basic_header(44100, 2, SampleFormat::s16le, 1323000);
    h.start = 12.345;
    h.source = "music\\live/song\nname.mp3";
    h.sha1 = "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12";
    h.tags = {{"title", "Song: the title"}, {"artist", "A\\B"}, {"comment", "one\ntwo"}};
    h.history = {"ts-decode --rate 44100 'a b.mp3'", "ts-mix --mono", "ts-gain -6"};
    h.extra = {{"zeta", "first unknown"}, {"alpha", "second"}, {"x-literal", "not\\na newline"}};
    return h;
}

// Parses a whole formatted header (magic included) as read_header would.
Header parse_formatted(const std::string &text, const std::string &name = "test") {
    REQUIRE(text.rfind(std::string(ts::pcm::magic), 0) == 0);
    return ts::pcm::parse_header(std::string_view(text).substr(ts::pcm::magic.size()), name);
}

// The header body after the magic, from required keys plus any extra lines.
std::string body(const std::string &lines) {
    return "rate: 44100\nchannels: 2\nformat: f32le\n" + lines + "END\n";
}

void check_same(const Header &a, const Header &b) {
    CHECK(a.rate == b.rate);
    CHECK(a.channels == b.channels);
    CHECK(a.format == b.format);
    CHECK(a.frames == b.frames);
    CHECK(a.start.has_value() == b.start.has_value());
    if (a.start && b.start)
        CHECK(*a.start == *b.start);
    CHECK(a.source == b.source);
    CHECK(a.sha1 == b.sha1);
    CHECK(a.tags == b.tags);
    CHECK(a.history == b.history);
    CHECK(a.extra == b.extra);
}

std::vector<float> test_samples(std::size_t frames, int channels) {
    std::vector<float> v(frames * static_cast<std::size_t>(channels));
    for (std::size_t i = 0; i < v.size(); ++i)
        v[i] = 0.9f * std::sin(0.001f * static_cast<float>(i * i % 100003)) - 0.01f;
    return v;
}

std::string tspcm_bytes(const Header &h, const std::vector<float> &samples) {
    return ts::pcm::format_header(h) + bytes_of(samples.data(), samples.size() * sizeof(float));
}

} // namespace

TEST_CASE("pcm: format names, sample sizes and the magic") {
    CHECK(ts::pcm::bytes_per_sample(SampleFormat::f32le) == 4);
    CHECK(ts::pcm::bytes_per_sample(SampleFormat::s16le) == 2);
    CHECK(std::string(ts::pcm::format_name(SampleFormat::f32le)) == "f32le");
    CHECK(std::string(ts::pcm::format_name(SampleFormat::s16le)) == "s16le");
    CHECK(ts::pcm::parse_format("f32le") == SampleFormat::f32le);
    CHECK(ts::pcm::parse_format("s16le") == SampleFormat::s16le);
    CHECK_FALSE(ts::pcm::parse_format("f64le").has_value());
    CHECK_FALSE(ts::pcm::parse_format("F32LE").has_value());
    CHECK_FALSE(ts::pcm::parse_format("").has_value());

    Header h = basic_header(48000, 6, SampleFormat::s16le, 96000);
    CHECK(h.frame_bytes() == 12);
    CHECK(h.duration() == doctest::Approx(2.0));
    h.frames = -1;
    CHECK(h.duration() < 0);

    CHECK(ts::pcm::looks_like_tspcm("TSPCM 1\n", 8));
    CHECK(ts::pcm::looks_like_tspcm("TSPCM 2\n", 8)); // any version: the reader says which
    CHECK_FALSE(ts::pcm::looks_like_tspcm("TSPCM", 5));
    CHECK_FALSE(ts::pcm::looks_like_tspcm("RIFF\0\0\0\0", 8));
}

TEST_CASE("pcm: the minimal header is formatted exactly as the design shows") {
    Header h = basic_header(44100, 2, SampleFormat::f32le, 1323000);
    CHECK(ts::pcm::format_header(h) ==
          "TSPCM 1\nrate: 44100\nchannels: 2\nformat: f32le\nframes: 1323000\nEND\n");
    h.frames = -1;
    CHECK(ts::pcm::format_header(h) ==
          "TSPCM 1\nrate: 44100\nchannels: 2\nformat: f32le\nframes: unknown\nEND\n");
}

TEST_CASE("pcm: a header with every key survives format and parse") {
    const Header h = full_header();
    const std::string text = ts::pcm::format_header(h);

    // One line per key: the newline and backslash inside values are escaped.
    CHECK(contains(text, "\nsource: music\\\\live/song\\nname.mp3\n"));
    CHECK(contains(text, "\ntag.comment: one\\ntwo\n"));
    CHECK(contains(text, "\ntag.artist: A\\\\B\n"));
    CHECK(contains(text, "\nx-literal: not\\\\na newline\n"));
    CHECK(contains(text, "\nformat: s16le\n"));
    CHECK(contains(text, "\nstart: 12.345\n"));
    CHECK(contains(text, "\nsha1: 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12\n"));
    // Lines: magic, rate, channels, format, frames, start, source, sha1, 3 tags, 3 unknown,
    // 3 history, END.
    CHECK(std::count(text.begin(), text.end(), '\n') == 18);
    // History lines keep their order, and so do unknown keys.
    CHECK(text.find("history: ts-decode") < text.find("history: ts-mix"));
    CHECK(text.find("history: ts-mix") < text.find("history: ts-gain"));
    CHECK(text.find("\nzeta:") < text.find("\nalpha:"));
    CHECK(text.find("\nalpha:") < text.find("\nx-literal:"));
    CHECK(text.substr(text.size() - 4) == "END\n");

    const Header back = parse_formatted(text);
    check_same(h, back);
    CHECK(back.source == "music\\live/song\nname.mp3");
    CHECK(back.tags[2].second == "one\ntwo");
    CHECK(back.extra[2].second == "not\\na newline");
    REQUIRE(back.extra.size() == 3);
    CHECK(back.extra[0].first == "zeta");
    CHECK(back.extra[1].first == "alpha");
    CHECK(back.extra[2].first == "x-literal");
    // A second pass changes nothing.
    CHECK(ts::pcm::format_header(back) == text);
}

TEST_CASE("pcm: escape_value and unescape_value are inverse") {
    CHECK(ts::pcm::escape_value("a\nb") == "a\\nb");
    CHECK(ts::pcm::escape_value("a\\b") == "a\\\\b");
    CHECK(ts::pcm::escape_value("a\\nb") == "a\\\\nb");
    CHECK(ts::pcm::escape_value("a\rb") == "a\\rb");
    CHECK(ts::pcm::escape_value("plain: text") == "plain: text");
    CHECK(ts::pcm::unescape_value("a\\nb") == "a\nb");
    CHECK(ts::pcm::unescape_value("a\\\\nb") == "a\\nb");
    CHECK(ts::pcm::unescape_value("end\\") == "end\\"); // a lone final backslash stays
    for (std::string v : {"", "\\", "\n", "\\\\n", "x\n\\\ny", "tab\there", "\r\n", "ünï"})
        CHECK(ts::pcm::unescape_value(ts::pcm::escape_value(v)) == v);
}

TEST_CASE("pcm: frames unknown, and the padded frames field") {
    Header h = parse_formatted("TSPCM 1\n" + body("frames: unknown\n"));
    CHECK(h.frames == -1);
    h = ts::pcm::parse_header(body(""), "x"); // frames may be left out: unknown
    CHECK(h.frames == -1);
    h = ts::pcm::parse_header(body("frames: 0\n"), "x");
    CHECK(h.frames == 0);
    h = ts::pcm::parse_header(body("frames: 9000000000\n"), "x"); // beyond 32 bits
    CHECK(h.frames == 9000000000LL);

    Header u = basic_header(8000, 1, SampleFormat::f32le, -1);
    const std::string padded = ts::pcm::format_header(u, true);
    const std::size_t at = ts::pcm::frames_value_offset(padded);
    REQUIRE(at != std::string::npos);
    const std::string patch = ts::pcm::frames_patch(1234567);
    CHECK(patch.substr(0, 7) == "1234567");
    CHECK(patch.find_first_not_of(' ', 7) == std::string::npos);
    REQUIRE(padded.substr(at, 7) == "unknown");
    REQUIRE(padded[at + patch.size()] == '\n'); // the patch fits the padded field exactly
    std::string patched = padded;
    patched.replace(at, patch.size(), patch);
    CHECK(patched.size() == padded.size());
    CHECK(parse_formatted(patched).frames == 1234567);
    CHECK(parse_formatted(padded).frames == -1);
    // The largest count there can be still fits.
    CHECK(ts::pcm::frames_patch(std::numeric_limits<std::int64_t>::max()).size() == patch.size());
    // Without padding there is nothing to patch into.
    CHECK(ts::pcm::format_header(u, false).find("unknown\n") != std::string::npos);
}

TEST_CASE("pcm: the parser tolerates spacing and carriage returns") {
    Header h = ts::pcm::parse_header("rate:8000\n  channels  :   1\t\nformat: s16le\r\nEND\n", "x");
    CHECK(h.rate == 8000);
    CHECK(h.channels == 1);
    CHECK(h.format == SampleFormat::s16le);
    h = ts::pcm::parse_header(body("tag.: odd\nsource:\n"), "x");
    CHECK(h.source.empty());
    REQUIRE(h.extra.size() == 1); // "tag." with no name is an unknown key, passed on
    CHECK(h.extra[0].first == "tag.");
}

TEST_CASE("pcm: every malformed header throws ts::Error naming the input") {
    struct Case {
        const char *what;
        std::string text; // after the magic
        const char *says; // part of the message
    };
    const std::vector<Case> cases = {
        {"missing rate", "channels: 2\nformat: f32le\nEND\n", "'rate' is missing"},
        {"missing channels", "rate: 44100\nformat: f32le\nEND\n", "'channels' is missing"},
        {"missing format", "rate: 44100\nchannels: 2\nEND\n", "'format' is missing"},
        {"rate 0", "rate: 0\nchannels: 2\nformat: f32le\nEND\n", "rate '0'"},
        {"rate abc", "rate: abc\nchannels: 2\nformat: f32le\nEND\n", "rate 'abc'"},
        {"rate 12abc", "rate: 12abc\nchannels: 2\nformat: f32le\nEND\n", "rate '12abc'"},
        {"rate -44100", "rate: -44100\nchannels: 2\nformat: f32le\nEND\n", "rate '-44100'"},
        {"rate too high", "rate: 1536001\nchannels: 2\nformat: f32le\nEND\n", "rate"},
        {"rate overflow", "rate: 99999999999999\nchannels: 2\nformat: f32le\nEND\n", "rate"},
        {"rate empty", "rate:\nchannels: 2\nformat: f32le\nEND\n", "rate ''"},
        {"channels 65", "rate: 8000\nchannels: 65\nformat: f32le\nEND\n", "channels '65'"},
        {"channels 0", "rate: 8000\nchannels: 0\nformat: f32le\nEND\n", "channels '0'"},
        {"channels 2.5", "rate: 8000\nchannels: 2.5\nformat: f32le\nEND\n", "channels '2.5'"},
        {"frames -3", body("frames: -3\n"), "frames '-3'"},
        {"frames -1", body("frames: -1\n"), "frames '-1'"}, // only 'unknown' says unknown
        {"frames 1e6", body("frames: 1e6\n"), "frames '1e6'"},
        {"frames none", body("frames: none\n"), "frames 'none'"},
        {"format f64le", "rate: 8000\nchannels: 2\nformat: f64le\nEND\n", "format 'f64le'"},
        {"start -1", body("start: -1\n"), "start '-1'"},
        {"start inf", body("start: inf\n"), "start 'inf'"},
        {"start nan", body("start: nan\n"), "start 'nan'"},
        {"line without colon", body("just some words\n"), "not 'key: value'"},
        {"line with empty key", body(": value\n"), "not 'key: value'"},
        {"no END", "rate: 8000\nchannels: 2\nformat: f32le\n", "no END"},
        {"unterminated last line", "rate: 8000\nchannels: 2\nformat: f32le\nEND", "does not end"},
        {"empty", "", "no END"},
    };
    for (const auto &c : cases) {
        CAPTURE(c.what);
        const std::string msg =
            error_of([&] { ts::pcm::parse_header(c.text, "dir/in put.tspcm"); });
        CHECK(msg.rfind("dir/in put.tspcm: bad TSPCM header: ", 0) == 0);
        CHECK(contains(msg, c.says));
    }
}

TEST_CASE("pcm: read_header rejects bad streams with a message naming the input") {
    struct Case {
        const char *what;
        std::string bytes;
        const char *says;
    };
    std::string garbage;
    for (int i = 0; i < 3000; ++i)
        garbage += static_cast<char>((i * 7919 + 13) % 256);
    const std::string no_end = "TSPCM 1\n" + std::string(70000, 'x');
    std::string many_lines = "TSPCM 1\nrate: 8000\nchannels: 1\nformat: f32le\n";
    while (many_lines.size() < 70000)
        many_lines += "comment: a line that never ends the header\n";
    const std::vector<Case> cases = {
        {"wrong magic", "PAM\nrate: 8000\nchannels: 1\nformat: f32le\nEND\n", "wrong magic"},
        {"lower-case magic", "tspcm 1\nrate: 8000\nEND\n", "wrong magic"},
        {"version 2", "TSPCM 2\nrate: 8000\nchannels: 1\nformat: f32le\nEND\n",
         "unsupported TSPCM version"},
        {"version 10", "TSPCM 10\nrate: 8000\nchannels: 1\nformat: f32le\nEND\n",
         "unsupported TSPCM version"},
        {"magic without newline", "TSPCM 1", "unsupported TSPCM version"},
        {"binary garbage", garbage, "wrong magic"},
        {"garbage after the magic", "TSPCM 1\n" + garbage, "bad TSPCM header"},
        {"empty", "", "wrong magic"},
        {"eof inside the header", "TSPCM 1\nrate: 8000\nchann", "ends before the END line"},
        {"eof before END", "TSPCM 1\nrate: 8000\nchannels: 1\nformat: f32le\n",
         "ends before the END line"},
        {"over 64 KiB in one line", no_end, "longer than 64 KiB"},
        {"over 64 KiB of lines", many_lines, "longer than 64 KiB"},
        {"bad value", "TSPCM 1\nrate: 8000\nchannels: 65\nformat: f32le\nEND\n", "channels '65'"},
    };
    for (const auto &c : cases) {
        CAPTURE(c.what);
        {
            TempFile file(c.bytes);
            ts::io::Reader in(file.path());
            const std::string msg = error_of([&] { ts::pcm::read_header(in); });
            CHECK(msg.rfind(file.path() + ": ", 0) == 0);
            CHECK(contains(msg, c.says));
        }
        {
            PipeFeed pipe(c.bytes);
            const std::string msg = error_of([&] { ts::pcm::read_header(pipe.reader()); });
            CHECK(msg.rfind(pipe.name() + ": ", 0) == 0);
            CHECK(contains(msg, c.says));
        }
    }
}

TEST_CASE("pcm: the 64 KiB bound counts the whole header, magic and END included") {
    auto header_of_size = [](std::size_t total) {
        std::string start = "TSPCM 1\nrate: 8000\nchannels: 1\nformat: f32le\nframes: 0\npad: ";
        std::string end = "\nEND\n";
        REQUIRE(total > start.size() + end.size());
        return start + std::string(total - start.size() - end.size(), 'p') + end;
    };
    {
        const std::string text = header_of_size(64 * 1024);
        REQUIRE(text.size() == 65536);
        TempFile file(text);
        ts::io::Reader in(file.path());
        Header h = ts::pcm::read_header(in);
        CHECK(h.rate == 8000);
        REQUIRE(h.extra.size() == 1);
        CHECK(h.extra[0].second == std::string(65536 - 60 - 5, 'p'));
    }
    {
        TempFile file(header_of_size(64 * 1024 + 1));
        ts::io::Reader in(file.path());
        CHECK(contains(error_of([&] { ts::pcm::read_header(in); }), "longer than 64 KiB"));
    }
}

TEST_CASE("pcm: read_header stops at END and leaves the samples in the stream") {
    const Header h = full_header();
    const std::string text = ts::pcm::format_header(h) + "ENDING";
    PipeFeed pipe(text);
    Header back = ts::pcm::read_header(pipe.reader());
    check_same(h, back);
    char rest[16] = {};
    CHECK(pipe.reader().read_full(rest, sizeof rest) == 6);
    CHECK(std::string(rest) == "ENDING");
}

TEST_CASE("pcm: a line that merely starts with END does not end the header") {
    const std::string text = "TSPCM 1\nrate: 8000\nchannels: 1\nformat: f32le\nENDING: yes\n"
                             "x: END\nEND\n";
    TempFile file(text);
    ts::io::Reader in(file.path());
    Header h = ts::pcm::read_header(in);
    REQUIRE(h.extra.size() == 2);
    CHECK(h.extra[0] == std::pair<std::string, std::string>("ENDING", "yes"));
    CHECK(h.extra[1] == std::pair<std::string, std::string>("x", "END"));
}

TEST_CASE("pcm: f32le samples read back exactly, in chunks") {
    const int channels = 3;
    const std::size_t frames = 1000;
    Header h = basic_header(22050, channels, SampleFormat::f32le, frames);
    const std::vector<float> samples = test_samples(frames, channels);
    const std::string bytes = tspcm_bytes(h, samples);

    auto check_reading = [&](ts::io::Reader &in) {
        ts::pcm::Reader r(in, ts::pcm::read_header(in));
        CHECK(r.header().frames == static_cast<std::int64_t>(frames));
        std::vector<float> got;
        std::vector<float> chunk(77 * channels, -99.0f);
        std::size_t n;
        while ((n = r.read(chunk.data(), 77)) > 0) {
            CHECK(n <= 77);
            got.insert(got.end(), chunk.begin(), chunk.begin() + static_cast<long>(n * channels));
        }
        CHECK(r.frames_read() == static_cast<std::int64_t>(frames));
        CHECK(r.read(chunk.data(), 77) == 0); // and stays at the end
        REQUIRE(got.size() == samples.size());
        CHECK(std::memcmp(got.data(), samples.data(), samples.size() * sizeof(float)) == 0);
    };
    SUBCASE("regular file") {
        TempFile file(bytes);
        ts::io::Reader in(file.path());
        check_reading(in);
    }
    SUBCASE("pipe") {
        PipeFeed pipe(bytes);
        check_reading(pipe.reader());
    }
}

TEST_CASE("pcm: the reader stops at the header's frame count, even with more bytes") {
    Header h = basic_header(8000, 1, SampleFormat::f32le, 10);
    const std::vector<float> samples = test_samples(15, 1);
    TempFile file(tspcm_bytes(h, samples));
    ts::io::Reader in(file.path());
    ts::pcm::Reader r(in, ts::pcm::read_header(in));
    std::vector<float> dst(100);
    CHECK(r.read(dst.data(), 100) == 10);
    CHECK(r.read(dst.data(), 100) == 0);
    CHECK(dst[9] == samples[9]);
}

TEST_CASE("pcm: unknown frame counts read to the end of the stream") {
    Header h = basic_header(8000, 2, SampleFormat::f32le, -1);
    const std::vector<float> samples = test_samples(5000, 2);
    PipeFeed pipe(tspcm_bytes(h, samples));
    ts::pcm::Reader r(pipe.reader(), ts::pcm::read_header(pipe.reader()));
    std::vector<float> dst(samples.size() + 64);
    std::size_t total = 0, n;
    while ((n = r.read(dst.data() + total * 2, 1024)) > 0)
        total += n;
    CHECK(total == 5000);
    CHECK(std::memcmp(dst.data(), samples.data(), samples.size() * sizeof(float)) == 0);
}

TEST_CASE("pcm: s16le samples are read as x / 32768") {
    const std::vector<std::int16_t> raw = {0, 1, -1, 16384, -16384, 32767, -32768, 1234};
    Header h = basic_header(8000, 2, SampleFormat::s16le, 4);
    PipeFeed pipe(ts::pcm::format_header(h) +
                  bytes_of(raw.data(), raw.size() * sizeof(std::int16_t)));
    ts::pcm::Reader r(pipe.reader(), ts::pcm::read_header(pipe.reader()));
    std::vector<float> dst(8, -99.0f);
    CHECK(r.read(dst.data(), 10) == 4);
    for (std::size_t i = 0; i < raw.size(); ++i)
        CHECK(dst[i] == static_cast<float>(raw[i]) / 32768.0f);
    CHECK(dst[6] == -1.0f);
}

TEST_CASE("pcm: s16le written and read back within 1/32768") {
    TempPath out_path;
    const std::size_t frames = 3000;
    const std::vector<float> samples = test_samples(frames, 2);
    Header h = basic_header(44100, 2, SampleFormat::s16le, frames);
    {
        ts::io::Output out(out_path.path(), true);
        ts::pcm::Writer w(out, h, false);
        w.write(samples.data(), 1000);
        w.write(samples.data() + 2000, 2000);
        CHECK(w.frames_written() == 3000);
        w.finish();
        out.commit();
    }
    const std::string text = read_file(out_path.path());
    CHECK(text.size() == ts::pcm::format_header(h).size() + frames * 2 * 2);
    ts::io::Reader in(out_path.path());
    Header back = ts::pcm::read_header(in);
    CHECK(back.format == SampleFormat::s16le);
    ts::pcm::Reader r(in, back);
    std::vector<float> got(samples.size());
    CHECK(r.read(got.data(), frames) == frames);
    double worst = 0;
    for (std::size_t i = 0; i < samples.size(); ++i)
        worst = std::max(worst, std::fabs(static_cast<double>(got[i]) - samples[i]));
    CHECK(worst <= 1.0 / 32768);
    CHECK(worst > 0); // it did go through 16 bits
}

TEST_CASE("pcm: a truncated regular file is reported by read_header") {
    Header h = basic_header(8000, 2, SampleFormat::f32le, 100);
    const std::vector<float> samples = test_samples(100, 2);
    const std::string whole = tspcm_bytes(h, samples);
    SUBCASE("whole frames missing") {
        TempFile file(whole.substr(0, whole.size() - 40 * 8));
        ts::io::Reader in(file.path());
        const std::string msg = error_of([&] { ts::pcm::read_header(in); });
        CHECK(msg.rfind(file.path() + ": ", 0) == 0);
        CHECK(contains(msg, "truncated"));
        CHECK(contains(msg, "100 frames"));
        CHECK(contains(msg, "holds 60"));
    }
    SUBCASE("a partial frame") {
        TempFile file(whole.substr(0, whole.size() - 3));
        ts::io::Reader in(file.path());
        const std::string msg = error_of([&] { ts::pcm::read_header(in); });
        CHECK(msg.rfind(file.path() + ": ", 0) == 0);
        CHECK(contains(msg, "truncated"));
        CHECK(contains(msg, "holds 99"));
    }
    SUBCASE("no samples at all") {
        TempFile file(ts::pcm::format_header(h));
        ts::io::Reader in(file.path());
        CHECK(contains(error_of([&] { ts::pcm::read_header(in); }), "truncated"));
    }
    SUBCASE("the whole file is fine") {
        TempFile file(whole);
        ts::io::Reader in(file.path());
        CHECK(ts::pcm::read_header(in).frames == 100);
    }
}

TEST_CASE("pcm: a truncated stream throws when the samples run out") {
    Header h = basic_header(8000, 2, SampleFormat::f32le, 100);
    const std::vector<float> samples = test_samples(100, 2);
    const std::string whole = tspcm_bytes(h, samples);
    std::vector<float> dst(200);

    SUBCASE("fewer frames than the header says") {
        PipeFeed pipe(whole.substr(0, whole.size() - 40 * 8));
        ts::pcm::Reader r(pipe.reader(), ts::pcm::read_header(pipe.reader()));
        CHECK(r.read(dst.data(), 32) == 32);
        const std::string msg = error_of([&] {
            while (r.read(dst.data(), 32) > 0) {
            }
        });
        CHECK(msg.rfind(pipe.name() + ": ", 0) == 0);
        CHECK(contains(msg, "truncated"));
        CHECK(contains(msg, "100 frames"));
        CHECK(contains(msg, "after 60"));
        CHECK(dst[0] == samples[32 * 2]); // the frames before the end still arrived
    }
    SUBCASE("a partial frame") {
        PipeFeed pipe(whole.substr(0, whole.size() - 3));
        ts::pcm::Reader r(pipe.reader(), ts::pcm::read_header(pipe.reader()));
        const std::string msg = error_of([&] { r.read(dst.data(), 100); });
        CHECK(msg.rfind(pipe.name() + ": ", 0) == 0);
        CHECK(contains(msg, "truncated"));
        CHECK(contains(msg, "inside a frame"));
    }
    SUBCASE("a partial frame when the length is unknown") {
        h.frames = -1;
        PipeFeed pipe(tspcm_bytes(h, samples) + "xyz");
        ts::pcm::Reader r(pipe.reader(), ts::pcm::read_header(pipe.reader()));
        CHECK(contains(error_of([&] {
                           while (r.read(dst.data(), 64) > 0) {
                           }
                       }),
                       "truncated"));
    }
}

TEST_CASE("pcm: headerless input is read with the header it is given") {
    const std::vector<float> samples = test_samples(50, 1);
    TempFile file(bytes_of(samples.data(), samples.size() * sizeof(float)));
    ts::io::Reader in(file.path());
    ts::pcm::Reader r(in, basic_header(16000, 1, SampleFormat::f32le, -1));
    std::vector<float> dst(64);
    CHECK(r.read(dst.data(), 64) == 50);
    CHECK(std::memcmp(dst.data(), samples.data(), 50 * sizeof(float)) == 0);
    CHECK(r.read(dst.data(), 64) == 0);
}

TEST_CASE("pcm: the writer patches an unknown frame count into a file") {
    TempPath out_path;
    Header h = full_header();
    h.format = SampleFormat::f32le;
    h.frames = -1;
    // More than the output's 256 KiB buffer, so the patch lands after a flush.
    const std::size_t frames = 40000;
    const std::vector<float> samples = test_samples(frames, 2);
    {
        ts::io::Output out(out_path.path(), true);
        REQUIRE(out.seekable());
        ts::pcm::Writer w(out, h, false);
        w.write(samples.data(), 12345);
        w.write(samples.data() + 12345 * 2, frames - 12345);
        w.finish();
        out.commit();
    }
    const std::string text = read_file(out_path.path());
    const std::size_t end = text.find("\nEND\n");
    REQUIRE(end != std::string::npos);
    const std::string header_text = text.substr(0, end + 5);
    CHECK(contains(header_text, "\nframes: 40000 "));
    CHECK_FALSE(contains(header_text, "frames: unknown"));
    Header back = parse_formatted(header_text, out_path.path());
    CHECK(back.frames == 40000);
    h.frames = 40000;
    check_same(h, back);
    CHECK(text.size() == header_text.size() + frames * 2 * sizeof(float));
    CHECK(std::memcmp(text.data() + header_text.size(), samples.data(),
                      samples.size() * sizeof(float)) == 0);

    // And the file reads back through read_header with the exact count.
    ts::io::Reader in(out_path.path());
    ts::pcm::Reader r(in, ts::pcm::read_header(in));
    CHECK(r.header().frames == 40000);
    std::vector<float> got(samples.size() + 2);
    std::size_t total = 0, n;
    while ((n = r.read(got.data() + total * 2, 7000)) > 0)
        total += n;
    CHECK(total == frames);
    CHECK(std::memcmp(got.data(), samples.data(), samples.size() * sizeof(float)) == 0);
}

TEST_CASE("pcm: the writer patches a count of zero") {
    TempPath out_path;
    {
        ts::io::Output out(out_path.path(), true);
        ts::pcm::Writer w(out, basic_header(8000, 1, SampleFormat::f32le, -1), false);
        w.finish();
        out.commit();
    }
    const std::string text = read_file(out_path.path());
    CHECK(parse_formatted(text).frames == 0);
}

TEST_CASE("pcm: a stream output keeps frames unknown, unpadded") {
    ts::io::Output out("-", false); // stdout; nothing is committed, so nothing is written
    REQUIRE_FALSE(out.seekable());
    const Header h = basic_header(8000, 1, SampleFormat::f32le, -1);
    ts::pcm::Writer w(out, h, false);
    CHECK(out.written() == ts::pcm::format_header(h, false).size());
    CHECK_NOTHROW(w.finish());
}

TEST_CASE("pcm: the writer refuses a count that differs from the header") {
    TempPath out_path;
    ts::io::Output out(out_path.path(), true);
    ts::pcm::Writer w(out, basic_header(8000, 1, SampleFormat::f32le, 10), false);
    const std::vector<float> samples = test_samples(9, 1);
    w.write(samples.data(), 9);
    const std::string msg = error_of([&] { w.finish(); });
    CHECK(contains(msg, out_path.path()));
    CHECK(contains(msg, "wrote 9 frames"));
    CHECK(contains(msg, "promised 10"));
}

TEST_CASE("pcm: raw output has no header") {
    TempPath out_path;
    const std::vector<float> samples = test_samples(100, 2);
    {
        ts::io::Output out(out_path.path(), true);
        ts::pcm::Writer w(out, basic_header(8000, 2, SampleFormat::s16le, -1), true);
        w.write(samples.data(), 100);
        w.finish();
        out.commit();
    }
    const std::string text = read_file(out_path.path());
    REQUIRE(text.size() == 100 * 2 * 2);
    std::vector<std::int16_t> expect(200);
    ts::pcm::float_to_s16(samples.data(), expect.data(), expect.size());
    CHECK(std::memcmp(text.data(), expect.data(), text.size()) == 0);
}

TEST_CASE("pcm: float_to_s16 rounds to nearest, clips and maps NaN to 0") {
    const float lsb = 1.0f / 32768.0f;
    const std::vector<float> in = {0.0f,
                                   0.5f,
                                   -0.5f,
                                   0.3f * lsb,
                                   0.7f * lsb,
                                   -0.3f * lsb,
                                   -0.7f * lsb,
                                   100.4f * lsb,
                                   100.6f * lsb,
                                   -100.6f * lsb,
                                   1.0f,
                                   -1.0f,
                                   1.5f,
                                   -1.5f,
                                   32766.6f * lsb,
                                   std::numeric_limits<float>::quiet_NaN(),
                                   -std::numeric_limits<float>::quiet_NaN(),
                                   std::numeric_limits<float>::infinity(),
                                   -std::numeric_limits<float>::infinity(),
                                   1e30f,
                                   -1e30f};
    const std::vector<std::int16_t> expect = {0,     16384, -16384, 0,     1,      0,     -1,
                                              100,   101,   -101,   32767, -32768, 32767, -32768,
                                              32767, 0,     0,      32767, -32768, 32767, -32768};
    REQUIRE(in.size() == expect.size());
    std::vector<std::int16_t> out(in.size(), 999);
    ts::pcm::float_to_s16(in.data(), out.data(), in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        CAPTURE(i);
        CHECK(out[i] == expect[i]);
    }
}

TEST_CASE("pcm: s16_to_float is x / 32768 and every s16 value survives a round trip") {
    std::vector<std::int16_t> all(65536);
    for (int i = 0; i < 65536; ++i)
        all[static_cast<std::size_t>(i)] = static_cast<std::int16_t>(i - 32768);
    std::vector<float> f(all.size());
    ts::pcm::s16_to_float(all.data(), f.data(), all.size());
    CHECK(f[0] == -1.0f);
    CHECK(f[32768] == 0.0f);
    CHECK(f[65535] == 32767.0f / 32768.0f);
    CHECK(f[32768 + 16384] == 0.5f);
    std::vector<std::int16_t> back(all.size());
    ts::pcm::float_to_s16(f.data(), back.data(), f.size());
    CHECK(back == all);
}

TEST_CASE("layout: FFmpeg's names and channel lists, masks, defaults") {
    using namespace ts::pcm;
    CHECK(parse_layout("5.1(side)") == std::vector<int>{FL, FR, FC, LFE, SL, SR});
    CHECK(parse_layout("7.1") == std::vector<int>{FL, FR, FC, LFE, BL, BR, SL, SR});
    CHECK(parse_layout("FL+FR+LFE2") == std::vector<int>{FL, FR, LFE2});
    CHECK_FALSE(parse_layout(""));
    CHECK_FALSE(parse_layout("FL+"));
    CHECK_FALSE(parse_layout("FL+XX"));
    CHECK_FALSE(parse_layout("surround"));
    CHECK(layout_name({FL, FR, FC, LFE, BL, BR}) == "5.1");
    CHECK(layout_name({FL, FR, FC, LFE, SL, SR}) == "5.1(side)");
    CHECK(layout_name({FR, FL}) == "FR+FL"); // not a standard order: the list
    CHECK(layout_name(mask_speakers(0x3f)) == "5.1");
    CHECK(layout_name(mask_speakers(0x60f)) == "5.1(side)");
    const char *defaults[] = {"mono", "stereo", "2.1", "4.0", "5.0", "5.1", "6.1", "7.1"};
    for (int n = 1; n <= 8; ++n) {
        CHECK(default_layout(n) == defaults[n - 1]);
        CHECK(parse_layout(default_layout(n))->size() == static_cast<std::size_t>(n));
    }
    CHECK(default_layout(9).empty());
    Header h;
    h.channels = 5;
    CHECK(stream_speakers(h) == std::vector<int>{FL, FR, FC, BL, BR}); // 5.0 by default
    h.layout = "5.0(side)";
    CHECK(stream_speakers(h) == std::vector<int>{FL, FR, FC, SL, SR});
    h.channels = 12;
    h.layout.clear();
    CHECK(stream_speakers(h).empty());
}

TEST_CASE("layout: the header key, written but for plain mono and stereo, checked on read") {
    ts::pcm::Header h;
    h.rate = 48000;
    h.channels = 6;
    h.layout = "5.1(side)";
    const std::string text = ts::pcm::format_header(h);
    CHECK(text.find("\nlayout: 5.1(side)\n") != std::string::npos);
    CHECK(ts::pcm::parse_header(text.substr(ts::pcm::magic.size()), "x").layout == "5.1(side)");
    h.channels = 2;
    h.layout = "stereo";
    CHECK(ts::pcm::format_header(h).find("layout") == std::string::npos);
    h.layout = "downmix";
    CHECK(ts::pcm::format_header(h).find("\nlayout: downmix\n") != std::string::npos);
    const std::string bad = "rate: 8000\nchannels: 2\nformat: f32le\nlayout: 5.1\nEND\n";
    CHECK_THROWS_WITH_AS(ts::pcm::parse_header(bad, "in.tspcm"),
                         doctest::Contains("layout '5.1' does not name 2 channels"), ts::Error);
}
