// numpy's files: npy (NPY 1.0, one array) and npz (a ZIP, stored, of .npy members), written
// straight from the Result model: a framewise series is float32 and contiguous already.
//
// The array of a result (npy, and ID.npy in npz):
//   framewise  its values, '<f4', shape (n,) or (n, width)
//   global     its value, '<f8', shape () for a number or (k,) for an array
//   event      its times, '<f8', shape (n,)
//   segment    [time, duration] rows, '<f8', shape (n, 2)
// Label results (data_mode label) have no array: npy refuses them, npz skips them with a
// warning. npz also holds ID.y.npy (framewise bin centres, when the result has y),
// ID.value.npy and ID.confidence.npy (events and segments, when they have them).
#include "serialize/formats.hpp"

#include "core/error.hpp"
#include "core/log.hpp"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <set>

namespace ts::serialize {
namespace {

using result::DataMode;
using result::Result;
using result::TimeMode;

using Chunk = std::function<void(const void *, std::size_t)>;

// One array to write: its type, shape and bytes (produced in pieces, never copied whole).
struct Array {
    int size = 8;                   // bytes per value: 4 ('f4') or 8 ('f8')
    std::vector<std::size_t> shape; // empty: a scalar
    std::function<void(const Chunk &)> each;
    std::uint64_t bytes() const {
        std::uint64_t n = static_cast<std::uint64_t>(size);
        for (auto x : shape)
            n *= x;
        return n;
    }
};

Array doubles(const std::vector<double> &v, std::vector<std::size_t> shape) {
    return {8, std::move(shape), [&v](const Chunk &s) {
                if (!v.empty())
                    s(v.data(), v.size() * sizeof(double));
            }};
}

// The NPY 1.0 header: magic, version, length, and the dict padded with spaces and a '\n' so
// that the data starts at a multiple of 64 bytes.
std::string npy_header(const Array &a) {
    const char order = std::endian::native == std::endian::little ? '<' : '>';
    std::string dict = std::string("{'descr': '") + order + "f" + std::to_string(a.size) +
                       "', 'fortran_order': False, 'shape': (";
    for (std::size_t i = 0; i < a.shape.size(); ++i)
        dict += (i ? ", " : "") + std::to_string(a.shape[i]);
    if (a.shape.size() == 1)
        dict += ',';
    dict += "), }";
    const std::size_t total = (10 + dict.size() + 1 + 63) / 64 * 64;
    dict.append(total - 10 - dict.size() - 1, ' ');
    dict += '\n';
    const std::size_t len = dict.size(); // < 65536: NPY 1.0's two bytes
    std::string h = "\x93NUMPY";
    h += '\x01';
    h += '\x00';
    h += static_cast<char>(len & 0xff);
    h += static_cast<char>(len >> 8);
    return h + dict;
}

// The array of a result, as described at the top; throws for label results.
Array main_array(const Result &r, const char *format) {
    if (r.data_mode == DataMode::label)
        throw Error(std::string(format) + " holds numbers: " + r.id +
                    " is labels; use csv or jams (or --result to choose another result)");
    switch (r.time_mode) {
    case TimeMode::framewise: {
        const std::size_t w = std::max<std::size_t>(r.width, 1);
        std::vector<std::size_t> shape{r.series.size() / w};
        if (w > 1)
            shape.push_back(w);
        return {4, std::move(shape), [&r](const Chunk &s) {
                    if (!r.series.empty())
                        s(r.series.data(), r.series.size() * sizeof(float));
                }};
    }
    case TimeMode::global:
        if (r.scalar) {
            return {8, {}, [&r](const Chunk &s) {
                        const double v = r.value.empty() ? NAN : r.value[0];
                        s(&v, sizeof v);
                    }};
        }
        return doubles(r.value, {r.value.size()});
    case TimeMode::event:
        return doubles(r.time, {r.time.size()});
    case TimeMode::segment:
        return {8, {r.time.size(), 2}, [&r](const Chunk &s) {
                    double rows[2 * 4096];
                    const std::size_t n = r.time.size();
                    for (std::size_t i = 0; i < n;) {
                        std::size_t k = 0;
                        for (; k < 4096 && i < n; ++k, ++i) {
                            rows[2 * k] = r.time[i];
                            rows[2 * k + 1] = i < r.duration.size() ? r.duration[i] : NAN;
                        }
                        s(rows, k * 2 * sizeof(double));
                    }
                }};
    }
    return doubles(r.value, {r.value.size()});
}

// ---------------------------------------------------------------------------- npy

class NpyWriter : public Writer {
  public:
    explicit NpyWriter(io::Output &out) : out_(out) {}
    void write(const Result &r) override {
        if (done_)
            throw UsageError("npy holds one result: choose one with --result ID, or write one file "
                             "per result with -o DIR/");
        const Array a = main_array(r, "npy");
        out_.write(npy_header(a));
        a.each([&](const void *p, std::size_t n) { out_.write(p, n); });
        done_ = true;
    }

  private:
    io::Output &out_;
    bool done_ = false;
};

// ---------------------------------------------------------------------------- npz

void le16(std::string &s, unsigned v) {
    s += static_cast<char>(v & 0xff);
    s += static_cast<char>((v >> 8) & 0xff);
}
void le32(std::string &s, std::uint32_t v) {
    le16(s, v & 0xffff);
    le16(s, v >> 16);
}

constexpr std::uint64_t zip_limit = 0xffffffffu;       // without ZIP64
constexpr unsigned dos_date = (0 << 9) | (1 << 5) | 1; // 1980-01-01, 00:00: reproducible files

class NpzWriter : public Writer {
  public:
    explicit NpzWriter(io::Output &out) : out_(out) {}

    void write(const Result &r) override {
        if (r.data_mode == DataMode::label) {
            log::warning("npz holds numbers: skipping " + r.id +
                         " (labels); use csv or jams for it");
            return;
        }
        std::vector<std::pair<std::string, Array>> arrays;
        arrays.emplace_back("", main_array(r, "npz"));
        if (r.time_mode == TimeMode::framewise && !r.y.empty())
            arrays.emplace_back(".y", doubles(r.y, {r.y.size()}));
        if (r.time_mode == TimeMode::event || r.time_mode == TimeMode::segment) {
            if (!r.value.empty() || r.time_mode == TimeMode::segment)
                arrays.emplace_back(".value", doubles(r.value, {r.value.size()}));
            if (!r.confidence.empty())
                arrays.emplace_back(".confidence", doubles(r.confidence, {r.confidence.size()}));
        }
        std::string base = r.id;
        std::replace(base.begin(), base.end(), '/', '_');
        std::string name = base;
        auto taken = [&](const std::string &b) {
            for (const auto &[suffix, a] : arrays)
                if (used_.count(b + suffix + ".npy"))
                    return true;
            return false;
        };
        for (int k = 2; taken(name); ++k)
            name = base + "#" + std::to_string(k);
        for (const auto &[suffix, a] : arrays)
            member(r.id, name + suffix + ".npy", a);
    }

    void finish() override {
        if (entries_ > 0xfffe || offset_ + central_.size() > zip_limit)
            too_big("the archive");
        std::string end;
        le32(end, 0x06054b50);
        le16(end, 0);
        le16(end, 0);
        le16(end, static_cast<unsigned>(entries_));
        le16(end, static_cast<unsigned>(entries_));
        le32(end, static_cast<std::uint32_t>(central_.size()));
        le32(end, static_cast<std::uint32_t>(offset_));
        le16(end, 0);
        out_.write(central_);
        out_.write(end);
    }

  private:
    [[noreturn]] void too_big(const std::string &what) {
        throw Error("npz: " + what +
                    " passes 4 GiB, the limit of a ZIP without ZIP64 (not "
                    "written here): use hdf5, or npy with -o DIR/");
    }

    // A stored ZIP member: local header, the .npy bytes; its central directory entry is kept
    // for finish(). The CRC-32 is computed first, in a pass over the data, so the header is
    // final when written and the output can be a pipe.
    void member(const std::string &id, const std::string &name, const Array &a) {
        used_.insert(name);
        const std::string head = npy_header(a);
        const std::uint64_t size = head.size() + a.bytes();
        if (size >= zip_limit || offset_ >= zip_limit)
            too_big(id);
        uLong crc = crc32(0L, Z_NULL, 0);
        crc = crc32(crc, reinterpret_cast<const Bytef *>(head.data()),
                    static_cast<uInt>(head.size()));
        a.each([&](const void *p, std::size_t n) {
            const auto *b = static_cast<const Bytef *>(p);
            while (n) {
                const uInt k = static_cast<uInt>(std::min<std::size_t>(n, 1u << 30));
                crc = crc32(crc, b, k);
                b += k;
                n -= k;
            }
        });
        const bool utf8 = std::any_of(name.begin(), name.end(), [](char c) { return c & 0x80; });
        auto common = [&](std::string &s) {
            le16(s, 20);                // version needed: 2.0
            le16(s, utf8 ? 0x0800 : 0); // flags: bit 11, a UTF-8 name
            le16(s, 0);                 // method: stored
            le16(s, 0);                 // time
            le16(s, dos_date);          // date
            le32(s, static_cast<std::uint32_t>(crc));
            le32(s, static_cast<std::uint32_t>(size)); // compressed size
            le32(s, static_cast<std::uint32_t>(size)); // uncompressed size
            le16(s, static_cast<unsigned>(name.size()));
            le16(s, 0); // extra field length
        };
        std::string local;
        le32(local, 0x04034b50);
        common(local);
        local += name;
        le32(central_, 0x02014b50);
        le16(central_, 20); // version made by
        common(central_);
        le16(central_, 0); // comment length
        le16(central_, 0); // disk
        le16(central_, 0); // internal attributes
        le32(central_, 0); // external attributes
        le32(central_, static_cast<std::uint32_t>(offset_));
        central_ += name;
        out_.write(local);
        out_.write(head);
        a.each([&](const void *p, std::size_t n) { out_.write(p, n); });
        offset_ += local.size() + size;
        ++entries_;
    }

    io::Output &out_;
    std::string central_;
    std::uint64_t offset_ = 0;
    std::size_t entries_ = 0;
    std::set<std::string> used_;
};

} // namespace

std::unique_ptr<Writer> npy_writer(io::Output &out, const Options &) {
    return std::make_unique<NpyWriter>(out);
}
std::unique_ptr<Writer> npz_writer(io::Output &out, const Options &) {
    return std::make_unique<NpzWriter>(out);
}

} // namespace ts::serialize
