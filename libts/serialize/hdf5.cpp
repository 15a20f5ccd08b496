// HDF5 (C API 1.10): one group per result, in the spirit of TimeSide's HDF5 serializer, and
// read back into the Result model exactly (ts-serialize -f jsonl FILE.h5 gives the JSON Lines
// the file was made from). Layout (man ts-serialize, Formats):
//
//   /                 attribute schema = "ts-result/1"
//   /NAME             a group per result: NAME is its id ('/' → '_'; a repeated id gets
//                     "#2", "#3", ...). Attributes: index (int64, its order), id, analyzer,
//                     name, unit, description, time_mode, data_mode, tool, version (strings),
//                     params (the params object as JSON text).
//   /NAME/audio       attributes source, sha1 ("" when unknown), rate, channels (int32),
//                     start, duration (float64), mix (string), channel (int32, when set).
//   /NAME/frames      attributes rate, block, step (int32); framewise results only.
//   /NAME/data        the data: datasets named as the keys of the JSON "data" object, and
//                     attributes width (framewise) and extra (other data keys, JSON text).
//
// Numbers keep their JSON types: framewise value float32 (n) or (n, width), everything else
// float64; NaN stays NaN (null in JSON). Datasets of more than 4096 values are chunked along
// their first axis (~256 KiB chunks) and compressed (shuffle + deflate 4). Strings are
// variable-length UTF-8.
#include "serialize/formats.hpp"
#include "serialize/hdf5_module.hpp"
#include "ts_config.h"

#include "core/error.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <set>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

namespace ts::serialize {
namespace {

using result::DataMode;
using result::Result;
using result::TimeMode;

constexpr hsize_t big = 4096;               // values above which a dataset is compressed
constexpr hsize_t chunk_bytes = 256 * 1024; // target chunk size

// An HDF5 identifier closed at the end of its scope.
class Handle {
  public:
    Handle() = default;
    Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
    Handle(Handle &&o) noexcept : id_(std::exchange(o.id_, -1)), close_(o.close_) {}
    Handle &operator=(Handle &&o) noexcept {
        reset();
        id_ = std::exchange(o.id_, -1);
        close_ = o.close_;
        return *this;
    }
    ~Handle() { reset(); }
    void reset() {
        if (id_ >= 0 && close_)
            close_(id_);
        id_ = -1;
    }
    bool ok() const { return id_ >= 0; }
    operator hid_t() const { return id_; }

  private:
    hid_t id_ = -1;
    herr_t (*close_)(hid_t) = nullptr;
};

// The most specific message of HDF5's error stack ("truncated file: eof = ..."), or "".
std::string why() {
    std::string msg;
    H5Ewalk2(
        H5E_DEFAULT, H5E_WALK_UPWARD,
        [](unsigned n, const H5E_error2_t *e, void *data) -> herr_t {
            if (n == 0 && e->desc)
                *static_cast<std::string *>(data) = e->desc;
            return 0;
        },
        &msg);
    H5Eclear2(H5E_DEFAULT);
    // A failed write reads "file write failed: time = ..., filename = ..., errno = 27, error
    // message = 'File too large', buf = ...": the system's message is the part to show.
    const std::string tag = "error message = '";
    if (auto at = msg.find(tag); at != std::string::npos) {
        const auto end = msg.find('\'', at + tag.size());
        msg = msg.substr(at + tag.size(), end == std::string::npos ? end : end - at - tag.size());
    }
    return msg.substr(0, msg.find('\n'));
}

void quiet() {
    // A file whose write failed stays open inside HDF5 (its close fails too), and HDF5's exit
    // handler then tried to flush it and crashed (SIGSEGV after the error line). The writer
    // flushes and closes its file itself, so the handler has nothing to do: off, before the
    // library's first call initialises it.
    H5dont_atexit();
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

Handle string_type() {
    Handle t(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

// ---------------------------------------------------------------------------- writing

class Hdf5Writer : public Writer {
  public:
    Hdf5Writer(io::Output &out, const Options &o) : out_(out), o_(o) {
        quiet();
        if (out.temp_path().empty())
            throw Error(out.path() + ": hdf5 needs a regular file (HDF5 writes its file by name)");
        file_ = Handle(H5Fcreate(out.temp_path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                       H5Fclose);
        if (!file_.ok())
            fail("cannot create the file");
        string_attr(file_, "schema", result::schema);
        str_ = string_type();
    }

    ~Hdf5Writer() override = default; // closes the file; Output removes it unless committed

    void write(const Result &r) override {
        where_ = "result '" + r.id + "'";
        std::string name = r.id;
        std::replace(name.begin(), name.end(), '/', '_');
        if (name == ".")
            name = "_";
        const std::string base = name;
        for (int k = 2; used_.count(name); ++k)
            name = base + "#" + std::to_string(k);
        used_.insert(name);

        Handle g = group(file_, name);
        int_attr(g, "index", static_cast<long long>(index_++));
        string_attr(g, "id", r.id);
        string_attr(g, "analyzer", r.analyzer);
        string_attr(g, "name", r.name);
        string_attr(g, "unit", r.unit);
        string_attr(g, "description", r.description);
        string_attr(g, "time_mode", result::time_mode_name(r.time_mode));
        string_attr(g, "data_mode", result::data_mode_name(r.data_mode));
        string_attr(g, "tool", r.tool);
        string_attr(g, "version", producer_version(r, o_));
        string_attr(g, "params",
                    r.params.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));

        Handle a = group(g, "audio");
        string_attr(a, "source", r.audio.source);
        string_attr(a, "sha1", r.audio.sha1);
        int_attr(a, "rate", r.audio.rate);
        int_attr(a, "channels", r.audio.channels);
        double_attr(a, "start", r.audio.start);
        double_attr(a, "duration", r.audio.duration);
        string_attr(a, "mix", r.audio.mix);
        if (r.audio.channel >= 0)
            int_attr(a, "channel", r.audio.channel);

        if (r.frames) {
            Handle f = group(g, "frames");
            int_attr(f, "rate", r.frames->rate);
            int_attr(f, "block", r.frames->block);
            int_attr(f, "step", r.frames->step);
        }

        Handle d = group(g, "data");
        write_data(d, r);
        if (!r.extra.empty())
            string_attr(d, "extra",
                        r.extra.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }

    void finish() override {
        where_ = "closing";
        if (H5Fflush(file_, H5F_SCOPE_GLOBAL) < 0)
            fail("cannot write the file");
        file_.reset(); // H5Fclose
    }

  private:
    [[noreturn]] void fail(const std::string &what) {
        std::string w = why();
        throw Error(out_.path() + ": hdf5: " + (where_.empty() ? "" : where_ + ": ") + what +
                    (w.empty() ? "" : " (" + w + ")"));
    }

    Handle group(hid_t parent, const std::string &name) {
        Handle g(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
        if (!g.ok())
            fail("cannot create group '" + name + "'");
        return g;
    }

    void attr(hid_t obj, const char *name, hid_t file_type, hid_t mem_type, const void *value) {
        Handle space(H5Screate(H5S_SCALAR), H5Sclose);
        Handle a(H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
        if (!a.ok() || H5Awrite(a, mem_type, value) < 0)
            fail(std::string("cannot write attribute '") + name + "'");
    }

    void check_text(const std::string &s, const char *name) {
        if (s.find('\0') != std::string::npos)
            throw Error(out_.path() + ": hdf5: " + where_ + ": " + name +
                        " holds a NUL character, which HDF5 strings cannot hold");
    }

    void string_attr(hid_t obj, const char *name, const std::string &value) {
        check_text(value, name);
        if (!str_.ok())
            str_ = string_type();
        const char *p = value.c_str();
        attr(obj, name, str_, str_, &p);
    }
    void int_attr(hid_t obj, const char *name, long long v) {
        const int64_t x = v;
        attr(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &x);
    }
    void double_attr(hid_t obj, const char *name, double v) {
        attr(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
    }

    // A numeric dataset: rank 0 (scalar) when dims is empty. `file_type` is its stored type.
    void numbers(hid_t g, const char *name, hid_t file_type, hid_t mem_type, const void *data,
                 std::vector<hsize_t> dims) {
        hsize_t count = 0;
        Handle d = dataset(g, name, file_type, dims, &count, nullptr);
        if (count > 0 && H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
            fail(std::string("cannot write dataset '") + name + "'");
    }

    // A framewise series kept in a spill file: written a few chunks of rows at a time (whole
    // chunks, in order, as one H5Dwrite of the whole would), never held whole.
    void spilled_series(hid_t g, const char *name, const Result &r, hsize_t n, hsize_t w) {
        const std::vector<hsize_t> dims = w > 1 ? std::vector<hsize_t>{n, w} : std::vector<hsize_t>{n};
        hsize_t count = 0, chunk_rows = 0;
        Handle d = dataset(g, name, H5T_IEEE_F32LE, dims, &count, &chunk_rows);
        if (count == 0)
            return;
        const hsize_t per = std::max<hsize_t>(chunk_rows ? chunk_rows : n, 1);
        const hsize_t rows = per * std::max<hsize_t>(1, (1u << 20) / (per * w * sizeof(float)));
        Handle file_space(H5Dget_space(d), H5Sclose);
        bool ok = file_space.ok();
        result::for_each_block(r, static_cast<std::size_t>(rows * w), [&](const float *x,
                                                                          std::size_t first,
                                                                          std::size_t len) {
            const hsize_t row0 = first / w, k = std::min<hsize_t>(len / w, n - std::min(n, row0));
            if (!ok || k == 0)
                return;
            std::vector<hsize_t> start(dims.size(), 0), size = dims;
            start[0] = row0;
            size[0] = k;
            Handle mem(H5Screate_simple(static_cast<int>(size.size()), size.data(), nullptr), H5Sclose);
            ok = mem.ok() && H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr,
                                                 size.data(), nullptr) >= 0 &&
                 H5Dwrite(d, H5T_NATIVE_FLOAT, mem, file_space, H5P_DEFAULT, x) >= 0;
        });
        if (!ok)
            fail(std::string("cannot write dataset '") + name + "'");
    }

    // Creates a numeric dataset, chunked and compressed when large; *count is its number of
    // values, *chunk_rows (when given) its rows per chunk, 0 when not chunked.
    Handle dataset(hid_t g, const char *name, hid_t file_type, const std::vector<hsize_t> &dims,
                   hsize_t *count_out, hsize_t *chunk_rows) {
        Handle space(dims.empty()
                         ? H5Screate(H5S_SCALAR)
                         : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                     H5Sclose);
        Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
        hsize_t count = 1;
        for (auto x : dims)
            count *= x;
        if (!dims.empty() && count > big && H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
            std::vector<hsize_t> chunk = dims;
            hsize_t row = H5Tget_size(file_type);
            for (std::size_t i = 1; i < dims.size(); ++i)
                row *= dims[i];
            chunk[0] = std::clamp<hsize_t>(chunk_bytes / std::max<hsize_t>(row, 1), 1, dims[0]);
            if (H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()) < 0 ||
                H5Pset_shuffle(dcpl) < 0 || H5Pset_deflate(dcpl, 4) < 0)
                fail(std::string("cannot set up dataset '") + name + "'");
            if (chunk_rows)
                *chunk_rows = chunk[0];
        }
        Handle d(H5Dcreate2(g, name, file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), H5Dclose);
        if (!d.ok())
            fail(std::string("cannot create dataset '") + name + "'");
        *count_out = count;
        return d;
    }

    void doubles(hid_t g, const char *name, const std::vector<double> &v) {
        numbers(g, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.data(), {v.size()});
    }

    void strings(hid_t g, const char *name, const std::vector<std::string> &v, bool scalar) {
        std::vector<const char *> p;
        p.reserve(v.size());
        for (const auto &s : v) {
            check_text(s, name);
            p.push_back(s.c_str());
        }
        hsize_t n = v.size();
        Handle space(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr), H5Sclose);
        Handle d(H5Dcreate2(g, name, str_, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
        if (!d.ok())
            fail(std::string("cannot create dataset '") + name + "'");
        if (!p.empty() && H5Dwrite(d, str_, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data()) < 0)
            fail(std::string("cannot write dataset '") + name + "'");
    }

    void write_data(hid_t d, const Result &r) {
        switch (r.time_mode) {
        case TimeMode::global:
            if (r.data_mode == DataMode::label) {
                strings(d, "label", {r.labels.empty() ? std::string() : r.labels[0]}, true);
            } else if (r.scalar) {
                const double v = r.value.empty() ? NAN : r.value[0];
                numbers(d, "value", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v, {});
            } else {
                doubles(d, "value", r.value);
            }
            break;
        case TimeMode::framewise: {
            const hsize_t w = std::max<std::size_t>(r.width, 1);
            const hsize_t n = r.series_size() / w;
            // The series is float32, contiguous, row-major: written as it is.
            if (r.spilled)
                spilled_series(d, "value", r, n, w);
            else
                numbers(d, "value", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, r.series.data(),
                        w > 1 ? std::vector<hsize_t>{n, w} : std::vector<hsize_t>{n});
            int_attr(d, "width", static_cast<long long>(w));
            if (!r.y.empty())
                doubles(d, "y", r.y);
            break;
        }
        case TimeMode::event:
        case TimeMode::segment:
            doubles(d, "time", r.time);
            if (r.time_mode == TimeMode::segment)
                doubles(d, "duration", r.duration);
            if (!r.value.empty() ||
                (r.data_mode == DataMode::value && r.time_mode == TimeMode::segment))
                doubles(d, "value", r.value);
            if (!r.labels.empty() || r.data_mode == DataMode::label)
                strings(d, "label", r.labels, false);
            if (!r.confidence.empty())
                doubles(d, "confidence", r.confidence);
            break;
        }
    }

    io::Output &out_;
    Options o_;
    Handle file_;
    Handle str_;
    std::set<std::string> used_;
    std::size_t index_ = 0;
    std::string where_;
};

// ---------------------------------------------------------------------------- reading

// A problem inside one group; the caller adds the file and the group's name.
struct Bad : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The size of the file holding `obj`, as it is on disk (0 when unknown).
hsize_t file_size(hid_t obj) {
    Handle f(H5Iget_file_id(obj), H5Fclose);
    hsize_t n = 0;
    if (!f.ok() || H5Fget_filesize(f, &n) < 0)
        return 0;
    return n;
}

bool has_attr(hid_t obj, const char *name) {
    return H5Aexists(obj, name) > 0;
}

bool has_link(hid_t g, const char *name) {
    return H5Lexists(g, name, H5P_DEFAULT) > 0;
}

Handle open_attr(hid_t obj, const char *name, const std::string &where) {
    if (!has_attr(obj, name))
        throw Bad("missing attribute '" + where + name + "'");
    Handle a(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
    if (!a.ok())
        throw Bad("cannot read attribute '" + where + name + "' (" + why() + ")");
    Handle space(H5Aget_space(a), H5Sclose);
    if (H5Sget_simple_extent_type(space) != H5S_SCALAR)
        throw Bad("attribute '" + where + name + "' is not a single value");
    return a;
}

std::string read_string(hid_t obj, const char *name, const std::string &where = "") {
    Handle a = open_attr(obj, name, where);
    Handle type(H5Aget_type(a), H5Tclose);
    if (H5Tget_class(type) != H5T_STRING)
        throw Bad("attribute '" + where + name + "' is not a string");
    if (H5Tis_variable_str(type) > 0) {
        Handle mem = string_type();
        char *p = nullptr;
        if (H5Aread(a, mem, &p) < 0)
            throw Bad("cannot read attribute '" + where + name + "' (" + why() + ")");
        std::string s = p ? p : "";
        H5free_memory(p);
        return s;
    }
    const std::size_t size = H5Tget_size(type);
    if (size > file_size(obj))
        throw Bad("attribute '" + where + name + "' claims a string longer than the file");
    std::string s(size, '\0');
    if (size && H5Aread(a, type, s.data()) < 0)
        throw Bad("cannot read attribute '" + where + name + "' (" + why() + ")");
    s.resize(std::strlen(s.c_str()));
    return s;
}

long long read_int(hid_t obj, const char *name, const std::string &where, long long lo,
                   long long hi) {
    Handle a = open_attr(obj, name, where);
    Handle type(H5Aget_type(a), H5Tclose);
    int64_t v = 0;
    if (H5Tget_class(type) != H5T_INTEGER || H5Aread(a, H5T_NATIVE_INT64, &v) < 0)
        throw Bad("attribute '" + where + name + "' is not an integer");
    if (v < lo || v > hi)
        throw Bad("attribute '" + where + name + "' is not an integer from " + std::to_string(lo) +
                  " to " + std::to_string(hi) + ": " + std::to_string(v));
    return v;
}

double read_double(hid_t obj, const char *name, const std::string &where) {
    Handle a = open_attr(obj, name, where);
    Handle type(H5Aget_type(a), H5Tclose);
    const H5T_class_t c = H5Tget_class(type);
    double v = 0;
    if ((c != H5T_FLOAT && c != H5T_INTEGER) || H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0)
        throw Bad("attribute '" + where + name + "' is not a number");
    return v;
}

nlohmann::json read_json(hid_t obj, const char *name, const std::string &where) {
    const std::string text = read_string(obj, name, where);
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        throw Bad("attribute '" + where + name + "' is not a JSON object");
    return j;
}

Handle open_group(hid_t parent, const char *name, const std::string &where = "") {
    if (!has_link(parent, name))
        throw Bad("missing group '" + where + name + "'");
    Handle g(H5Gopen2(parent, name, H5P_DEFAULT), H5Gclose);
    if (!g.ok())
        throw Bad("'" + where + name + "' is not a group");
    return g;
}

// A dataset opened, with its shape; its numbers are read only by read_*().
struct Dataset {
    Handle d;
    std::vector<hsize_t> dims; // empty: scalar
    std::string name;
    hsize_t count() const {
        hsize_t n = 1;
        for (auto x : dims)
            n *= x;
        return n;
    }
};

// Deflate packs at most 1032 bytes into one; with shuffle and HDF5's chunk headers, 1100.
constexpr double most_inflated = 1100;

// Checks the shape a dataset claims against the bytes the file really holds, before anything
// is allocated for it: a damaged dimension (one changed byte can make 77 kB claim 470 MB)
// is refused instead of read as zeros into memory.
void check_size(const Dataset &ds, std::size_t element) {
    const std::string &where = ds.name;
    long double values = 1; // (long double: dims multiplied may overflow 64 bits)
    for (auto x : ds.dims)
        values *= static_cast<long double>(x);
    const long double bytes = values * static_cast<long double>(std::max<std::size_t>(element, 1));
    if (values == 0)
        return;
    const hsize_t size = file_size(ds.d);
    const hsize_t stored = H5Dget_storage_size(ds.d);
    auto shape = [&] {
        std::string s;
        for (auto x : ds.dims)
            s += (s.empty() ? "" : " x ") + std::to_string(x);
        return s.empty() ? std::string("1") : s;
    };
    if (size && stored > size)
        throw Bad("dataset '" + where + "' claims " + std::to_string(stored) +
                  " bytes, more than the file's " + std::to_string(size) + " (a damaged file)");
    Handle dcpl(H5Dget_create_plist(ds.d), H5Pclose);
    const H5D_layout_t layout = dcpl.ok() ? H5Pget_layout(dcpl) : H5D_LAYOUT_ERROR;
    if (layout == H5D_CHUNKED) {
        const int rank = H5Pget_chunk(dcpl, 0, nullptr);
        std::vector<hsize_t> chunk(static_cast<std::size_t>(std::max(rank, 0)));
        hsize_t have = 0;
        Handle space(H5Dget_space(ds.d), H5Sclose);
        if (rank != static_cast<int>(ds.dims.size()) ||
            H5Pget_chunk(dcpl, rank, chunk.data()) < 0 ||
            H5Dget_num_chunks(ds.d, space, &have) < 0)
            throw Bad("cannot read the chunks of dataset '" + where + "' (" + why() + ")");
        long double need = 1, chunk_bytes = static_cast<long double>(element);
        for (std::size_t i = 0; i < chunk.size(); ++i) {
            if (chunk[i] == 0)
                throw Bad("dataset '" + where + "' has chunks of 0 values (a damaged file)");
            need *= static_cast<long double>((ds.dims[i] + chunk[i] - 1) / chunk[i]);
            chunk_bytes *= static_cast<long double>(chunk[i]);
        }
        if (static_cast<long double>(have) < need)
            throw Bad("dataset '" + where + "' of " + shape() + " values needs " +
                      std::to_string(static_cast<unsigned long long>(need)) + " chunks, the file holds " +
                      std::to_string(have) + " (a damaged file)");
        if (bytes > static_cast<long double>(stored) * most_inflated + chunk_bytes)
            throw Bad("dataset '" + where + "' of " + shape() + " values cannot come from the " +
                      std::to_string(stored) + " bytes the file holds for it (a damaged file)");
    } else if (bytes > static_cast<long double>(stored) ||
               (size && bytes > static_cast<long double>(size))) {
        // contiguous or compact: every value is stored as it is
        throw Bad("dataset '" + where + "' of " + shape() + " values needs " +
                  std::to_string(static_cast<unsigned long long>(bytes)) + " bytes, the file holds " +
                  std::to_string(stored) + " for it (a damaged file)");
    }
}

Dataset open_dataset(hid_t g, const char *name, H5T_class_t want, int min_rank, int max_rank) {
    const std::string where = std::string("data/") + name;
    if (!has_link(g, name))
        throw Bad("missing dataset '" + where + "'");
    Dataset ds{Handle(H5Dopen2(g, name, H5P_DEFAULT), H5Dclose), {}, where};
    if (!ds.d.ok())
        throw Bad("'" + where + "' is not a dataset");
    Handle type(H5Dget_type(ds.d), H5Tclose);
    const H5T_class_t c = H5Tget_class(type);
    if (want == H5T_STRING ? c != H5T_STRING || H5Tis_variable_str(type) <= 0
                           : c != H5T_FLOAT && c != H5T_INTEGER)
        throw Bad("dataset '" + where + "' does not hold " +
                  (want == H5T_STRING ? "variable-length strings" : "numbers"));
    Handle space(H5Dget_space(ds.d), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank < min_rank || rank > max_rank)
        throw Bad("dataset '" + where + "' has " + std::to_string(rank) + " dimensions, not " +
                  (min_rank == max_rank
                       ? std::to_string(min_rank)
                       : std::to_string(min_rank) + " to " + std::to_string(max_rank)));
    ds.dims.resize(static_cast<std::size_t>(rank));
    if (H5Sget_simple_extent_dims(space, ds.dims.data(), nullptr) < 0)
        throw Bad("cannot read the shape of dataset '" + where + "' (" + why() + ")");
    check_size(ds, H5Tget_size(type));
    return ds;
}

template <class T> void read_into(const Dataset &ds, hid_t mem, std::vector<T> &out) {
    out.resize(ds.count());
    if (!out.empty() && H5Dread(ds.d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
        throw Bad("cannot read dataset '" + ds.name + "' (" + why() + ")");
}

std::vector<double> read_doubles(hid_t g, const char *name, bool data) {
    Dataset ds = open_dataset(g, name, H5T_FLOAT, 1, 1);
    std::vector<double> v;
    if (data)
        read_into(ds, H5T_NATIVE_DOUBLE, v);
    else
        v.assign(ds.count(), 0.0); // the length alone, for the checks
    return v;
}

std::vector<std::string> read_strings(hid_t g, const char *name, int rank, bool data) {
    Dataset ds = open_dataset(g, name, H5T_STRING, rank, rank);
    std::vector<std::string> out(ds.count());
    if (!data || out.empty())
        return out;
    std::vector<char *> p(out.size(), nullptr);
    Handle mem = string_type();
    if (H5Dread(ds.d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data()) < 0)
        throw Bad("cannot read dataset '" + ds.name + "' (" + why() + ")");
    for (std::size_t i = 0; i < p.size(); ++i)
        out[i] = p[i] ? p[i] : "";
    Handle space(H5Dget_space(ds.d), H5Sclose);
    H5Dvlen_reclaim(mem, space, H5P_DEFAULT, p.data());
    return out;
}

// One group back into a Result; with `data` false, only checks it (every key, the shapes).
Result read_group(hid_t file, const std::string &name, bool data) {
    Handle g = open_group(file, name.c_str());
    Result r;
    r.id = read_string(g, "id");
    if (r.id.empty())
        throw Bad("empty id");
    r.analyzer = read_string(g, "analyzer");
    r.name = read_string(g, "name");
    r.unit = read_string(g, "unit");
    r.description = read_string(g, "description");
    const std::string tm = read_string(g, "time_mode"), dm = read_string(g, "data_mode");
    if (auto m = result::parse_time_mode(tm))
        r.time_mode = *m;
    else
        throw Bad("time_mode '" + tm + "' is not " + result::time_mode_choices);
    if (auto m = result::parse_data_mode(dm))
        r.data_mode = *m;
    else
        throw Bad("data_mode '" + dm + "' is not " + result::data_mode_choices);
    r.tool = read_string(g, "tool");
    r.version = read_string(g, "version");
    r.params = read_json(g, "params", "");

    {
        Handle a = open_group(g, "audio");
        const std::string w = "audio/";
        r.audio.source = read_string(a, "source", w);
        r.audio.sha1 = read_string(a, "sha1", w);
        r.audio.rate = static_cast<int>(read_int(a, "rate", w, 0, 1 << 30));
        r.audio.channels = static_cast<int>(read_int(a, "channels", w, 0, 1 << 16));
        r.audio.start = read_double(a, "start", w);
        r.audio.duration = read_double(a, "duration", w);
        r.audio.mix = read_string(a, "mix", w);
        if (has_attr(a, "channel"))
            r.audio.channel = static_cast<int>(read_int(a, "channel", w, 0, 1 << 16));
    }
    if (r.time_mode == TimeMode::framewise || has_link(g, "frames")) {
        Handle f = open_group(g, "frames");
        const std::string w = "frames/";
        r.frames = result::Framing{static_cast<int>(read_int(f, "rate", w, 1, 1 << 30)),
                                   static_cast<int>(read_int(f, "block", w, 1, 1 << 30)),
                                   static_cast<int>(read_int(f, "step", w, 1, 1 << 30))};
    }

    Handle d = open_group(g, "data");
    if (has_attr(d, "extra"))
        r.extra = read_json(d, "extra", "data/");
    auto same = [&](std::size_t n, std::size_t m, const char *key) {
        if (n != m)
            throw Bad("dataset 'data/" + std::string(key) + "' has " + std::to_string(m) +
                      " entries, 'data/time' " + std::to_string(n));
    };
    switch (r.time_mode) {
    case TimeMode::global:
        if (r.data_mode == DataMode::label) {
            r.labels = read_strings(d, "label", 0, data);
        } else {
            Dataset ds = open_dataset(d, "value", H5T_FLOAT, 0, 1);
            r.scalar = ds.dims.empty();
            if (data)
                read_into(ds, H5T_NATIVE_DOUBLE, r.value);
        }
        break;
    case TimeMode::framewise: {
        Dataset ds = open_dataset(d, "value", H5T_FLOAT, 1, 2);
        r.width = ds.dims.size() == 2 ? static_cast<std::size_t>(ds.dims[1]) : 1;
        if (r.width == 0)
            throw Bad("dataset 'data/value' has rows of 0 values");
        if (has_attr(d, "width") &&
            read_int(d, "width", "data/", 1, 1ll << 40) != static_cast<long long>(r.width))
            throw Bad("attribute 'data/width' does not match dataset 'data/value'");
        if (data)
            read_into(ds, H5T_NATIVE_FLOAT, r.series);
        if (has_link(d, "y")) {
            r.y = read_doubles(d, "y", data);
            if (r.width > 1 && r.y.size() != r.width)
                throw Bad("dataset 'data/y' has " + std::to_string(r.y.size()) +
                          " entries, the rows " + std::to_string(r.width));
        }
        break;
    }
    case TimeMode::event:
    case TimeMode::segment: {
        r.time = read_doubles(d, "time", data);
        const std::size_t n = r.time.size();
        if (r.time_mode == TimeMode::segment) {
            r.duration = read_doubles(d, "duration", data);
            same(n, r.duration.size(), "duration");
        }
        if (has_link(d, "value") ||
            (r.time_mode == TimeMode::segment && r.data_mode == DataMode::value)) {
            r.value = read_doubles(d, "value", data);
            same(n, r.value.size(), "value");
        }
        if (has_link(d, "label") || r.data_mode == DataMode::label) {
            r.labels = read_strings(d, "label", 1, data);
            same(n, r.labels.size(), "label");
        }
        if (has_link(d, "confidence")) {
            r.confidence = read_doubles(d, "confidence", data);
            same(n, r.confidence.size(), "confidence");
        }
        break;
    }
    }
    return r;
}

} // namespace

std::unique_ptr<Writer> hdf5_writer_impl(io::Output &out, const Options &o) {
    return std::make_unique<Hdf5Writer>(out, o);
}

namespace {

// Reads the file, every group checked before any result is emitted; with no `emit`, reads
// it all (the data too) and emits nothing.
void read_file(const std::string &path, const Emit &emit) {
    Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file.ok()) {
        const std::string w = why();
        throw Error(path + ": not a readable HDF5 file" + (w.empty() ? "" : " (" + w + ")"));
    }
    try {
        if (read_string(file, "schema") != result::schema)
            throw Bad("attribute 'schema' is not \"" + std::string(result::schema) + "\"");
    } catch (const Bad &e) {
        throw Error(path + ": not a ts-result HDF5 file: " + e.what());
    }

    // The groups, in their `index` order. Every group is checked before any result is
    // emitted, so a damaged file writes nothing.
    H5G_info_t info;
    if (H5Gget_info(file, &info) < 0)
        throw Error(path + ": cannot list the groups (" + why() + ")");
    std::vector<std::pair<long long, std::string>> order;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t len =
            H5Lget_name_by_idx(file, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (len < 0)
            throw Error(path + ": cannot list the groups (" + why() + ")");
        std::string name(static_cast<std::size_t>(len) + 1, '\0');
        H5Lget_name_by_idx(file, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(),
                           H5P_DEFAULT);
        name.resize(static_cast<std::size_t>(len));
        try {
            Handle g = open_group(file, name.c_str());
            const long long index = read_int(g, "index", "", 0, (1ll << 62));
            read_group(file, name, false);
            order.emplace_back(index, name);
        } catch (const Bad &e) {
            throw Error(path + ": group '" + name + "': " + e.what());
        }
    }
    std::stable_sort(order.begin(), order.end());
    for (const auto &[index, name] : order) {
        Result r;
        try {
            r = read_group(file, name, true);
        } catch (const Bad &e) {
            throw Error(path + ": group '" + name + "': " + e.what());
        }
        if (emit)
            emit(std::move(r));
    }
}

// libhdf5 trusts much of what it reads, and a flipped bit in a B-tree or heap can crash it
// (a read through a wild pointer) where no check of ours can intervene. So the whole file is
// read first in a child process: if libhdf5 dies there, the tool says so in one line and
// exits 1; if the child finds the file bad, its message is the tool's. Only a file the child
// read to the end is read again here, by the same deterministic code, to be emitted.
constexpr int bad_file = 3; // the child's exit status when it found the file bad, and said why

// libhdf5 sizes some of its own buffers from fields of the file: one flipped bit made a 70 kB
// file take 4.2 GB (and exit 0). The child's data segment is limited to what reading a sound
// file of that size can need: 1 GiB, plus what its datasets may inflate to (check_size's
// bound, most_inflated bytes per stored byte). The tool reads the file again only when the
// child read it whole within that limit. (Not in a sanitizer build, whose shadow memory
// counts against the limit; its allocator refuses such sizes by itself.)
void limit_memory(const std::string &path) {
#if !defined(__SANITIZE_ADDRESS__)
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return;
    const double bytes = 1073741824.0 + most_inflated * static_cast<double>(st.st_size);
    struct rlimit rl {};
    if (::getrlimit(RLIMIT_DATA, &rl) != 0)
        return;
    if (bytes < static_cast<double>(rl.rlim_cur) || rl.rlim_cur == RLIM_INFINITY) {
        rl.rlim_cur = static_cast<rlim_t>(bytes);
        ::setrlimit(RLIMIT_DATA, &rl);
    }
#else
    (void)path;
#endif
}

void read_in_child(const std::string &path) {
    int fd[2];
    if (::pipe2(fd, O_CLOEXEC) != 0)
        throw Error(path + ": cannot start the reader's process: " + std::strerror(errno));
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) {
        const int e = errno;
        ::close(fd[0]);
        ::close(fd[1]);
        throw Error(path + ": cannot start the reader's process: " + std::strerror(e));
    }
    if (pid == 0) {
        ::close(fd[0]);
        std::signal(SIGINT, SIG_DFL); // the child goes with the tool on ^C
        std::signal(SIGTERM, SIG_DFL);
        // Its word goes through the pipe; whatever a crash prints (a sanitizer's report in
        // the test build, which then exits 1 instead of dying by the signal) is not shown.
        if (const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC); null >= 0)
            ::dup2(null, STDERR_FILENO);
        limit_memory(path);
        std::string msg;
        int status = 0;
        try {
            read_file(path, {});
        } catch (const std::bad_alloc &) {
            msg = path + ": out of memory reading it (a damaged file)", status = bad_file;
        } catch (const std::exception &e) {
            msg = e.what(), status = bad_file;
        }
        for (std::size_t done = 0; done < msg.size();) {
            const ssize_t n = ::write(fd[1], msg.data() + done, msg.size() - done);
            if (n <= 0)
                break;
            done += static_cast<std::size_t>(n);
        }
        ::_exit(status); // no exit handlers, no flushing of the parent's buffers
    }
    ::close(fd[1]);
    std::string msg;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fd[0], buf, sizeof buf);
        if (n > 0)
            msg.append(buf, static_cast<std::size_t>(n));
        else if (n == 0 || errno != EINTR)
            break;
    }
    ::close(fd[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGTERM))
        throw Interrupted();
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return;
    if (WIFEXITED(status) && WEXITSTATUS(status) == bad_file && !msg.empty())
        throw Error(msg);
    throw Error(path + ": a damaged HDF5 file: the HDF5 library failed reading it (" +
                (WIFSIGNALED(status) ? std::string(::strsignal(WTERMSIG(status)))
                                     : "exit status " + std::to_string(WEXITSTATUS(status))) +
                ")");
}

} // namespace

void read_hdf5_impl(const std::string &path, const Emit &emit) {
    if (path == "-")
        throw UsageError("hdf5 cannot be read from stdin: give the file's name");
    quiet();
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        throw Error(path + ": " + std::strerror(errno));
    if (S_ISDIR(st.st_mode))
        throw Error(path + ": is a directory");
    read_in_child(path);
    read_file(path, emit);
}

} // namespace ts::serialize

// The hdf5 module's entry (hdf5.so, loaded by hdf5_writer and read_hdf5 in hdf5_module.cpp).
extern "C" __attribute__((visibility("default"))) const void *ts_hdf5_module() {
    static const ts::serialize::Hdf5Module table = {
        ts::serialize::hdf5_module_abi(TS_VERSION), ts::serialize::hdf5_writer_impl,
        ts::serialize::read_hdf5_impl};
    return &table;
}
