// csv: one table per result, or one table of a result id from several sources.
#include "serialize/text_writer.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>

namespace ts::serialize {
namespace {

using result::DataMode;
using result::Result;
using result::TimeMode;

std::string csv_field(const std::string &s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + "\"";
}

// One result's table, or with begin_table one table of one result id from several sources:
// then each row starts with the source (and the channel, for --mix each results), and the
// columns are those of the first two results; a later one needing more is refused.
class CsvWriter : public TextWriter {
  public:
    using TextWriter::TextWriter;

    void begin_table(const Result &first, const Result &second) override {
        table_ = true;
        channel_ = first.audio.channel >= 0;
        shape_ = shape_of(first);
        const Shape s = shape_of(second);
        if (!fits(s, shape_, true))
            throw Error(other_columns(second, first.id, source_name(first)));
        shape_.values |= s.values;
        shape_.labels |= s.labels;
        shape_.conf |= s.conf;
    }

    void write(const Result &r) override {
        std::string prefix;
        Shape shape = shape_of(r);
        if (table_) {
            const std::string key = r.audio.source + '\n' + std::to_string(r.audio.channel);
            if ((r.audio.channel >= 0) != channel_)
                throw Error("csv: " + r.id + " of " + source_name(r) +
                            (channel_ ? " is not per channel" : " is per channel") +
                            ", and the table's first source's is" + (channel_ ? "" : " not") +
                            ": write one file per result with -o DIR/");
            if (std::find(keys_.begin(), keys_.end(), key) != keys_.end())
                throw Error("csv: " + r.id + " of " + source_name(r) +
                            (channel_ ? " channel " + std::to_string(r.audio.channel) : std::string()) +
                            " comes twice: one table holds one result per source");
            if (!fits(shape, shape_, false))
                throw Error(other_columns(r, first_id_, first_source_));
            if (keys_.empty()) {
                first_id_ = r.id;
                first_source_ = source_name(r);
                buf_ += channel_ ? "source,channel," : "source,";
                header(shape_, r);
            }
            keys_.push_back(key);
            prefix = csv_field(r.audio.source) + ',';
            if (channel_)
                prefix += std::to_string(r.audio.channel) + ',';
            shape = shape_;
        } else {
            header(shape, r);
        }
        rows(shape, r, prefix);
        spill(true);
    }

  private:
    // The columns a result's table has.
    struct Shape {
        TimeMode time_mode = TimeMode::global;
        DataMode data_mode = DataMode::value;
        std::size_t width = 0; // global values, framewise columns
        bool one = true;       // a single "value" column (global scalar, framewise 1-D)
        bool values = false, labels = false, conf = false; // event and segment columns
    };
    static Shape shape_of(const Result &r) {
        Shape s;
        s.time_mode = r.time_mode;
        s.data_mode = r.data_mode;
        switch (r.time_mode) {
        case TimeMode::global:
            s.width = r.value.size();
            s.one = r.scalar;
            break;
        case TimeMode::framewise:
            s.width = r.width;
            s.one = r.width <= 1;
            break;
        case TimeMode::event:
        case TimeMode::segment:
            s.values = !r.value.empty() || (r.time_mode == TimeMode::segment && r.data_mode == DataMode::value);
            s.labels = !r.labels.empty() || r.data_mode == DataMode::label;
            s.conf = !r.confidence.empty();
            break;
        }
        return s;
    }
    // Whether a result of shape s has a place in table t; with `merge` (the first two
    // results) the event and segment columns may differ, the table taking them all.
    static bool fits(const Shape &s, const Shape &t, bool merge) {
        if (s.time_mode != t.time_mode)
            return false;
        switch (s.time_mode) {
        case TimeMode::global:
            return s.data_mode == t.data_mode && (s.data_mode == DataMode::label || (s.width == t.width && s.one == t.one));
        case TimeMode::framewise:
            return s.width == t.width && s.one == t.one;
        default:
            return merge || ((!s.values || t.values) && (!s.labels || t.labels) && (!s.conf || t.conf));
        }
    }
    static std::string source_name(const Result &r) { return r.audio.source.empty() ? "stdin" : r.audio.source; }
    static std::string other_columns(const Result &r, const std::string &id, const std::string &source) {
        return "csv: " + r.id + " of " + source_name(r) + " has other columns than " + id + " of " + source +
               ", the table's first: write one file per result with -o DIR/";
    }

    void header(const Shape &s, const Result &r) {
        switch (s.time_mode) {
        case TimeMode::global:
            if (s.data_mode == DataMode::label)
                buf_ += "label\n";
            else
                header_columns("", s.width, s.one, r);
            break;
        case TimeMode::framewise:
            header_columns("time,", s.width, s.one, r);
            break;
        case TimeMode::event:
        case TimeMode::segment:
            buf_ += s.time_mode == TimeMode::segment ? "time,duration" : "time";
            buf_ += s.values ? ",value" : "";
            buf_ += s.labels ? ",label" : "";
            buf_ += s.conf ? ",confidence\n" : "\n";
            break;
        }
    }

    void rows(const Shape &s, const Result &r, const std::string &prefix) {
        switch (r.time_mode) {
        case TimeMode::global:
            buf_ += prefix;
            if (r.data_mode == DataMode::label) {
                std::string label = r.labels.empty() ? std::string() : r.labels[0];
                // A row of one empty field is "" rather than an empty line, which CSV
                // readers skip (the key of a click track, say, has the label "").
                buf_ += (label.empty() && prefix.empty() ? "\"\"" : csv_field(label)) + "\n";
            } else {
                for (std::size_t i = 0; i < r.value.size(); ++i) {
                    if (i)
                        buf_ += ',';
                    num(r.value[i]);
                }
                buf_ += '\n';
            }
            break;
        case TimeMode::framewise: {
            const std::size_t n = r.frame_count();
            for (std::size_t i = 0; i < n; ++i) {
                buf_ += prefix;
                num(result::frame_time(r, i));
                for (std::size_t j = 0; j < r.width; ++j) {
                    buf_ += ',';
                    num(r.series[i * r.width + j]);
                }
                buf_ += '\n';
                spill();
            }
            break;
        }
        case TimeMode::event:
        case TimeMode::segment: {
            const bool seg = r.time_mode == TimeMode::segment;
            for (std::size_t i = 0; i < r.time.size(); ++i) {
                buf_ += prefix;
                num(r.time[i]);
                if (seg) {
                    buf_ += ',';
                    num(r.duration[i]);
                }
                if (s.values) {
                    buf_ += ',';
                    if (i < r.value.size())
                        num(r.value[i]);
                }
                if (s.labels) {
                    buf_ += ',';
                    if (i < r.labels.size())
                        buf_ += csv_field(r.labels[i]);
                }
                if (s.conf) {
                    buf_ += ',';
                    if (i < r.confidence.size())
                        num(r.confidence[i]);
                }
                buf_ += '\n';
                spill();
            }
            break;
        }
        }
    }

    // value, or value_0..value_{n-1}, or the names in data.columns when the result has them.
    void header_columns(const char *prefix, std::size_t n, bool one, const Result &r) {
        buf_ += prefix;
        auto cols = r.extra.find("columns");
        const bool named = cols != r.extra.end() && cols->is_array() && cols->size() == n;
        if (one && !named) {
            buf_ += "value\n";
            return;
        }
        for (std::size_t j = 0; j < n; ++j) {
            if (j)
                buf_ += ',';
            if (named && (*cols)[j].is_string())
                buf_ += csv_field((*cols)[j].get<std::string>());
            else
                buf_ += "value_" + std::to_string(j);
        }
        buf_ += '\n';
    }
    template <class T> void num(T v) {
        if (std::isfinite(v))
            result::append_number(v, buf_);
    }

    bool table_ = false, channel_ = false;
    Shape shape_;
    std::vector<std::string> keys_; // source and channel of each result in the table
    std::string first_id_, first_source_; // the table's first result, for messages
};

} // namespace

std::unique_ptr<Writer> csv_writer(io::Output &out, const Options &o) { return std::make_unique<CsvWriter>(out, o); }

} // namespace ts::serialize
