// Reading ts-result JSON Lines into drawable lanes, through the shared validating reader.
#include "graph/plot.hpp"

#include "core/error.hpp"
#include "result/read.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace ts::graph {
namespace {

constexpr float nan_f = std::numeric_limits<float>::quiet_NaN();

bool wanted(const std::vector<std::string> &ids, const std::string &id,
            const std::string &analyzer) {
    return ids.empty() || std::find(ids.begin(), ids.end(), id) != ids.end() ||
           std::find(ids.begin(), ids.end(), analyzer) != ids.end();
}

// A time the drawing can place: the reader lets null (NaN) through, and far beyond any audio's
// length a coordinate is meaningless to Cairo.
double finite_time(double t, const char *where) {
    if (!std::isfinite(t) || std::fabs(t) > 1e12)
        throw Error(std::string(where) + " holds a time that is not a finite number of seconds");
    return t;
}

// MIDI notes are 0 to 127: outside, a segment result in MIDI is drawn as plain segments.
bool midi_notes(const Lane &l) {
    return !l.marks.empty() && std::all_of(l.marks.begin(), l.marks.end(), [](const auto &m) {
        return !std::isfinite(m.number) || (m.number >= 0 && m.number <= 127);
    });
}

Lane lane_of(result::Result &&r) {
    Lane l;
    l.id = std::move(r.id);
    l.analyzer = std::move(r.analyzer);
    l.name = std::move(r.name);
    l.unit = std::move(r.unit);
    const double start = std::isfinite(r.audio.start) ? r.audio.start : 0.0;
    l.end = start + (std::isfinite(r.audio.duration) ? r.audio.duration : 0.0);
    if (r.time_mode == result::TimeMode::framewise) {
        const result::Framing &f = *r.frames; // the reader requires frames of a framewise result
        l.t0 = start;
        l.dt = static_cast<double>(f.step) / f.rate;
        l.frame_length = static_cast<double>(f.block) / f.rate;
        l.width = r.width;
        l.kind = r.width > 1 || !r.y.empty() ? Lane::matrix : Lane::curve;
        l.values = std::move(r.series);
        l.end = std::max(l.end, l.t0 + l.dt * static_cast<double>(l.values.size() / l.width));
    } else {
        l.kind = r.time_mode == result::TimeMode::event ? Lane::events : Lane::segments;
        l.marks.resize(r.time.size());
        for (std::size_t i = 0; i < l.marks.size(); ++i) {
            Lane::Mark &m = l.marks[i];
            m.time = finite_time(r.time[i], "data.time");
            if (i < r.duration.size())
                m.duration = finite_time(r.duration[i], "data.duration");
            if (i < r.value.size()) {
                m.number = static_cast<float>(r.value[i]);
                result::append_number(r.value[i], m.label);
            }
            if (i < r.labels.size())
                m.label = std::move(r.labels[i]);
            l.end = std::max(l.end, m.time + m.duration);
        }
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
        r.value.size() == l.marks.size() && midi_notes(l))
        l.kind = Lane::notes;
    return l;
}

// What pairs a pitch track with its voicing: the id's analyzer part ("pitch" of "pitch.f0")
// and the audio described (a file may hold the results of several inputs).
std::string voicing_key(const result::Result &r) {
    const auto dot = r.id.rfind('.');
    const result::Audio &a = r.audio;
    std::string key = dot == std::string::npos ? "" : r.id.substr(0, dot);
    for (const std::string *s : {&a.source, &a.sha1, &a.mix})
        key += '\n' + *s;
    for (double v : {double(a.rate), double(a.channels), a.start, a.duration, double(a.channel)})
        result::append_number(v, key += '\n');
    return key;
}

// A lane and the voicing_key of the result it was made of.
struct Entry {
    Lane lane;
    std::string key;
};

} // namespace

std::vector<Lane> read_lanes(const std::string &path, const std::vector<std::string> &ids) {
    result::JsonlReader in(path, result::Strictness::data);
    std::vector<Entry> entries;
    std::map<std::string, std::vector<float>> voiced; // X.voiced by voicing_key
    result::Result r;
    while (in.next(r)) {
        try {
            // the voicing of a pitch track, kept whether it is drawn or not
            if (r.time_mode == result::TimeMode::framewise && r.id.size() > 7 &&
                r.id.ends_with(".voiced") && r.width == 1)
                voiced[voicing_key(r)] = r.series;
            if (r.time_mode == result::TimeMode::global || !wanted(ids, r.id, r.analyzer))
                continue;
            std::string key = voicing_key(r);
            entries.push_back({lane_of(std::move(r)), std::move(key)});
        } catch (const Error &e) {
            throw Error(in.name() + ": line " + std::to_string(in.line()) + ": " + e.what());
        }
    }
    std::vector<Lane> lanes;
    lanes.reserve(entries.size());
    for (Entry &e : entries) { // frames X.voiced calls 0 are gaps in X.f0
        Lane &l = e.lane;
        auto it = voiced.find(e.key);
        if (l.kind == Lane::pitch && it != voiced.end() && it->second.size() == l.values.size())
            for (std::size_t i = 0; i < l.values.size(); ++i)
                if (!(it->second[i] > 0.5))
                    l.values[i] = nan_f;
        lanes.push_back(std::move(l));
    }
    if (lanes.empty())
        throw Error(in.name() + ": no drawable result (framewise, event or segment)" +
                    std::string(ids.empty() ? "" : " among those asked for with --id"));
    return lanes;
}

} // namespace ts::graph
