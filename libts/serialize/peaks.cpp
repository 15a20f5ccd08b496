// Web players' waveform data from `waveform` results: audiowaveform's binary .dat and JSON
// (doc/DataFormat.md of bbc/audiowaveform, and its WaveformBuffer's save and saveAsJson), and
// wavesurfer.js peaks with their duration (WaveSurfer.load(url, peaks, duration)).
#include "serialize/formats.hpp"

#include "core/error.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

namespace ts::serialize {
namespace {

// audiowaveform's limit on waveform channels (WaveformBuffer::MAX_CHANNELS).
constexpr std::size_t max_channels = 24;

// A waveform result, checked: buckets x channels of [min, max] in -1..1.
struct Peaks {
    int rate = 0;
    int samples_per_pixel = 0;
    std::size_t channels = 0;
    std::size_t length = 0; // buckets
};

Peaks check(const std::string &format, const result::Result &r) {
    auto bad = [&](const std::string &why) {
        return Error(format + ": result " + r.id + " is not a waveform result (ts-analyze -a waveform): " + why);
    };
    if (r.analyzer != "waveform")
        throw bad("its analyzer is " + (r.analyzer.empty() ? std::string("not named") : r.analyzer));
    if (r.time_mode != result::TimeMode::framewise || r.data_mode != result::DataMode::value)
        throw bad(std::string("it is ") + result::time_mode_name(r.time_mode) + " " +
                  result::data_mode_name(r.data_mode) + ", not framewise value");
    if (!r.frames || r.frames->block <= 0 || r.frames->block != r.frames->step)
        throw bad("its frames do not have block = step (the samples per pixel)");
    // An empty matrix ([], from an empty input) has no row to tell its width: data.columns
    // does, else one channel.
    std::size_t width = r.width;
    const auto columns = r.extra.find("columns");
    if (r.series.empty())
        width = columns != r.extra.end() && columns->is_array() ? columns->size() : 2;
    if (width < 2 || width % 2 != 0)
        throw bad("its rows hold " + std::to_string(width) +
                  " values, not [min, max] pairs per channel");
    if (r.series.size() % width != 0)
        throw bad("its data is not a whole number of rows");
    if (columns != r.extra.end() && (!columns->is_array() || columns->size() != width))
        throw bad("data.columns does not name its " + std::to_string(width) + " columns");
    Peaks p;
    p.rate = r.frames->rate > 0 ? r.frames->rate : r.audio.rate;
    if (p.rate <= 0)
        throw bad("it has no sample rate");
    p.samples_per_pixel = r.frames->block;
    p.channels = width / 2;
    p.length = r.series.size() / width;
    if (p.channels > max_channels)
        throw Error(format + ": result " + r.id + " has " + std::to_string(p.channels) +
                    " channels; audiowaveform data holds at most " + std::to_string(max_channels));
    if (p.length > std::numeric_limits<std::uint32_t>::max())
        throw Error(format + ": result " + r.id + " has more buckets than a 32-bit length holds");
    for (std::size_t i = 0; i < r.series.size(); ++i)
        if (!std::isfinite(r.series[i]))
            throw bad("bucket " + std::to_string(i / r.width) + " holds null (not a number)");
    return p;
}

// audiowaveform's 16-bit value of a sample x in -1..1: it reads 16-bit PCM as 32768 * x and
// mixes channels by a sum over the count in C integer division, so trunc(32768 * v) for the
// waveform analyzer's exact mean; clamped to the int16 range, as its WaveformGenerator does.
std::int16_t to16(float v) {
    const double s = std::trunc(32768.0 * static_cast<double>(v));
    return static_cast<std::int16_t>(s > 32767.0 ? 32767.0 : s < -32768.0 ? -32768.0 : s);
}

// Its 8-bit value: the 16-bit value / 256 in C integer division (truncated toward zero).
std::int8_t to8(std::int16_t s) { return static_cast<std::int8_t>(s / 256); }

void append_int(long long v, std::string &out) {
    char text[24];
    out.append(text, std::to_chars(text, text + sizeof text, v).ptr);
}

void spill(io::Output &out, std::string &buf, bool force = false) {
    if (force || buf.size() >= (1u << 20)) {
        out.write(buf);
        buf.clear();
    }
}

class DatWriter : public Writer {
  public:
    DatWriter(io::Output &out, const Options &o) : out_(out), o_(o) {}

    void write(const result::Result &r) override {
        const Peaks p = check("dat", r);
        int version = o_.dat_version == 0 ? (p.channels == 1 ? 1 : 2) : o_.dat_version;
        if (version == 1 && p.channels != 1)
            throw UsageError("dat: version 1 holds one channel, and result " + r.id + " has " +
                             std::to_string(p.channels) +
                             " (channels=each): use version 2 (--dat-version 2), or "
                             "-p waveform.channels=mixed");
        const bool eight = o_.dat_bits == 8;
        std::string buf;
        auto u32 = [&](std::uint32_t v) {
            for (int k = 0; k < 4; ++k)
                buf.push_back(static_cast<char>((v >> (8 * k)) & 0xff));
        };
        u32(static_cast<std::uint32_t>(version));
        u32(eight ? 1u : 0u);
        u32(static_cast<std::uint32_t>(p.rate));
        u32(static_cast<std::uint32_t>(p.samples_per_pixel));
        u32(static_cast<std::uint32_t>(p.length));
        if (version == 2)
            u32(static_cast<std::uint32_t>(p.channels));
        for (const float v : r.series) {
            const std::int16_t s = to16(v);
            if (eight) {
                buf.push_back(static_cast<char>(to8(s)));
            } else {
                const auto u = static_cast<std::uint16_t>(s);
                buf.push_back(static_cast<char>(u & 0xff));
                buf.push_back(static_cast<char>(u >> 8));
            }
            spill(out_, buf);
        }
        spill(out_, buf, true);
    }

  private:
    io::Output &out_;
    Options o_;
};

class AwfJsonWriter : public Writer {
  public:
    AwfJsonWriter(io::Output &out, const Options &o) : out_(out), o_(o) {}

    // As audiowaveform's saveAsJson: always version 2 with channels, keys in this order,
    // one line.
    void write(const result::Result &r) override {
        const Peaks p = check("audiowaveform-json", r);
        const bool eight = o_.dat_bits == 8;
        std::string buf = "{\"version\":2,\"channels\":";
        append_int(static_cast<long long>(p.channels), buf);
        buf += ",\"sample_rate\":";
        append_int(p.rate, buf);
        buf += ",\"samples_per_pixel\":";
        append_int(p.samples_per_pixel, buf);
        buf += ",\"bits\":";
        append_int(eight ? 8 : 16, buf);
        buf += ",\"length\":";
        append_int(static_cast<long long>(p.length), buf);
        buf += ",\"data\":[";
        for (std::size_t i = 0; i < r.series.size(); ++i) {
            if (i)
                buf += ',';
            const std::int16_t s = to16(r.series[i]);
            append_int(eight ? to8(s) : s, buf);
            spill(out_, buf);
        }
        buf += "]}\n";
        spill(out_, buf, true);
    }

  private:
    io::Output &out_;
    Options o_;
};

class WavesurferWriter : public Writer {
  public:
    explicit WavesurferWriter(io::Output &out) : out_(out) {}

    void write(const result::Result &r) override {
        const Peaks p = check("wavesurfer", r);
        if (p.length == 0)
            throw Error("wavesurfer: result " + r.id +
                        " has no bucket (empty audio), and wavesurfer.js needs peaks");
        if (!(r.audio.duration > 0))
            throw Error("wavesurfer: result " + r.id +
                        " has no audio.duration, and wavesurfer.js needs the duration");
        std::string buf = "{\"channels\":";
        append_int(static_cast<long long>(p.channels), buf);
        buf += ",\"sample_rate\":";
        append_int(p.rate, buf);
        buf += ",\"samples_per_pixel\":";
        append_int(p.samples_per_pixel, buf);
        buf += ",\"length\":";
        append_int(static_cast<long long>(p.length), buf);
        buf += ",\"duration\":";
        result::append_number(r.audio.duration, buf);
        buf += ",\"peaks\":[";
        for (std::size_t c = 0; c < p.channels; ++c) {
            buf += c ? ",[" : "[";
            for (std::size_t i = 0; i < p.length; ++i) {
                if (i)
                    buf += ',';
                result::append_number(r.series[i * r.width + 2 * c], buf);
                buf += ',';
                result::append_number(r.series[i * r.width + 2 * c + 1], buf);
                spill(out_, buf);
            }
            buf += ']';
        }
        buf += "]}\n";
        spill(out_, buf, true);
    }

  private:
    io::Output &out_;
};

} // namespace

std::unique_ptr<Writer> dat_writer(io::Output &out, const Options &o) {
    if (o.dat_bits != 8 && o.dat_bits != 16)
        throw UsageError("dat: bits must be 8 or 16, not " + std::to_string(o.dat_bits));
    if (o.dat_version < 0 || o.dat_version > 2)
        throw UsageError("dat: version must be 1 or 2, not " + std::to_string(o.dat_version));
    return std::make_unique<DatWriter>(out, o);
}

std::unique_ptr<Writer> awf_json_writer(io::Output &out, const Options &o) {
    if (o.dat_bits != 8 && o.dat_bits != 16)
        throw UsageError("audiowaveform-json: bits must be 8 or 16, not " + std::to_string(o.dat_bits));
    return std::make_unique<AwfJsonWriter>(out, o);
}

std::unique_ptr<Writer> wavesurfer_writer(io::Output &out, const Options &) {
    return std::make_unique<WavesurferWriter>(out);
}

} // namespace ts::serialize
