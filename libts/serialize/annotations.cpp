// Annotation formats: JAMS 0.3 (written and read back), and the label files of Audacity,
// Sonic Visualiser (CSV layer), .lab and ELAN (.eaf), written only.
//
// JAMS: each result is one annotation whose observations hold what a JAMS namespace can say
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

// ---------------------------------------------------------------------------------------
// Label formats: one event or segment result each (elan: several, one tier each).

namespace {

struct Label {
    double start, end;
    std::string text;
    bool has_value;
    double value;
};

std::string number_text(double v) {
    if (!std::isfinite(v))
        return "";
    std::string s;
    result::append_number(v, s);
    return s;
}

std::string fixed6(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6f", v);
    return buf;
}

// The labels of an event or segment result; anything else is refused for `format`.
std::vector<Label> labels_of(const Result &r, const std::string &format) {
    if (r.time_mode != TimeMode::event && r.time_mode != TimeMode::segment)
        throw Error(format + ": result " + r.id + " is " + result::time_mode_name(r.time_mode) +
                    ": only event and segment results can be written as " + format +
                    " labels (choose one with --result)");
    std::vector<Label> out;
    for (std::size_t i = 0; i < r.time.size(); ++i) {
        Label l;
        l.start = r.time[i];
        l.end = r.time_mode == TimeMode::segment && i < r.duration.size() ? r.time[i] + r.duration[i] : r.time[i];
        l.has_value = i < r.value.size();
        l.value = l.has_value ? r.value[i] : NAN;
        if (i < r.labels.size())
            l.text = r.labels[i];
        else if (l.has_value)
            l.text = number_text(r.value[i]);
        out.push_back(std::move(l));
    }
    return out;
}

// Replaces every character of `from` in s by `to`.
std::string replace_any(std::string s, const char *from, char to) {
    for (auto &c : s)
        if (std::strchr(from, c))
            c = to;
    return s;
}

class AudacityWriter : public Writer {
  public:
    AudacityWriter(io::Output &out, const Options &) : out_(out) {}
    void write(const Result &r) override {
        std::string text;
        for (const auto &l : labels_of(r, "audacity"))
            text += fixed6(l.start) + '\t' + fixed6(l.end) + '\t' + replace_any(l.text, "\t\r\n", ' ') + '\n';
        out_.write(text);
    }

  private:
    io::Output &out_;
};

class LabWriter : public Writer {
  public:
    LabWriter(io::Output &out, const Options &) : out_(out) {}
    void write(const Result &r) override {
        std::string text;
        for (const auto &l : labels_of(r, "lab"))
            text += fixed6(l.start) + ' ' + fixed6(l.end) + ' ' + replace_any(l.text, " \t\r\n\v\f", '_') + '\n';
        out_.write(text);
    }

  private:
    io::Output &out_;
};

// A double-quoted CSV field as Sonic Visualiser splits it: backslash escapes " and \.
std::string sv_quote(const std::string &s) {
    std::string q = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\')
            q += '\\';
        q += (c == '\n' || c == '\r') ? ' ' : c;
    }
    return q + '"';
}

class SonicVisualiserWriter : public Writer {
  public:
    SonicVisualiserWriter(io::Output &out, const Options &) : out_(out) {}
    void write(const Result &r) override {
        std::string text;
        if (r.time_mode == TimeMode::framewise) {
            if (r.width > 1)
                throw Error("sonic-visualiser: result " + r.id +
                            " is a framewise matrix: only one value per frame makes a time-value layer");
            text = "time,value\n";
            for (std::size_t i = 0; i < r.series.size(); ++i) {
                std::string v;
                if (std::isfinite(r.series[i]))
                    result::append_number(r.series[i], v);
                text += fixed6(result::frame_time(r, i)) + ',' + v + '\n';
            }
            out_.write(text);
            return;
        }
        const auto labels = labels_of(r, "sonic-visualiser");
        const bool labelled = !r.labels.empty();
        text = r.time_mode == TimeMode::segment ? "time,value,duration,label\n"
               : labelled                       ? "time,label\n"
               : !r.value.empty()               ? "time,value\n"
                                                : "time\n";
        for (const auto &l : labels) {
            text += fixed6(l.start);
            if (r.time_mode == TimeMode::segment) {
                // region layer: time,value,duration,label
                text += ',' + (l.has_value ? number_text(l.value) : std::string()) + ',' +
                        fixed6(l.end - l.start) + ',' + sv_quote(labelled ? l.text : "");
            } else if (labelled) {
                text += ',' + sv_quote(l.text); // time instants with labels
            } else if (l.has_value) {
                text += ',' + number_text(l.value); // time-value points
            }
            text += '\n';
        }
        out_.write(text);
    }

  private:
    io::Output &out_;
};

// A file:// URL for a path (absolute, percent-encoded); a URL as it is.
std::string media_url(const std::string &source) {
    if (source.empty() || source.find("://") != std::string::npos)
        return source;
    std::string path = source;
    if (path[0] != '/') {
        char cwd[4096];
        if (::getcwd(cwd, sizeof cwd))
            path = std::string(cwd) + "/" + (path.rfind("./", 0) == 0 ? path.substr(2) : path);
    }
    std::string url = "file://";
    for (unsigned char c : path) {
        if (std::isalnum(c) || std::strchr("/._~-", c)) {
            url += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            url += buf;
        }
    }
    return url;
}

std::string mime_of(const std::string &source) {
    std::string ext = source.substr(source.find_last_of('.') == std::string::npos ? source.size() : source.find_last_of('.') + 1);
    for (auto &c : ext)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext == "wav") return "audio/x-wav";
    if (ext == "mp3") return "audio/mpeg";
    if (ext == "flac") return "audio/flac";
    if (ext == "ogg" || ext == "oga") return "audio/ogg";
    if (ext == "aif" || ext == "aiff") return "audio/x-aiff";
    if (ext == "m4a" || ext == "mp4") return "audio/mp4";
    return "audio/*";
}

std::string iso_date() {
    std::time_t t = std::time(nullptr);
    if (const char *e = std::getenv("SOURCE_DATE_EPOCH"); e && *e)
        t = static_cast<std::time_t>(std::strtoll(e, nullptr, 10));
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
    return buf;
}

class ElanWriter : public Writer {
  public:
    ElanWriter(io::Output &out, const Options &) : out_(out) {}
    void write(const Result &r) override {
        Tier t;
        t.id = r.id;
        for (int k = 2; std::any_of(tiers_.begin(), tiers_.end(), [&](const Tier &o) { return o.id == t.id; }); ++k)
            t.id = r.id + "-" + std::to_string(k);
        t.labels = labels_of(r, "elan");
        if (tiers_.empty())
            source_ = r.audio.source;
        tiers_.push_back(std::move(t));
    }
    void finish() override {
        // Time slots: two per annotation, numbered in time order (ELAN's own order).
        struct Slot {
            long long ms;
            std::size_t tier, label;
            bool end;
        };
        std::vector<Slot> slots;
        for (std::size_t t = 0; t < tiers_.size(); ++t)
            for (std::size_t i = 0; i < tiers_[t].labels.size(); ++i) {
                const auto &l = tiers_[t].labels[i];
                slots.push_back({std::llround(l.start * 1000.0), t, i, false});
                slots.push_back({std::llround(l.end * 1000.0), t, i, true});
            }
        std::stable_sort(slots.begin(), slots.end(), [](const Slot &a, const Slot &b) { return a.ms < b.ms; });
        std::vector<std::vector<std::array<std::size_t, 2>>> ids(tiers_.size());
        for (std::size_t t = 0; t < tiers_.size(); ++t)
            ids[t].resize(tiers_[t].labels.size());
        std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
        x += "<ANNOTATION_DOCUMENT AUTHOR=\"\" DATE=\"" + iso_date() +
             "\" FORMAT=\"3.0\" VERSION=\"3.0\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
             "xsi:noNamespaceSchemaLocation=\"http://www.mpi.nl/tools/elan/EAFv3.0.xsd\">\n";
        x += "    <HEADER MEDIA_FILE=\"\" TIME_UNITS=\"milliseconds\">\n";
        if (!source_.empty())
            x += "        <MEDIA_DESCRIPTOR MEDIA_URL=\"" + xml_escape(media_url(source_)) + "\" MIME_TYPE=\"" +
                 mime_of(source_) + "\"/>\n";
        x += "    </HEADER>\n    <TIME_ORDER>\n";
        for (std::size_t k = 0; k < slots.size(); ++k) {
            ids[slots[k].tier][slots[k].label][slots[k].end ? 1 : 0] = k + 1;
            x += "        <TIME_SLOT TIME_SLOT_ID=\"ts" + std::to_string(k + 1) + "\" TIME_VALUE=\"" +
                 std::to_string(slots[k].ms) + "\"/>\n";
        }
        x += "    </TIME_ORDER>\n";
        std::size_t a = 0;
        for (std::size_t t = 0; t < tiers_.size(); ++t) {
            x += "    <TIER LINGUISTIC_TYPE_REF=\"default-lt\" TIER_ID=\"" + xml_escape(tiers_[t].id) + "\">\n";
            for (std::size_t i = 0; i < tiers_[t].labels.size(); ++i) {
                x += "        <ANNOTATION>\n            <ALIGNABLE_ANNOTATION ANNOTATION_ID=\"a" +
                     std::to_string(++a) + "\" TIME_SLOT_REF1=\"ts" + std::to_string(ids[t][i][0]) +
                     "\" TIME_SLOT_REF2=\"ts" + std::to_string(ids[t][i][1]) + "\">\n";
                x += "                <ANNOTATION_VALUE>" + xml_escape(tiers_[t].labels[i].text) +
                     "</ANNOTATION_VALUE>\n            </ALIGNABLE_ANNOTATION>\n        </ANNOTATION>\n";
            }
            x += "    </TIER>\n";
        }
        x += "    <LINGUISTIC_TYPE GRAPHIC_REFERENCES=\"false\" LINGUISTIC_TYPE_ID=\"default-lt\" "
             "TIME_ALIGNABLE=\"true\"/>\n";
        x += "</ANNOTATION_DOCUMENT>\n";
        out_.write(x);
    }

  private:
    struct Tier {
        std::string id;
        std::vector<Label> labels;
    };
    io::Output &out_;
    std::vector<Tier> tiers_;
    std::string source_;
};

} // namespace

std::unique_ptr<Writer> audacity_writer(io::Output &out, const Options &o) {
    return std::make_unique<AudacityWriter>(out, o);
}
std::unique_ptr<Writer> sonic_visualiser_writer(io::Output &out, const Options &o) {
    return std::make_unique<SonicVisualiserWriter>(out, o);
}
std::unique_ptr<Writer> lab_writer(io::Output &out, const Options &o) {
    return std::make_unique<LabWriter>(out, o);
}
std::unique_ptr<Writer> elan_writer(io::Output &out, const Options &o) {
    return std::make_unique<ElanWriter>(out, o);
}

} // namespace ts::serialize
