// The table of formats: names, extensions, which hold one result, which read back.
#include "serialize/formats.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "io/input.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ts::serialize {

const std::vector<FormatInfo> &formats() {
    static const std::vector<FormatInfo> table = [] {
        std::vector<FormatInfo> t;
        auto add = [&](std::string name, std::vector<std::string> exts, std::string summary,
                       bool single, bool binary, auto make, auto read) {
            FormatInfo f;
            f.name = std::move(name);
            f.extension = exts.front();
            f.extensions = std::move(exts);
            f.summary = std::move(summary);
            f.single = single;
            f.binary = binary;
            f.make_writer = make;
            f.read = read;
            t.push_back(std::move(f));
        };
        std::function<void(const std::string &, const Emit &)> none;
        add("jsonl", {".jsonl", ".ndjson"}, "ts-result JSON Lines, normalised (one result per line)",
            false, false, jsonl_writer, read_jsonl);
        add("json", {".json"}, "one JSON document {\"schema\", \"results\": [...]}, indented (or --compact)",
            false, false, json_writer, read_json);
        add("yaml", {".yaml", ".yml"}, "YAML in TimeSide's layout (id_metadata, data_object, ...)",
            false, false, yaml_writer, read_yaml);
        add("xml", {".xml"}, "XML, one <result> element per result", false, false, xml_writer, none);
        add("hdf5", {".h5", ".hdf5"}, "HDF5, one group per result (h5py, h5dump)", false, true,
            hdf5_writer, read_hdf5);
        add("csv", {".csv"}, "a table with a header row and time columns", true, false, csv_writer, none);
        t.back().table = true;
        add("npy", {".npy"}, "a numpy array (framewise values; times for events)", true, true,
            npy_writer, none);
        add("npz", {".npz"}, "numpy arrays, several results in one zip", false, true, npz_writer, none);
        add("jams", {".jams"}, "JAMS 0.3 annotations (onset, beat, tempo, key_mode, segment_open, ...)",
            false, false, jams_writer, read_jams);
        add("audacity", {".txt"}, "an Audacity label track (start, end, label)", true, false,
            audacity_writer, none);
        add("sonic-visualiser", {".svl.csv"}, "a Sonic Visualiser CSV layer", true, false,
            sonic_visualiser_writer, none);
        add("lab", {".lab"}, "a .lab label file (start end label)", true, false, lab_writer, none);
        add("elan", {".eaf"}, "an ELAN annotation document, one tier per result", false, false,
            elan_writer, none);
        t.back().skip = [](const result::Result &r) {
            return r.time_mode == result::TimeMode::framewise
                       ? std::string("framewise results have no place on an ELAN tier (events and segments do)")
                       : std::string();
        };
        add("dat", {".dat"}, "audiowaveform binary data (from a waveform result)", true, true,
            dat_writer, none);
        add("audiowaveform-json", {".awf.json"}, "audiowaveform JSON data (from a waveform result)",
            true, false, awf_json_writer, none);
        add("wavesurfer", {".peaks.json"}, "wavesurfer.js peaks JSON (from a waveform result)", true,
            false, wavesurfer_writer, none);
        for (auto &f : t) {
            if (f.name == "hdf5")
                f.needs_file = true;
            f.streams_series = f.name == "hdf5" || f.name == "jsonl";
        }
        return t;
    }();
    return table;
}

const FormatInfo *find_format(std::string_view name) {
    for (const auto &f : formats())
        if (f.name == name)
            return &f;
    return nullptr;
}

const FormatInfo *format_for_path(const std::string &path) {
    std::string lower = path;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const FormatInfo *best = nullptr;
    std::size_t best_len = 0;
    for (const auto &f : formats())
        for (const auto &e : f.extensions)
            if (f.name != "audacity" && // .txt is too common to mean a label track
                lower.size() > e.size() && lower.compare(lower.size() - e.size(), e.size(), e) == 0 &&
                e.size() > best_len)
                best = &f, best_len = e.size();
    return best;
}

std::string several_results(const FormatInfo &format, const std::string &what,
                            const std::vector<std::string> &ids) {
    std::string list;
    for (const auto &id : ids)
        list += (list.empty() ? "" : ", ") + id;
    return format.name + " holds one result, and " + what + " (" + list +
           "): choose one with --result ID, or write one file per result with -o DIR/";
}

std::string source_stem(const std::string &source) {
    std::string s = source;
    if (auto q = s.find_first_of("?#"); q != std::string::npos && s.find("://") != std::string::npos)
        s.resize(q);
    if (auto slash = s.find_last_of('/'); slash != std::string::npos)
        s = s.substr(slash + 1);
    if (auto dot = s.find_last_of('.'); dot != std::string::npos && dot > 0)
        s.resize(dot);
    return s;
}

std::string xml_escape(const std::string &s) {
    std::string o;
    o.reserve(s.size());
    for (char c : s) {
        switch (c) {
        case '<': o += "&lt;"; break;
        case '>': o += "&gt;"; break;
        case '&': o += "&amp;"; break;
        case '"': o += "&quot;"; break;
        case '\'': o += "&apos;"; break;
        case '\t': o += "&#9;"; break;
        case '\n': o += "&#10;"; break;
        case '\r': o += "&#13;"; break;
        default:
            // XML 1.0 has no other control characters
            o += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
        }
    }
    return o;
}

std::string producer_version(const result::Result &r, const Options &o) {
    return o.version.empty() ? r.version : o.version;
}

std::string slurp(const std::string &path) {
    if (path == "-")
        io::hint_terminal_stdin("results");
    std::FILE *f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
    if (!f)
        throw Error(path + ": " + std::strerror(errno));
    std::string s;
    char buf[1 << 16];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
        s.append(buf, n);
    const bool failed = std::ferror(f);
    const int err = errno;
    if (f != stdin)
        std::fclose(f);
    if (failed)
        throw Error((path == "-" ? std::string("stdin") : path) + ": " + std::strerror(err));
    return s;
}

} // namespace ts::serialize

#include <sys/stat.h>

namespace ts::serialize {

bool Sink::is_folder(const std::string &output) {
    if (output.empty() || output == "-")
        return false;
    if (output.back() == '/')
        return true;
    struct stat st;
    return ::stat(output.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Sink::Sink(const FormatInfo &format, const std::string &output, const Options &options)
    : format_(format), output_(output), options_(options), folder_(is_folder(output)) {
    if (folder_) {
        if (output_.back() == '/') // made when missing, as ts-transcode makes it
            io::make_folder(output_);
        struct stat st;
        if (::stat(output.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
            throw Error(output + ": not a folder");
        if (output_.back() != '/')
            output_ += '/';
        return;
    }
    if (format.needs_file && (output == "-" || output.empty()))
        throw UsageError(format.name + " cannot be written to stdout: give -o FILE");
    out_ = std::make_unique<io::Output>(output, format.binary);
    writer_ = format.make_writer(*out_, options_);
}

Sink::~Sink() = default;

namespace {
std::string safe(std::string s) {
    for (auto &c : s)
        if (c == '/' || c == '\0')
            c = '_';
    return s;
}
} // namespace

void Sink::write(result::Result &&r) {
    if (r.spilled && !format_.streams_series)
        result::load_series(r);
    if (format_.skip)
        if (const std::string why = format_.skip(r); !why.empty()) {
            log::warning(format_.name + ": skipping " + r.id + ": " + why);
            skipped_.push_back(r.id);
            return;
        }
    if (folder_) {
        const std::string stem = source_stem(r.audio.source);
        std::string base = output_ + safe(stem.empty() ? "stdin" : stem) + "." + safe(r.id);
        std::string path = base + format_.extension;
        for (int k = 2; std::find(names_.begin(), names_.end(), path) != names_.end(); ++k)
            path = base + "-" + std::to_string(k) + format_.extension;
        names_.push_back(path);
        io::Output out(path, format_.binary);
        auto w = format_.make_writer(out, options_);
        w->write(r);
        w->finish();
        out.commit();
        ++count_;
        return;
    }
    if (format_.single && count_ >= 1) {
        if (!format_.table || r.id != first_id_)
            throw UsageError(several_results(format_, "the input holds several", {first_id_, r.id}));
        if (count_ == 1) { // the second of one id: one table of both
            writer_->begin_table(held_, r);
            writer_->write(held_);
            held_ = result::Result();
        }
        writer_->write(r);
        ++count_;
        return;
    }
    if (count_ == 0)
        first_id_ = r.id;
    ++count_;
    if (format_.table) {
        held_ = std::move(r);
        return;
    }
    writer_->write(r);
}

void Sink::finish() {
    if (count_ == 0 && !skipped_.empty()) {
        std::string list;
        for (const auto &id : skipped_)
            list += (list.empty() ? "" : ", ") + id;
        throw Error(format_.name + ": nothing to write: every result was skipped (" + list + ")");
    }
    if (folder_)
        return;
    if (format_.table && count_ == 1) {
        writer_->write(held_);
        held_ = result::Result();
    }
    writer_->finish();
    out_->commit();
}

} // namespace ts::serialize
