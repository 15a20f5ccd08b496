// yaml: the results in the layout of TimeSide's YAML serializer, and back.
#include "serialize/text_writer.hpp"

#include "core/error.hpp"
#include "result/read.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>

namespace ts::serialize {
namespace {

using result::DataMode;
using result::Result;
using result::TimeMode;

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

} // namespace

std::unique_ptr<Writer> yaml_writer(io::Output &out, const Options &o) { return std::make_unique<YamlWriter>(out, o); }

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
