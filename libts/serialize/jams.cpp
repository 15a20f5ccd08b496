// jams: JAMS 0.3, written and read back. Each result is one annotation whose observations hold what a JAMS namespace can say
// (see namespace_of); the annotation's sandbox.timeside keeps the rest, so the reader rebuilds
// the ts-result JSON exactly and hands it to result::Parser. Observation values are copied
// from the result's own JSON line, so numbers keep their shortest form and NaN is null.
#include "serialize/formats.hpp"

#include "core/error.hpp"
#include "result/read.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <regex>
#include <unistd.h>

namespace ts::serialize {
namespace {

using result::DataMode;
using result::Result;
using result::TimeMode;
using ojson = nlohmann::ordered_json;

const char *jams_version = "0.3.4";

std::string dump(const ojson &j, int indent = -1) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}


// The result as its JSON line, parsed: the head and "data" exactly as ts-result writes them.
ojson result_json(const Result &r, const std::string &version) {
    std::string line;
    result::write_jsonl(r, version, line);
    return ojson::parse(line);
}

// The last component of an id: "onsets" for "onsets" and "vamp:x:percussiononsets.onsets".
std::string last_part(const std::string &id) {
    auto p = id.find_last_of(".:");
    return p == std::string::npos ? id : id.substr(p + 1);
}

bool finite_number(const ojson &v) { return v.is_number() && std::isfinite(v.get<double>()); }

// ts key labels ("A minor", "C# major", "" for none) to JAMS key_mode ("A:minor", "N"), and back.
bool key_to_jams(const std::string &label, std::string &out) {
    static const std::regex re("^([A-G][b#]?) (major|minor)$");
    std::smatch m;
    if (label.empty()) {
        out = "N";
        return true;
    }
    if (!std::regex_match(label, m, re))
        return false;
    out = m[1].str() + ":" + m[2].str();
    return true;
}

std::string key_from_jams(const std::string &value) {
    if (value == "N")
        return "";
    std::string s = value;
    if (auto c = s.find(':'); c != std::string::npos)
        s[c] = ' ';
    return s;
}

// How a result's data goes into JAMS observations.
struct Mapping {
    std::string ns;        // JAMS namespace
    std::string value_key; // the ts data key the observation values carry ("value", "label", or "")
    bool confidence = false; // observation confidences carry data.confidence
};

Mapping namespace_of(const Result &r, const ojson &data) {
    const bool has_value = data.contains("value") && data["value"].is_array() && !data["value"].empty();
    const bool has_label = data.contains("label") && data["label"].is_array() && !data["label"].empty();
    const bool has_conf = data.contains("confidence") && data["confidence"].is_array();
    const std::string last = last_part(r.id);
    switch (r.time_mode) {
    case TimeMode::global:
        if (r.data_mode == DataMode::label) {
            std::string k;
            if (r.analyzer == "key" && key_to_jams(data.value("label", ""), k))
                return {"key_mode", "label", false};
            return {"tag_open", "label", false};
        }
        if (r.scalar && r.unit == "bpm")
            return {"tempo", "value", false};
        return {"vector", "value", false};
    case TimeMode::framewise:
        if (r.unit == "Hz" && r.width <= 1 && (r.id == "pitch.f0" || last == "f0"))
            return {"pitch_contour", "value", false};
        return {"vector", "value", false};
    case TimeMode::event:
        if (last == "beats" || last == "beat")
            return {"beat", has_value ? "value" : "", has_conf};
        if (last == "onsets" || last == "onset")
            return {"onset", has_label ? "label" : has_value ? "value" : "", has_conf};
        if (has_label)
            return {"tag_open", "label", has_conf};
        if (has_value)
            return {"vector", "value", has_conf};
        return {"blob", "", has_conf};
    case TimeMode::segment:
        if (has_label)
            return {"segment_open", "label", has_conf};
        if (has_value && (r.unit == "MIDI" || r.analyzer == "notes")) {
            bool ok = true;
            for (const auto &v : data["value"])
                ok = ok && finite_number(v);
            if (ok)
                return {"note_midi", "value", has_conf};
        }
        if (has_value)
            return {"vector", "value", has_conf};
        return {"blob", "", has_conf};
    }
    return {"blob", "", false};
}

// The voicing of pitch frames from a companion result (pitch.voiced), when one matches.
const Result *voiced_companion(const Result &r, const std::vector<Result> &all) {
    const std::string prefix = r.id.substr(0, r.id.size() - last_part(r.id).size());
    for (const auto &c : all)
        if (c.id == prefix + "voiced" && c.time_mode == TimeMode::framewise &&
            c.frame_count() == r.frame_count() && c.audio.source == r.audio.source &&
            c.audio.channel == r.audio.channel)
            return &c;
    return nullptr;
}

ojson observation(ojson time, ojson duration, ojson value, ojson confidence) {
    ojson o;
    o["time"] = time;
    o["duration"] = duration;
    o["value"] = std::move(value);
    o["confidence"] = std::move(confidence);
    return o;
}

ojson annotation(const Result &r, const std::vector<Result> &all, const Options &opt) {
    const std::string version = producer_version(r, opt);
    ojson line = result_json(r, version);
    ojson data = line["data"];
    line.erase("data");
    const Mapping m = namespace_of(r, data);
    ojson obs = ojson::array();
    const double start = r.audio.start, length = r.audio.duration;

    auto conf_at = [&](std::size_t i) -> ojson {
        if (!m.confidence)
            return nullptr;
        return data["confidence"][i];
    };
    bool carried = true; // the value_key array (or global value) is in the observations
    switch (r.time_mode) {
    case TimeMode::global: {
        const ojson &v = data[m.value_key];
        if (m.ns == "key_mode") {
            std::string k;
            key_to_jams(v.get<std::string>(), k);
            obs.push_back(observation(start, length, k, nullptr));
        } else if (m.ns == "tag_open") {
            obs.push_back(observation(start, length, v, nullptr));
        } else if (m.ns == "tempo") {
            if (finite_number(v) && v.get<double>() > 0) {
                ojson c = 1.0;
                if (data.contains("confidence") && finite_number(data["confidence"]) &&
                    data["confidence"].get<double>() >= 0 && data["confidence"].get<double>() <= 1)
                    c = data["confidence"];
                obs.push_back(observation(start, length, v, c));
            } else {
                carried = false; // null or non-positive: no observation, the value in the sandbox
            }
        } else if (r.scalar) {
            if (finite_number(v))
                obs.push_back(observation(start, length, ojson::array({v}), nullptr));
            else
                carried = false;
        } else if (!v.empty()) {
            obs.push_back(observation(start, length, v, nullptr));
        }
        break;
    }
    case TimeMode::framewise: {
        const ojson &v = data["value"];
        const double dur = r.frames && r.frames->rate > 0 ? double(r.frames->block) / r.frames->rate : 0.0;
        if (m.ns == "pitch_contour") {
            const Result *voiced = voiced_companion(r, all);
            for (std::size_t i = 0; i < v.size(); ++i) {
                const bool on = voiced ? voiced->series[i] > 0.5f : (finite_number(v[i]) && v[i].get<double>() > 0);
                obs.push_back(observation(result::frame_time(r, i), 0.0,
                                          ojson{{"index", 0}, {"frequency", v[i]}, {"voiced", on}}, nullptr));
            }
        } else {
            for (std::size_t i = 0; i < v.size(); ++i)
                obs.push_back(observation(result::frame_time(r, i), dur,
                                          v[i].is_array() ? v[i] : ojson::array({v[i]}), nullptr));
        }
        break;
    }
    case TimeMode::event:
    case TimeMode::segment: {
        const ojson &t = data["time"];
        for (std::size_t i = 0; i < t.size(); ++i) {
            const ojson d = r.time_mode == TimeMode::segment ? data["duration"][i] : ojson(0.0);
            ojson value = nullptr;
            if (!m.value_key.empty()) {
                value = data[m.value_key][i];
                if (m.ns == "vector")
                    value = ojson::array({value});
            }
            obs.push_back(observation(t[i], d, value, conf_at(i)));
        }
        break;
    }
    }

    // What the observations carry leaves the sandbox's data; the rest stays there.
    ojson rest = data;
    if (r.time_mode == TimeMode::event || r.time_mode == TimeMode::segment) {
        rest.erase("time");
        rest.erase("duration");
    }
    if (!m.value_key.empty() && carried)
        rest.erase(m.value_key);
    if (m.confidence)
        rest.erase("confidence");

    ojson a;
    a["namespace"] = m.ns;
    a["data"] = std::move(obs);
    a["annotation_metadata"] = {
        {"curator", {{"name", ""}, {"email", ""}}},
        {"annotator", ojson::object()},
        {"version", version},
        {"corpus", ""},
        {"annotation_tools", r.tool + (version.empty() ? "" : " " + version)},
        {"annotation_rules", ""},
        {"validation", ""},
        {"data_source", "program"},
    };
    ojson ts;
    ts["result"] = std::move(line);
    ts["data"] = std::move(rest);
    ts["value_key"] = carried ? m.value_key : "";
    ts["confidence"] = m.confidence;
    if (r.time_mode == TimeMode::global && r.data_mode == DataMode::value)
        ts["scalar"] = r.scalar;
    a["sandbox"] = {{"timeside", std::move(ts)}};
    a["time"] = start;
    a["duration"] = length;
    return a;
}

class JamsWriter : public Writer {
  public:
    JamsWriter(io::Output &out, const Options &o) : out_(out), o_(o) {}
    void write(const Result &r) override {
        if (!results_.empty() && r.audio.source != results_.front().audio.source)
            throw Error("jams: a JAMS file describes one audio file, and result " + r.id + " is of " +
                        (r.audio.source.empty() ? "stdin" : r.audio.source) + ", the first of " +
                        (results_.front().audio.source.empty() ? "stdin" : results_.front().audio.source) +
                        ": write one file per source");
        results_.push_back(r);
    }
    void finish() override {
        ojson doc;
        const Result first = results_.empty() ? Result{} : results_.front();
        doc["file_metadata"] = {
            {"title", source_stem(first.audio.source)},
            {"artist", ""},
            {"release", ""},
            {"duration", first.audio.start + first.audio.duration},
            {"identifiers", ojson::object()},
            {"jams_version", jams_version},
        };
        ojson anns = ojson::array();
        for (const auto &r : results_)
            anns.push_back(annotation(r, results_, o_));
        doc["annotations"] = std::move(anns);
        doc["sandbox"] = ojson::object();
        out_.write(dump(doc, o_.compact ? -1 : 2) + "\n");
    }

  private:
    io::Output &out_;
    Options o_;
    std::vector<Result> results_;
};

} // namespace

std::unique_ptr<Writer> jams_writer(io::Output &out, const Options &o) {
    return std::make_unique<JamsWriter>(out, o);
}

// Reading back: only annotations with sandbox.timeside (written by ts-serialize). A JAMS
// file from elsewhere is refused, naming the annotation: its namespaces do not say which
// ts-result (id, unit, time mode, framing) it would be.
void read_jams(const std::string &path, const Emit &emit) {
    const std::string name = path == "-" ? "stdin" : path;
    ojson doc;
    try {
        doc = ojson::parse(slurp(path));
    } catch (const nlohmann::json::exception &e) {
        throw Error(name + ": not JSON: " + e.what());
    }
    if (!doc.is_object() || !doc.contains("annotations") || !doc["annotations"].is_array())
        throw Error(name + ": not a JAMS file: no \"annotations\" array");
    const ojson &anns = doc["annotations"];
    result::Parser parser;
    for (std::size_t k = 0; k < anns.size(); ++k) {
        const ojson &a = anns[k];
        const std::string where = name + ": annotation " + std::to_string(k);
        auto bad = [&](const std::string &why) { return Error(where + ": " + why); };
        if (!a.is_object())
            throw bad("not an object");
        const std::string ns = a.contains("namespace") && a["namespace"].is_string() ? a["namespace"].get<std::string>() : "";
        const std::string where_ns = ns.empty() ? "" : " (" + ns + ")";
        if (!a.contains("sandbox") || !a["sandbox"].is_object() || !a["sandbox"].contains("timeside") ||
            !a["sandbox"]["timeside"].is_object())
            throw Error(where + where_ns +
                        ": no sandbox.timeside: only JAMS files written by ts-serialize -f jams are read back");
        const ojson &ts = a["sandbox"]["timeside"];
        if (!ts.contains("result") || !ts["result"].is_object() || !ts.contains("data") || !ts["data"].is_object())
            throw bad("sandbox.timeside lacks its result or data object");
        if (!a.contains("data") || !a["data"].is_array())
            throw bad("\"data\" is not a list of observations");
        const ojson &obs = a["data"];
        ojson line = ts["result"];
        ojson data = ts["data"];
        std::string key, mode;
        bool conf = false;
        try {
            key = ts.value("value_key", "");
            conf = ts.value("confidence", false);
            mode = line.value("time_mode", "");
        } catch (const nlohmann::json::exception &) {
            throw bad("sandbox.timeside's value_key, confidence or result.time_mode has the wrong type");
        }
        try {
            for (const auto &o : obs)
                if (!o.is_object() || !o.contains("time") || !o.contains("duration") || !o.contains("value"))
                    throw bad("an observation lacks time, duration or value");
            auto unwrap = [&](const ojson &v) -> ojson {
                if (ns == "vector" && v.is_array() && v.size() == 1)
                    return v[0];
                if (ns == "pitch_contour" && v.is_object())
                    return v.at("frequency");
                if (ns == "key_mode" && v.is_string())
                    return key_from_jams(v.get<std::string>());
                return v;
            };
            if (mode == "global") {
                const bool scalar = ts.value("scalar", false);
                if (!key.empty() && obs.empty()) {
                    data[key] = scalar ? ojson(nullptr) : ojson::array();
                } else if (!key.empty()) {
                    const ojson &v = obs[0]["value"];
                    data[key] = ns == "vector" ? (scalar ? v.at(0) : v) : unwrap(v);
                }
            } else if (mode == "framewise") {
                ojson v = ojson::array();
                for (const auto &o : obs)
                    v.push_back(unwrap(o["value"]));
                data["value"] = std::move(v);
            } else {
                ojson t = ojson::array(), d = ojson::array(), v = ojson::array(), c = ojson::array();
                for (const auto &o : obs) {
                    t.push_back(o["time"]);
                    d.push_back(o["duration"]);
                    v.push_back(unwrap(o["value"]));
                    if (conf)
                        c.push_back(o.value("confidence", ojson(nullptr)));
                }
                data["time"] = std::move(t);
                if (mode == "segment")
                    data["duration"] = std::move(d);
                if (!key.empty())
                    data[key] = std::move(v);
                if (conf)
                    data["confidence"] = std::move(c);
            }
        } catch (const nlohmann::json::exception &e) {
            throw bad(std::string("an observation does not fit its namespace: ") + e.what());
        }
        line["data"] = std::move(data);
        try {
            emit(parser.parse(dump(line)));
        } catch (const result::Invalid &e) {
            throw bad(e.what());
        }
    }
}

} // namespace ts::serialize
