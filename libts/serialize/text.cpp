// Text formats: jsonl (normalised), json (one document), yaml (TimeSide's layout), xml, csv.
// Each builds its text in a buffer handed to the output whenever it passes 1 MiB, so a long
// framewise matrix is never held whole as text.
#include "serialize/formats.hpp"

#include "core/error.hpp"
#include "result/read.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace ts::serialize {
namespace {

using result::DataMode;
using result::Result;
using result::TimeMode;

class TextWriter : public Writer {
  public:
    TextWriter(io::Output &out, const Options &o) : out_(out), o_(o) {}

  protected:
    void spill(bool force = false) {
        if (force || buf_.size() > (1u << 20)) {
            out_.write(buf_);
            buf_.clear();
        }
    }
    std::string version(const Result &r) const { return producer_version(r, o_); }

    io::Output &out_;
    Options o_;
    std::string buf_;
};

// ---------------------------------------------------------------------------- jsonl

class JsonlWriter : public TextWriter {
  public:
    using TextWriter::TextWriter;
    void write(const Result &r) override {
        result::write_jsonl(r, version(r), buf_, [&](std::string &) { spill(true); });
        spill(true);
    }
};

// ---------------------------------------------------------------------------- json

std::string indent_lines(const std::string &text, const std::string &pad) {
    std::string out;
    out.reserve(text.size() + 64);
    out += pad;
    for (char c : text) {
        out += c;
        if (c == '\n')
            out += pad;
    }
    return out;
}

// Writes a result as part of a JSON document: compact as its JSON line, or indented, the
// metadata by nlohmann-json and the data with one frame (or one array) per line.
class JsonWriter : public TextWriter {
  public:
    using TextWriter::TextWriter;
    void write(const Result &r) override {
        if (count_ == 0)
            buf_ += o_.compact ? "{\"schema\":\"ts-result/1\",\"results\":[" : "{\n  \"schema\": \"ts-result/1\",\n  \"results\": [\n";
        else
            buf_ += o_.compact ? "," : ",\n";
        ++count_;
        if (o_.compact) {
            result::write_jsonl(r, version(r), buf_, [&](std::string &) { spill(true); });
            buf_.pop_back(); // its newline
            spill();
            return;
        }
        std::string head = result::head_json(r, version(r)).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
        head.resize(head.size() - 2); // "\n}"
        buf_ += indent_lines(head, "    ");
        buf_ += ",\n      \"data\": {";
        bool first = true;
        auto key = [&](const char *k) {
            buf_ += first ? "\n        \"" : ",\n        \"";
            first = false;
            buf_ += k;
            buf_ += "\": ";
        };
        auto numbers = [&](const auto &v) {
            buf_ += '[';
            for (std::size_t i = 0; i < v.size(); ++i) {
                if (i)
                    buf_ += ", ";
                result::append_number(v[i], buf_);
                if ((i & 4095) == 4095)
                    spill();
            }
            buf_ += ']';
        };
        auto strings = [&](const std::vector<std::string> &v) {
            buf_ += nlohmann::json(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        };
        switch (r.time_mode) {
        case TimeMode::global:
            if (r.data_mode == DataMode::label) {
                key("label");
                buf_ += nlohmann::json(r.labels.empty() ? std::string() : r.labels[0])
                            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            } else {
                key("value");
                if (r.scalar)
                    result::append_number(r.value.empty() ? NAN : r.value[0], buf_);
                else
                    numbers(r.value);
            }
            break;
        case TimeMode::framewise: {
            key("value");
            const std::size_t n = r.frame_count();
            if (r.width <= 1) {
                numbers(r.series);
            } else {
                buf_ += '[';
                for (std::size_t i = 0; i < n; ++i) {
                    buf_ += i ? ",\n          [" : "\n          [";
                    for (std::size_t j = 0; j < r.width; ++j) {
                        if (j)
                            buf_ += ", ";
                        result::append_number(r.series[i * r.width + j], buf_);
                    }
                    buf_ += ']';
                    spill();
                }
                buf_ += n ? "\n        ]" : "]";
            }
            if (!r.y.empty()) {
                key("y");
                numbers(r.y);
            }
            break;
        }
        case TimeMode::event:
        case TimeMode::segment:
            key("time");
            numbers(r.time);
            if (r.time_mode == TimeMode::segment) {
                key("duration");
                numbers(r.duration);
            }
            if (!r.value.empty() || (r.data_mode == DataMode::value && r.time_mode == TimeMode::segment)) {
                key("value");
                numbers(r.value);
            }
            if (!r.labels.empty() || r.data_mode == DataMode::label) {
                key("label");
                strings(r.labels);
            }
            if (!r.confidence.empty()) {
                key("confidence");
                numbers(r.confidence);
            }
            break;
        }
        for (auto it = r.extra.begin(); it != r.extra.end(); ++it) {
            key(it.key().c_str());
            buf_ += it.value().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        }
        buf_ += first ? "}\n    }" : "\n      }\n    }";
        spill();
    }
    void finish() override {
        if (count_ == 0)
            buf_ += o_.compact ? "{\"schema\":\"ts-result/1\",\"results\":[" : "{\n  \"schema\": \"ts-result/1\",\n  \"results\": [";
        buf_ += o_.compact ? "]}\n" : "\n  ]\n}\n";
        spill(true);
    }

  private:
    std::size_t count_ = 0;
};

// ---------------------------------------------------------------------------- yaml

// YAML numbers: the shortest exact form, with ".0" before an exponent that lacks a point,
// since YAML 1.1 readers (PyYAML) take 1e-05 for a string; null for NaN and infinities.
template <class T> void yaml_number(T v, std::string &out) {
    const std::size_t at = out.size();
    result::append_number(v, out);
    const std::size_t e = out.find_first_of("eE", at);
    if (e != std::string::npos && out.find('.', at) == std::string::npos)
        out.insert(e, ".0");
}

std::string yaml_string(const std::string &s) {
    return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Any JSON value as YAML flow (params, extra keys): JSON with YAML-safe numbers.
void yaml_flow(const nlohmann::json &j, std::string &out) {
    switch (j.type()) {
    case nlohmann::json::value_t::object: {
        out += '{';
        bool first = true;
        for (auto it = j.begin(); it != j.end(); ++it) {
            out += first ? "" : ", ";
            first = false;
            out += yaml_string(it.key());
            out += ": ";
            yaml_flow(it.value(), out);
        }
        out += '}';
        break;
    }
    case nlohmann::json::value_t::array: {
        out += '[';
        bool first = true;
        for (const auto &x : j) {
            out += first ? "" : ", ";
            first = false;
            yaml_flow(x, out);
        }
        out += ']';
        break;
    }
    case nlohmann::json::value_t::number_float: {
        // nlohmann-json's own form (1.0 stays 1.0), so the JSON written back is the same.
        const std::size_t at = out.size();
        out += std::isfinite(j.get<double>()) ? j.dump() : "null";
        const std::size_t e = out.find_first_of("eE", at);
        if (e != std::string::npos && out.find('.', at) == std::string::npos)
            out.insert(e, ".0");
        break;
    }
    case nlohmann::json::value_t::string:
        out += yaml_string(j.get<std::string>());
        break;
    default:
        out += j.dump();
    }
}

class YamlWriter : public TextWriter {
  public:
    using TextWriter::TextWriter;
    void write(const Result &r) override {
        if (count_++ == 0)
            buf_ += "# ts-result/1 in TimeSide's YAML layout (see ts-serialize(1))\n";
        const auto &a = r.audio;
        buf_ += "- id_metadata:\n";
        field(4, "id", yaml_string(r.id));
        field(4, "analyzer", yaml_string(r.analyzer));
        field(4, "name", yaml_string(r.name));
        field(4, "unit", yaml_string(r.unit));
        field(4, "description", yaml_string(r.description));
        field(4, "producer", "{tool: " + yaml_string(r.tool) + ", version: " + yaml_string(version(r)) + "}");
        field(2, "time_mode", result::time_mode_name(r.time_mode));
        field(2, "data_mode", result::data_mode_name(r.data_mode));
        buf_ += "  audio_metadata:\n";
        field(4, "uri", a.source.empty() ? "null" : yaml_string(a.source));
        field(4, "sha1", a.sha1.empty() ? "null" : yaml_string(a.sha1));
        field(4, "samplerate", std::to_string(a.rate));
        field(4, "channels", std::to_string(a.channels));
        std::string t;
        yaml_number(a.start, t);
        field(4, "start", t);
        t.clear();
        yaml_number(a.duration, t);
        field(4, "duration", t);
        field(4, "mix", yaml_string(a.mix));
        if (a.channel >= 0)
            field(4, "channel", std::to_string(a.channel));
        if (r.frames) {
            buf_ += "  frame_metadata:\n";
            field(4, "samplerate", std::to_string(r.frames->rate));
            field(4, "blocksize", std::to_string(r.frames->block));
            field(4, "stepsize", std::to_string(r.frames->step));
        }
        t.clear();
        yaml_flow(r.params, t);
        field(2, "parameters", t);
        buf_ += "  data_object:\n";
        switch (r.time_mode) {
        case TimeMode::global:
            if (r.data_mode == DataMode::label) {
                field(4, "label", yaml_string(r.labels.empty() ? std::string() : r.labels[0]));
            } else if (r.scalar) {
                t.clear();
                yaml_number(r.value.empty() ? NAN : r.value[0], t);
                field(4, "value", t);
            } else {
                list(4, "value", r.value);
            }
            break;
        case TimeMode::framewise:
            if (r.width <= 1) {
                list(4, "value", r.series);
            } else {
                const std::size_t n = r.frame_count();
                buf_ += n ? "    value:\n" : "    value: []\n";
                for (std::size_t i = 0; i < n; ++i) {
                    buf_ += "      - [";
                    for (std::size_t j = 0; j < r.width; ++j) {
                        if (j)
                            buf_ += ", ";
                        yaml_number(r.series[i * r.width + j], buf_);
                    }
                    buf_ += "]\n";
                    spill();
                }
            }
            if (!r.y.empty())
                list(4, "y_value", r.y);
            break;
        case TimeMode::event:
        case TimeMode::segment:
            list(4, "time", r.time);
            if (r.time_mode == TimeMode::segment)
                list(4, "duration", r.duration);
            if (!r.value.empty() || (r.data_mode == DataMode::value && r.time_mode == TimeMode::segment))
                list(4, "value", r.value);
            if (!r.labels.empty() || r.data_mode == DataMode::label) {
                t.clear();
                yaml_flow(nlohmann::json(r.labels), t);
                field(4, "label", t);
            }
            if (!r.confidence.empty())
                list(4, "confidence", r.confidence);
            break;
        }
        if (!r.extra.empty()) {
            t.clear();
            yaml_flow(r.extra, t);
            field(4, "extra", t);
        }
        spill(true);
    }
    void finish() override {
        if (count_ == 0)
            buf_ += "[]\n";
        spill(true);
    }

  private:
    void field(int indent, const char *key, const std::string &value) {
        buf_.append(indent, ' ');
        buf_ += key;
        buf_ += ": ";
        buf_ += value;
        buf_ += '\n';
    }
    template <class V> void list(int indent, const char *key, const V &v) {
        buf_.append(indent, ' ');
        buf_ += key;
        buf_ += ": [";
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (i)
                buf_ += ", ";
            yaml_number(v[i], buf_);
            if ((i & 4095) == 4095)
                spill();
        }
        buf_ += "]\n";
    }
    std::size_t count_ = 0;
};

// YAML back to ts-result JSON: quoted scalars are strings; plain ones null, booleans or
// numbers. The ts-result text is then checked by the same parser as JSON Lines.
nlohmann::json yaml_to_json(const YAML::Node &n, const std::string &where) {
    switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
        return nullptr;
    case YAML::NodeType::Sequence: {
        nlohmann::json a = nlohmann::json::array();
        for (const auto &x : n)
            a.push_back(yaml_to_json(x, where));
        return a;
    }
    case YAML::NodeType::Map: {
        nlohmann::json o = nlohmann::json::object();
        for (const auto &kv : n)
            o[kv.first.Scalar()] = yaml_to_json(kv.second, where + "." + kv.first.Scalar());
        return o;
    }
    case YAML::NodeType::Scalar: {
        const std::string &s = n.Scalar();
        if (n.Tag() == "!")
            return s;
        if (s == "null" || s == "~" || s == "Null" || s == "NULL")
            return nullptr;
        if (s == "true" || s == "false")
            return s == "true";
        if (s == ".nan" || s == ".NaN" || s == ".inf" || s == "-.inf")
            return nullptr;
        char *end = nullptr;
        errno = 0;
        if (s.find_first_of(".eE") == std::string::npos) {
            long long v = std::strtoll(s.c_str(), &end, 10);
            if (!s.empty() && *end == '\0' && errno == 0)
                return v;
        }
        double d = std::strtod(s.c_str(), &end);
        if (!s.empty() && *end == '\0')
            return d;
        return s;
    }
    }
    return nullptr;
}

const nlohmann::json &member(const nlohmann::json &o, const char *key, const std::string &where) {
    static const nlohmann::json null;
    if (!o.is_object())
        throw result::Invalid(where + " is not a mapping");
    auto it = o.find(key);
    return it == o.end() ? null : *it;
}

// TimeSide's layout back to a ts-result object.
nlohmann::ordered_json from_timeside_layout(const nlohmann::json &y) {
    nlohmann::ordered_json j;
    const auto &id = member(y, "id_metadata", "the result");
    const auto &audio = member(y, "audio_metadata", "the result");
    const auto &frames = member(y, "frame_metadata", "the result");
    const auto &data = member(y, "data_object", "the result");
    auto copy = [](nlohmann::ordered_json &to, const char *key, const nlohmann::json &v) {
        if (!v.is_null() || key == std::string("source") || key == std::string("sha1"))
            to[key] = v;
    };
    j["schema"] = result::schema;
    for (const char *k : {"id", "analyzer", "name", "unit", "description"})
        copy(j, k, member(id, k, "id_metadata"));
    copy(j, "time_mode", member(y, "time_mode", "the result"));
    copy(j, "data_mode", member(y, "data_mode", "the result"));
    if (!audio.is_null()) {
        nlohmann::ordered_json a;
        copy(a, "source", member(audio, "uri", "audio_metadata"));
        copy(a, "sha1", member(audio, "sha1", "audio_metadata"));
        copy(a, "rate", member(audio, "samplerate", "audio_metadata"));
        copy(a, "channels", member(audio, "channels", "audio_metadata"));
        copy(a, "start", member(audio, "start", "audio_metadata"));
        copy(a, "duration", member(audio, "duration", "audio_metadata"));
        copy(a, "mix", member(audio, "mix", "audio_metadata"));
        copy(a, "channel", member(audio, "channel", "audio_metadata"));
        j["audio"] = a;
    }
    if (!frames.is_null())
        j["frames"] = {{"rate", member(frames, "samplerate", "frame_metadata")},
                       {"block", member(frames, "blocksize", "frame_metadata")},
                       {"step", member(frames, "stepsize", "frame_metadata")}};
    copy(j, "params", member(y, "parameters", "the result"));
    copy(j, "producer", member(id, "producer", "id_metadata"));
    nlohmann::ordered_json d = nlohmann::ordered_json::object();
    if (data.is_object())
        for (auto it = data.begin(); it != data.end(); ++it) {
            if (it.key() == "extra") {
                if (it->is_object())
                    for (auto e = it->begin(); e != it->end(); ++e)
                        d[e.key()] = *e;
            } else {
                d[it.key() == "y_value" ? std::string("y") : it.key()] = *it;
            }
        }
    if (!data.is_null())
        j["data"] = d;
    return j;
}

// ---------------------------------------------------------------------------- xml

class XmlWriter : public TextWriter {
  public:
    using TextWriter::TextWriter;
    void write(const Result &r) override {
        if (count_++ == 0)
            buf_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<results schema=\"ts-result/1\">\n";
        buf_ += "  <result id=\"" + xml_escape(r.id) + "\" analyzer=\"" + xml_escape(r.analyzer) +
                "\" name=\"" + xml_escape(r.name) + "\" unit=\"" + xml_escape(r.unit) +
                "\" time_mode=\"" + result::time_mode_name(r.time_mode) + "\" data_mode=\"" +
                result::data_mode_name(r.data_mode) + "\">\n";
        buf_ += "    <description>" + xml_escape(r.description) + "</description>\n";
        const auto &a = r.audio;
        std::string start, duration;
        result::append_number(a.start, start);
        result::append_number(a.duration, duration);
        buf_ += "    <audio source=\"" + xml_escape(a.source) + "\" sha1=\"" + xml_escape(a.sha1) +
                "\" rate=\"" + std::to_string(a.rate) + "\" channels=\"" + std::to_string(a.channels) +
                "\" start=\"" + start + "\" duration=\"" + duration + "\" mix=\"" + xml_escape(a.mix) + "\"" +
                (a.channel >= 0 ? " channel=\"" + std::to_string(a.channel) + "\"" : std::string()) + "/>\n";
        if (r.frames)
            buf_ += "    <frames rate=\"" + std::to_string(r.frames->rate) + "\" block=\"" +
                    std::to_string(r.frames->block) + "\" step=\"" + std::to_string(r.frames->step) + "\"/>\n";
        buf_ += "    <params>\n";
        for (auto it = r.params.begin(); it != r.params.end(); ++it)
            buf_ += "      <param name=\"" + xml_escape(it.key()) + "\">" +
                    xml_escape(it->is_string() ? it->get<std::string>() : it->dump()) + "</param>\n";
        buf_ += "    </params>\n";
        buf_ += "    <producer tool=\"" + xml_escape(r.tool) + "\" version=\"" + xml_escape(version(r)) + "\"/>\n";
        buf_ += "    <data>\n";
        switch (r.time_mode) {
        case TimeMode::global:
            if (r.data_mode == DataMode::label)
                buf_ += "      <label>" + xml_escape(r.labels.empty() ? std::string() : r.labels[0]) + "</label>\n";
            else
                list("value", r.value);
            break;
        case TimeMode::framewise:
            if (r.width <= 1) {
                list("value", r.series);
            } else {
                buf_ += "      <value frames=\"" + std::to_string(r.frame_count()) + "\" columns=\"" +
                        std::to_string(r.width) + "\">\n";
                for (std::size_t i = 0; i < r.frame_count(); ++i) {
                    buf_ += "        <row>";
                    for (std::size_t j = 0; j < r.width; ++j) {
                        if (j)
                            buf_ += ' ';
                        xml_number(r.series[i * r.width + j]);
                    }
                    buf_ += "</row>\n";
                    spill();
                }
                buf_ += "      </value>\n";
            }
            if (!r.y.empty())
                list("y", r.y);
            break;
        case TimeMode::event:
        case TimeMode::segment:
            list("time", r.time);
            if (r.time_mode == TimeMode::segment)
                list("duration", r.duration);
            if (!r.value.empty())
                list("value", r.value);
            if (!r.labels.empty()) {
                buf_ += "      <label>\n";
                for (const auto &l : r.labels)
                    buf_ += "        <item>" + xml_escape(l) + "</item>\n";
                buf_ += "      </label>\n";
            }
            if (!r.confidence.empty())
                list("confidence", r.confidence);
            break;
        }
        for (auto it = r.extra.begin(); it != r.extra.end(); ++it)
            buf_ += "      <extra name=\"" + xml_escape(it.key()) + "\">" + xml_escape(it->dump()) + "</extra>\n";
        buf_ += "    </data>\n  </result>\n";
        spill(true);
    }
    void finish() override {
        if (count_ == 0)
            buf_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<results schema=\"ts-result/1\">\n";
        buf_ += "</results>\n";
        spill(true);
    }

  private:
    template <class T> void xml_number(T v) {
        if (std::isfinite(v))
            result::append_number(v, buf_);
        else
            buf_ += "NaN";
    }
    template <class V> void list(const char *tag, const V &v) {
        buf_ += "      <";
        buf_ += tag;
        buf_ += " count=\"" + std::to_string(v.size()) + "\">";
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (i)
                buf_ += ' ';
            xml_number(v[i]);
            if ((i & 4095) == 4095)
                spill();
        }
        buf_ += "</";
        buf_ += tag;
        buf_ += ">\n";
    }
    std::size_t count_ = 0;
};

// ---------------------------------------------------------------------------- csv

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
                buf_ += csv_field(r.labels.empty() ? std::string() : r.labels[0]) + "\n";
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

std::unique_ptr<Writer> jsonl_writer(io::Output &out, const Options &o) { return std::make_unique<JsonlWriter>(out, o); }
std::unique_ptr<Writer> json_writer(io::Output &out, const Options &o) { return std::make_unique<JsonWriter>(out, o); }
std::unique_ptr<Writer> yaml_writer(io::Output &out, const Options &o) { return std::make_unique<YamlWriter>(out, o); }
std::unique_ptr<Writer> xml_writer(io::Output &out, const Options &o) { return std::make_unique<XmlWriter>(out, o); }
std::unique_ptr<Writer> csv_writer(io::Output &out, const Options &o) { return std::make_unique<CsvWriter>(out, o); }

void read_jsonl(const std::string &path, const Emit &emit) {
    result::JsonlReader reader(path);
    Result r;
    while (reader.next(r))
        emit(std::move(r));
}

void read_json(const std::string &path, const Emit &emit) {
    const std::string name = path == "-" ? "stdin" : path;
    const std::string text = slurp(path);
    result::Parser parser;
    try {
        parser.parse_document(text, emit);
    } catch (const result::Invalid &e) {
        throw Error(name + ": " + e.what());
    }
}

void read_yaml(const std::string &path, const Emit &emit) {
    const std::string name = path == "-" ? "stdin" : path;
    YAML::Node doc;
    try {
        doc = YAML::Load(slurp(path));
    } catch (const YAML::Exception &e) {
        throw Error(name + ": not valid YAML: " + e.what());
    }
    if (!doc.IsSequence())
        throw Error(name + ": not a YAML list of results (TimeSide's layout)");
    result::Parser parser;
    std::size_t i = 0;
    for (const auto &item : doc) {
        try {
            const std::string text = from_timeside_layout(yaml_to_json(item, "")).dump();
            emit(parser.parse(text));
        } catch (const result::Invalid &e) {
            throw Error(name + ": result " + std::to_string(i) + ": " + e.what());
        } catch (const nlohmann::json::type_error &) { // dump(): a key or string not UTF-8
            throw Error(name + ": result " + std::to_string(i) + ": text that is not valid UTF-8");
        }
        ++i;
    }
}

} // namespace ts::serialize
