// Reading ts-result JSON Lines into drawable lanes.
#include "graph/plot.hpp"

#include "core/error.hpp"
#include "io/input.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>

namespace ts::graph {
namespace {

using nlohmann::json;
constexpr float nan_f = std::numeric_limits<float>::quiet_NaN();

float number(const json &v) {
    return v.is_number() ? v.get<float>() : nan_f;
}

bool wanted(const std::vector<std::string> &ids, const std::string &id,
            const std::string &analyzer) {
    return ids.empty() || std::find(ids.begin(), ids.end(), id) != ids.end() ||
           std::find(ids.begin(), ids.end(), analyzer) != ids.end();
}

Lane lane_of(const json &r) {
    Lane l;
    l.id = r.value("id", "");
    l.analyzer = r.value("analyzer", "");
    l.name = r.value("name", l.id);
    l.unit = r.value("unit", "");
    const json &audio = r.at("audio");
    const double start = audio.value("start", 0.0);
    l.end = start + audio.value("duration", 0.0);
    const json &data = r.at("data");
    const std::string mode = r.at("time_mode").get<std::string>();
    if (mode == "framewise") {
        const json &f = r.at("frames");
        const double rate = f.at("rate").get<double>();
        l.t0 = start;
        l.dt = f.at("step").get<double>() / rate;
        l.frame_length = f.at("block").get<double>() / rate;
        const json &v = data.at("value");
        if (!v.is_array())
            throw Error("data.value is not an array");
        if (!v.empty() && v[0].is_array()) {
            l.kind = Lane::matrix;
            l.width = v[0].size();
            l.values.reserve(v.size() * l.width);
            for (const auto &row : v) {
                if (!row.is_array() || row.size() != l.width)
                    throw Error("data.value rows of unequal length");
                for (const auto &x : row)
                    l.values.push_back(number(x));
            }
        } else {
            for (const auto &x : v)
                l.values.push_back(number(x));
        }
        l.end = std::max(l.end, l.t0 + l.dt * static_cast<double>(l.values.size() / l.width));
    } else {
        l.kind = mode == "event" ? Lane::events : Lane::segments;
        for (const auto &t : data.at("time"))
            l.time.push_back(t.get<double>());
        if (l.kind == Lane::segments)
            for (const auto &d : data.at("duration"))
                l.duration.push_back(d.get<double>());
        if (l.kind == Lane::segments && l.duration.size() != l.time.size())
            throw Error("data.time and data.duration differ in length");
        if (data.contains("label"))
            for (const auto &s : data.at("label"))
                l.labels.push_back(s.is_string() ? s.get<std::string>() : s.dump());
        else if (data.contains("value"))
            for (const auto &s : data.at("value")) {
                l.labels.push_back(s.dump());
                l.numbers.push_back(number(s));
            }
        for (std::size_t i = 0; i < l.time.size(); ++i)
            l.end = std::max(l.end, l.time[i] + (i < l.duration.size() ? l.duration[i] : 0.0));
    }
    // pitch tracks (Hz) and notes (MIDI) get axes of their own
    const std::string output = l.id.substr(l.id.rfind('.') + 1);
    if (l.kind == Lane::curve && l.unit == "Hz" &&
        (l.analyzer == "pitch" || output == "f0" || output.find("pitch") != std::string::npos)) {
        l.kind = Lane::pitch;
        for (float &v : l.values)
            if (!(v > 0)) // null, NaN, 0 and negative values are unvoiced frames
                v = nan_f;
    }
    if (l.kind == Lane::segments && (l.unit == "MIDI" || l.analyzer == "notes") &&
        l.numbers.size() == l.time.size() && !l.time.empty())
        l.kind = Lane::notes;
    return l;
}

// What pairs a pitch track with its voicing: the id's analyzer part ("pitch" of "pitch.f0")
// and the audio described (a file may hold the results of several inputs).
std::string voicing_key(const json &r) {
    const std::string id = r.value("id", "");
    const auto dot = id.rfind('.');
    return (dot == std::string::npos ? "" : id.substr(0, dot)) + '\n' + r.at("audio").dump();
}

} // namespace

std::vector<Lane> read_lanes(const std::string &path, const std::vector<std::string> &ids) {
    std::ifstream file;
    std::istream *in = &std::cin;
    const std::string name = path == "-" ? "stdin" : path;
    if (path == "-")
        io::hint_terminal_stdin("results");
    if (path != "-") {
        file.open(path);
        if (!file)
            throw Error(path + ": cannot open: " + std::strerror(errno));
        in = &file;
    }
    std::vector<Lane> lanes;
    std::vector<std::string> keys;                    // each lane's voicing_key
    std::map<std::string, std::vector<float>> voiced; // X.voiced by voicing_key
    std::string line;
    std::size_t n = 0;
    while (std::getline(*in, line)) {
        ++n;
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        try {
            json r = json::parse(line);
            if (!r.is_object() || !r.contains("time_mode"))
                throw Error("not a ts-result object");
            const std::string mode = r.at("time_mode").get<std::string>(), id = r.value("id", "");
            // the voicing of a pitch track, kept whether it is drawn or not
            if (mode == "framewise" && id.size() > 7 && id.ends_with(".voiced")) {
                std::vector<float> &v = voiced[voicing_key(r)];
                v.clear();
                for (const auto &x : r.at("data").at("value"))
                    v.push_back(number(x));
            }
            if (mode == "global" || !wanted(ids, id, r.value("analyzer", "")))
                continue;
            lanes.push_back(lane_of(r));
            keys.push_back(voicing_key(r));
        } catch (const json::exception &e) {
            throw Error(name + ": line " + std::to_string(n) + ": not a ts-result: " + e.what());
        } catch (const Error &e) {
            throw Error(name + ": line " + std::to_string(n) + ": " + e.what());
        }
    }
    if (in->bad())
        throw Error(name + ": read error");
    for (std::size_t k = 0; k < lanes.size(); ++k) { // frames X.voiced calls 0 are gaps in X.f0
        Lane &l = lanes[k];
        auto it = voiced.find(keys[k]);
        if (l.kind == Lane::pitch && it != voiced.end() && it->second.size() == l.values.size())
            for (std::size_t i = 0; i < l.values.size(); ++i)
                if (!(it->second[i] > 0.5))
                    l.values[i] = nan_f;
    }
    if (lanes.empty())
        throw Error(name + ": no drawable result (framewise, event or segment)" +
                    std::string(ids.empty() ? "" : " among those asked for with --id"));
    return lanes;
}

} // namespace ts::graph
