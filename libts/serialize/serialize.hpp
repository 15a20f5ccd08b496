// ts-serialize's formats: writers from the Result model into every format, and readers of the
// structured ones back into it. ts-analyze -f uses the same writers.
#pragma once

#include "io/output.hpp"
#include "result/result.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ts::serialize {

struct Options {
    bool compact = false;     // json: one line instead of indented
    int dat_bits = 16;        // dat: 8 or 16-bit samples
    int dat_version = 0;      // dat: 1 (one channel), 2 (channels in the header); 0: 1 for one channel, else 2
    std::string version;      // producer.version for results made here (ts-analyze)
};

// Each result goes to write() in order; finish() closes the document. A writer of a format
// that holds one result (FormatInfo::single) throws on a second result.
class Writer {
  public:
    virtual ~Writer() = default;
    virtual void write(const result::Result &r) = 0;
    virtual void finish() {}
    // A format that makes one table of one result id from several sources (FormatInfo::
    // table) is told so before the first of them is written, with the first two results.
    virtual void begin_table(const result::Result &first, const result::Result &second) {
        (void)first, (void)second;
    }
};

using Emit = std::function<void(result::Result &&)>;

struct FormatInfo {
    std::string name;        // "hdf5"
    std::string extension;   // ".h5" (the first is the one written)
    std::vector<std::string> extensions; // every extension that means this format
    std::string summary;     // for --help and the man page
    bool single = false;     // holds one result (several: --result or -o DIR/)
    bool table = false;      // single, but one id from several sources (or channels) makes one table
    bool binary = false;     // a terminal is refused
    bool needs_file = false; // cannot go to stdout (hdf5: HDF5 writes by path)
    // The writer reads a spilled series (Result::spilled) in blocks; for the others the
    // Sink loads it into memory first.
    bool streams_series = false;
    // Why a result is left out with a warning instead of written ("" to write it): elan
    // skips framewise results. Null: every result is written (or refused by the writer).
    std::function<std::string(const result::Result &)> skip;
    std::function<std::unique_ptr<Writer>(io::Output &, const Options &)> make_writer;
    // Reads a file (or "-" when the format allows) back; null when not readable.
    std::function<void(const std::string &path, const Emit &)> read;
};

const std::vector<FormatInfo> &formats();
// By name ("hdf5") or null.
const FormatInfo *find_format(std::string_view name);
// By a path's extension (".h5", ".jsonl"), or null.
const FormatInfo *format_for_path(const std::string &path);

// The refusal of several results by a format that holds one: "csv holds one result, and
// WHAT (a, b): choose one with --result ID, or write one file per result with -o DIR/".
std::string several_results(const FormatInfo &format, const std::string &what,
                            const std::vector<std::string> &ids);

} // namespace ts::serialize

namespace ts::serialize {

// Where results go: stdout, one file (atomic), or -o DIR/ with one file per result
// (DIR/STEM.ID.EXT, STEM the audio source's name without its extension, "stdin" for a pipe;
// a name already written gets -2, -3, ...). A format that holds one result refuses a
// second one (UsageError) unless writing to a folder. A table format (csv) keeps its first
// result until a second one comes or finish(): the same id again, from another source, makes
// one table of both (Writer::begin_table), another id is refused before anything is written.
class Sink {
  public:
    Sink(const FormatInfo &format, const std::string &output, const Options &options);
    ~Sink();
    // Takes the result: a table format may keep it until the next one (moved, not copied).
    void write(result::Result &&r);
    // Finishes the document and commits the file(s). When every result was skipped
    // (FormatInfo::skip) nothing is written: an Error naming them.
    void finish();
    std::size_t written() const { return count_; }
    std::size_t skipped() const { return skipped_.size(); }

    static bool is_folder(const std::string &output);

  private:
    const FormatInfo &format_;
    std::string output_;
    Options options_;
    bool folder_ = false;
    std::unique_ptr<io::Output> out_;
    std::unique_ptr<Writer> writer_;
    std::string first_id_;
    result::Result held_; // a table format's first result, until the second or finish()
    std::size_t count_ = 0;
    std::vector<std::string> names_;
    std::vector<std::string> skipped_; // ids of the results skipped
};

} // namespace ts::serialize
