// Readers of references and estimates: every layout ends in an Annotation for one task.
#include "eval/read.hpp"

#include "core/error.hpp"
#include "result/read.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fnmatch.h>
#include <sstream>
#include <sys/stat.h>

namespace ts::eval {
namespace {

using nlohmann::json;

std::string read_all(const std::string &path) {
    std::FILE *f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
    if (!f)
        throw Error(path + ": " + std::strerror(errno));
    struct stat st {};
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        if (f != stdin)
            std::fclose(f);
        throw Error(path + ": is a folder (give two folders to score a corpus)");
    }
    std::string text;
    char buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
        text.append(buf, n);
    const bool bad = std::ferror(f);
    if (f != stdin)
        std::fclose(f);
    if (bad)
        throw Error(path + ": read error");
    return text;
}

double midi_to_hz(double m) {
    return 440.0 * std::pow(2.0, (m - 69.0) / 12.0);
}

[[noreturn]] void fail(const std::string &path, const std::string &why) {
    throw Error(path + ": " + why);
}

// Checks the times a task reads: finite, not negative, and in order where the task needs it.
void check(const std::string &path, Task task, const Annotation &a) {
    auto bad_time = [](double t) { return !std::isfinite(t) || t < 0; };
    for (double t : a.times)
        if (bad_time(t))
            fail(path, "a negative or non-finite time");
    for (std::size_t i = 1; i < a.times.size(); ++i)
        if (a.times[i] < a.times[i - 1])
            fail(path, "times not in increasing order");
    for (double t : a.contour.time)
        if (bad_time(t))
            fail(path, "a negative or non-finite time");
    for (std::size_t i = 1; i < a.contour.time.size(); ++i)
        if (!(a.contour.time[i] > a.contour.time[i - 1]))
            fail(path, "contour times not strictly increasing");
    for (const auto *iv : {&a.notes.interval, &a.segments.interval})
        for (const auto &i : *iv)
            if (bad_time(i.start) || bad_time(i.end))
                fail(path, "a negative or non-finite time");
    for (std::size_t i = 1; i < a.segments.interval.size(); ++i)
        if (a.segments.interval[i].start < a.segments.interval[i - 1].start)
            fail(path, "segments not in increasing order");
    if (task == Task::melody && a.contour.time.empty())
        fail(path, "no pitch contour");
    if (task == Task::tempo && (a.tempi.empty() || a.tempi.size() > 2))
        fail(path, "one or two tempi are needed, found " + std::to_string(a.tempi.size()));
}

std::string number_label(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

// --- ts-result ---------------------------------------------------------------------------

bool matches(const std::string &pattern, const std::string &id) {
    return fnmatch(pattern.c_str(), id.c_str(), 0) == 0;
}

Annotation from_results(const std::string &path, Task task, const std::string &text,
                        const std::string &pattern) {
    const auto &info = task_info(task);
    const std::string want = pattern.empty() ? info.result_id : pattern;
    result::Parser parser;
    std::optional<result::Result> chosen;
    std::optional<result::Result> voiced;
    std::string voiced_id;
    std::size_t line = 0, pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos)
            end = text.size();
        ++line;
        std::string_view l(text.data() + pos, end - pos);
        pos = end + 1;
        if (l.find_first_not_of(" \t\r") == std::string_view::npos)
            continue;
        result::Result r;
        try {
            r = parser.parse(l, result::Strictness::program);
        } catch (const result::Invalid &e) {
            fail(path, "line " + std::to_string(line) + ": " + e.what());
        }
        if (!chosen && matches(want, r.id)) {
            chosen = std::move(r);
            // The voicing that goes with a contour: pitch.f0 -> pitch.voiced.
            const auto dot = chosen->id.rfind('.');
            voiced_id =
                (dot == std::string::npos ? chosen->id : chosen->id.substr(0, dot)) + ".voiced";
        } else if (task == Task::melody && !voiced_id.empty() && r.id == voiced_id && !voiced) {
            voiced = std::move(r);
        } else if (task == Task::melody && chosen && !voiced) {
            // keep looking for the voicing
        }
    }
    if (!chosen)
        fail(path, "no result matches '" + want + "'");
    const auto &r = *chosen;
    Annotation a;
    a.source = r.audio.source;
    const std::string what = "result " + r.id + " is " + result::time_mode_name(r.time_mode) + ", ";
    switch (task) {
    case Task::onsets:
    case Task::beats:
        if (r.time_mode != result::TimeMode::event && r.time_mode != result::TimeMode::segment)
            fail(path, what + std::string(info.name) + " need event times");
        a.times = r.time;
        break;
    case Task::tempo:
        if (r.time_mode != result::TimeMode::global || r.data_mode != result::DataMode::value)
            fail(path, what + "tempo needs a global value (tempo.bpm)");
        a.tempi = r.value;
        if (a.tempi.empty() ||
            std::any_of(a.tempi.begin(), a.tempi.end(), [](double t) { return std::isnan(t); }))
            fail(path, "result " + r.id + " holds no tempo");
        break;
    case Task::melody: {
        if (r.time_mode != result::TimeMode::framewise || r.width != 1)
            fail(path, what + "melody needs a framewise f0 (pitch.f0)");
        const std::size_t n = r.frame_count();
        for (std::size_t i = 0; i < n; ++i) {
            a.contour.time.push_back(result::frame_time(r, i));
            const float f = r.series[i];
            a.contour.frequency.push_back(std::isfinite(f) ? static_cast<double>(f) : 0.0);
        }
        if (voiced && voiced->frame_count() == n)
            for (std::size_t i = 0; i < n; ++i)
                a.contour.voicing.push_back(voiced->series[i] > 0 ? 1.0 : 0.0);
        break;
    }
    case Task::notes: {
        if (r.time_mode != result::TimeMode::segment || r.value.size() != r.time.size())
            fail(path, what + "notes need segments with pitch values (notes)");
        const bool hz = r.unit == "Hz";
        for (std::size_t i = 0; i < r.time.size(); ++i) {
            a.notes.interval.push_back({r.time[i], r.time[i] + r.duration[i]});
            a.notes.pitch.push_back(hz ? r.value[i] : midi_to_hz(r.value[i]));
        }
        break;
    }
    case Task::key:
        if (r.time_mode != result::TimeMode::global || r.data_mode != result::DataMode::label ||
            r.labels.empty())
            fail(path, what + "key needs a global label (key)");
        a.key = normalize_key(r.labels[0]);
        break;
    case Task::segments:
    case Task::labels:
        if (r.time_mode != result::TimeMode::segment)
            fail(path, what + std::string(info.name) + " need segments");
        for (std::size_t i = 0; i < r.time.size(); ++i) {
            a.segments.interval.push_back({r.time[i], r.time[i] + r.duration[i]});
            a.segments.label.push_back(i < r.labels.size()  ? r.labels[i]
                                       : i < r.value.size() ? number_label(r.value[i])
                                                            : "");
        }
        break;
    }
    return a;
}

// --- JAMS ----------------------------------------------------------------------------------

double num(const json &j, const std::string &path, const char *what) {
    if (!j.is_number())
        fail(path, std::string("JAMS: ") + what + " is not a number");
    return j.get<double>();
}

// Observations as (time, duration, value), from the list form or the dict-of-lists form.
struct Obs {
    double time, duration;
    json value;
    json confidence;
};

std::vector<Obs> observations(const json &ann, const std::string &path) {
    std::vector<Obs> out;
    const auto it = ann.find("data");
    if (it == ann.end())
        fail(path, "JAMS: an annotation without data");
    if (it->is_array()) {
        for (const auto &o : *it) {
            if (!o.is_object() || !o.contains("time"))
                fail(path, "JAMS: an observation without time");
            out.push_back({num(o["time"], path, "time"),
                           o.contains("duration") ? num(o["duration"], path, "duration") : 0.0,
                           o.value("value", json()), o.value("confidence", json())});
        }
    } else if (it->is_object() && it->contains("time") && (*it)["time"].is_array()) {
        const auto &t = (*it)["time"];
        for (std::size_t i = 0; i < t.size(); ++i) {
            auto at = [&](const char *k) {
                const auto f = it->find(k);
                return f != it->end() && f->is_array() && i < f->size() ? (*f)[i] : json();
            };
            const json d = at("duration");
            out.push_back({num(t[i], path, "time"), d.is_number() ? d.get<double>() : 0.0,
                           at("value"), at("confidence")});
        }
    } else {
        fail(path, "JAMS: data is neither a list of observations nor lists by field");
    }
    return out;
}

// The id ts-serialize keeps in an annotation's sandbox, when there.
std::string sandbox_id(const json &ann) {
    const auto s = ann.find("sandbox");
    if (s == ann.end() || !s->is_object() || !s->contains("timeside") ||
        !(*s)["timeside"].is_object())
        return "";
    const auto &t = (*s)["timeside"];
    const auto r = t.find("result");
    return r != t.end() && r->is_object() && r->contains("id") && (*r)["id"].is_string()
               ? (*r)["id"].get<std::string>()
               : "";
}

Annotation from_jams(const std::string &path, Task task, const json &doc,
                     const std::string &pattern) {
    const auto &info = task_info(task);
    if (!doc.contains("annotations") || !doc["annotations"].is_array())
        fail(path, "JAMS: no annotations list");
    std::vector<std::string> spaces;
    {
        std::istringstream in(info.namespaces);
        std::string s;
        while (in >> s)
            spaces.push_back(s);
    }
    const json *found = nullptr;
    std::string ns;
    for (const auto &want : spaces) {
        for (const auto &ann : doc["annotations"]) {
            const std::string n = ann.is_object() ? ann.value("namespace", "") : "";
            const bool prefix = want.back() == '*';
            // --result chooses among the task's annotations by namespace or by ts-result id.
            if (!pattern.empty() && !matches(pattern, n) && !matches(pattern, sandbox_id(ann)))
                continue;
            if (prefix ? n.rfind(want.substr(0, want.size() - 1), 0) == 0 : n == want) {
                found = &ann;
                ns = n;
                break;
            }
        }
        if (found)
            break;
    }
    if (!found)
        fail(path, std::string("JAMS: no annotation of namespace ") + info.namespaces +
                       (pattern.empty() ? "" : " matches '" + pattern + "'"));
    Annotation a;
    if (doc.contains("file_metadata") && doc["file_metadata"].is_object())
        a.source = doc["file_metadata"].value("title", "");
    const auto obs = observations(*found, path);
    auto value_num = [&](const json &v) { return num(v, path, "value"); };
    switch (task) {
    case Task::onsets:
    case Task::beats:
        for (const auto &o : obs)
            a.times.push_back(o.time);
        break;
    case Task::tempo:
        for (const auto &o : obs)
            a.tempi.push_back(value_num(o.value));
        if (a.tempi.size() == 2 && obs[0].confidence.is_number())
            a.tempo_weight = obs[0].confidence.get<double>();
        break;
    case Task::melody:
        for (const auto &o : obs) {
            a.contour.time.push_back(o.time);
            if (ns == "pitch_contour") {
                if (!o.value.is_object() || !o.value.contains("frequency"))
                    fail(path, "JAMS: a pitch_contour value without frequency");
                const double f = num(o.value["frequency"], path, "frequency");
                const bool v = o.value.value("voiced", f > 0);
                a.contour.frequency.push_back(std::abs(f));
                a.contour.voicing.push_back(v ? 1.0 : 0.0);
            } else {
                const double f = value_num(o.value);
                a.contour.frequency.push_back(ns == "pitch_midi" ? midi_to_hz(f) : f);
            }
        }
        if (ns != "pitch_contour")
            a.contour.voicing.clear();
        break;
    case Task::notes:
        for (const auto &o : obs) {
            a.notes.interval.push_back({o.time, o.time + o.duration});
            const double v = value_num(o.value);
            a.notes.pitch.push_back(ns == "note_midi" ? midi_to_hz(v) : v);
        }
        break;
    case Task::key:
        if (obs.empty() || !obs[0].value.is_string())
            fail(path, "JAMS: no key_mode value");
        a.key = normalize_key(obs[0].value.get<std::string>());
        break;
    case Task::segments:
    case Task::labels:
        for (const auto &o : obs) {
            a.segments.interval.push_back({o.time, o.time + o.duration});
            a.segments.label.push_back(o.value.is_string() ? o.value.get<std::string>()
                                                           : o.value.dump());
        }
        break;
    }
    return a;
}

// --- ts-gen --truth ------------------------------------------------------------------------

Annotation from_truth(const std::string &path, Task task, const json &doc) {
    Annotation a;
    auto need = [&](const char *key) -> const json & {
        if (!doc.contains(key))
            fail(path, std::string("the truth has no ") + key + " (ts-gen demo or clicks have it)");
        return doc[key];
    };
    auto numbers = [&](const json &j) {
        std::vector<double> v;
        if (!j.is_array())
            fail(path, "truth: a list of numbers expected");
        for (const auto &x : j)
            v.push_back(num(x, path, "a time"));
        return v;
    };
    const double duration = doc.value("duration", 0.0);
    switch (task) {
    case Task::onsets:
        a.times = numbers(need("onsets"));
        break;
    case Task::beats:
        a.times = numbers(need("beats"));
        break;
    case Task::tempo:
        a.tempi = {num(need("tempo"), path, "tempo")};
        break;
    case Task::notes:
    case Task::melody: {
        const auto &n = need("notes");
        if (!n.is_array())
            fail(path, "truth: notes is not a list");
        for (const auto &x : n) {
            const double on = num(x.value("onset", json()), path, "a note's onset");
            a.notes.interval.push_back(
                {on, on + num(x.value("duration", json()), path, "a note's duration")});
            a.notes.pitch.push_back(num(x.value("frequency", json()), path, "a note's frequency"));
        }
        if (task == Task::melody) {
            // The lead's f0 every 10 ms: the frequency of the note sounding, the later of two.
            const std::size_t count = static_cast<std::size_t>(std::floor(duration / 0.01)) + 1;
            for (std::size_t i = 0; i < count; ++i) {
                const double t = static_cast<double>(i) * 0.01;
                double f = 0;
                for (std::size_t k = 0; k < a.notes.pitch.size(); ++k)
                    if (t >= a.notes.interval[k].start && t < a.notes.interval[k].end)
                        f = a.notes.pitch[k];
                a.contour.time.push_back(t);
                a.contour.frequency.push_back(f);
            }
            a.notes = {};
        }
        break;
    }
    case Task::key:
        if (!need("key").is_string())
            fail(path, "truth: key is not a string");
        a.key = normalize_key(doc["key"].get<std::string>());
        break;
    case Task::segments:
    case Task::labels: {
        // Silence spans, the rest "sound" (as ts-analyze -a silence labels it).
        const auto &s = need("silence");
        double t = 0;
        for (const auto &span : s) {
            if (!span.is_array() || span.size() != 2)
                fail(path, "truth: a silence span is not [start, end]");
            const double b = num(span[0], path, "a span's start"),
                         e = num(span[1], path, "a span's end");
            if (b > t)
                a.segments.interval.push_back({t, b}), a.segments.label.push_back("sound");
            a.segments.interval.push_back({b, e});
            a.segments.label.push_back("silence");
            t = e;
        }
        if (duration > t)
            a.segments.interval.push_back({t, duration}), a.segments.label.push_back("sound");
        break;
    }
    }
    return a;
}

// --- text ----------------------------------------------------------------------------------

Annotation from_text(const std::string &path, Task task, const std::string &text) {
    Annotation a;
    std::size_t line_no = 0, pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos)
            end = text.size();
        std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        const auto first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#' || line[first] == '\\')
            continue; // blank, comment, or an Audacity spectral selection line
        const std::string where = "line " + std::to_string(line_no) + ": ";
        // Fields split at tabs when the line has one (Audacity), else at blanks (lab).
        std::vector<std::string> f;
        if (line.find('\t') != std::string::npos) {
            std::size_t p = 0;
            for (;;) {
                const auto q = line.find('\t', p);
                f.push_back(line.substr(p, q == std::string::npos ? std::string::npos : q - p));
                if (q == std::string::npos)
                    break;
                p = q + 1;
            }
        } else {
            std::istringstream in(line);
            std::string w;
            while (in >> w)
                f.push_back(w);
        }
        auto number = [&](std::size_t i) {
            if (i >= f.size())
                fail(path, where + "missing a number in column " + std::to_string(i + 1));
            const char *s = f[i].c_str();
            while (*s == ' ')
                ++s;
            char *e = nullptr;
            errno = 0;
            const double v = std::strtod(s, &e);
            while (e && *e == ' ')
                ++e;
            if (e == s || *e != '\0' || errno == ERANGE || !std::isfinite(v))
                fail(path, where + "'" + f[i] + "' is not a number");
            return v;
        };
        auto rest = [&](std::size_t from) {
            std::string s;
            for (std::size_t i = from; i < f.size(); ++i)
                s += (i > from ? " " : "") + f[i];
            return s;
        };
        switch (task) {
        case Task::onsets:
        case Task::beats:
            a.times.push_back(number(0));
            break;
        case Task::tempo:
            // "T" lines, or mir_eval's "T1 T2 W".
            if (f.size() >= 3) {
                a.tempi.push_back(number(0));
                a.tempi.push_back(number(1));
                a.tempo_weight = number(2);
            } else {
                for (std::size_t i = 0; i < f.size(); ++i)
                    a.tempi.push_back(number(i));
            }
            break;
        case Task::melody:
            a.contour.time.push_back(number(0));
            a.contour.frequency.push_back(number(1));
            break;
        case Task::notes:
            a.notes.interval.push_back({number(0), number(1)});
            a.notes.pitch.push_back(number(2));
            break;
        case Task::key:
            if (a.key.empty())
                a.key = normalize_key(rest(0));
            break;
        case Task::segments:
        case Task::labels:
            a.segments.interval.push_back({number(0), number(1)});
            a.segments.label.push_back(rest(2));
            break;
        }
    }
    if (task == Task::key && a.key.empty())
        fail(path, "no key in the file");
    return a;
}

} // namespace

const std::vector<TaskInfo> &tasks() {
    static const std::vector<TaskInfo> list = {
        {Task::onsets, "onsets", "onsets", "onset", "one time a line (first column)"},
        {Task::beats, "beats", "tempo.beats", "beat beat_position",
         "one time a line (first column)"},
        {Task::tempo, "tempo", "tempo.bpm", "tempo", "one or two tempi, or T1 T2 WEIGHT"},
        {Task::melody, "melody", "pitch.f0", "pitch_contour pitch_hz pitch_midi", "TIME HZ a line"},
        {Task::notes, "notes", "notes", "note_midi note_hz", "ONSET OFFSET HZ a line"},
        {Task::key, "key", "key", "key_mode", "TONIC MODE (\"A minor\")"},
        {Task::segments, "segments", "structure", "segment_open segment_*",
         "START END LABEL a line"},
        {Task::labels, "labels", "speech", "segment_open tag_* segment_*",
         "START END LABEL a line"},
    };
    return list;
}

const TaskInfo &task_info(Task t) {
    for (const auto &i : tasks())
        if (i.task == t)
            return i;
    return tasks().front();
}

std::optional<Task> parse_task(const std::string &name) {
    for (const auto &i : tasks())
        if (name == i.name)
            return i.task;
    return std::nullopt;
}

bool annotation_like(const std::string &path) {
    std::string text;
    try {
        text = read_all(path);
    } catch (const Error &) {
        return true; // let reading it say what is wrong
    }
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos || text[first] != '{')
        return true;
    const auto nl = text.find('\n', first);
    const json head =
        json::parse(text.substr(first, nl == std::string::npos ? std::string::npos : nl - first),
                    nullptr, false);
    if (!head.is_discarded() && head.is_object() && head.contains("schema"))
        return true;
    const json doc = json::parse(text, nullptr, false);
    return doc.is_discarded() || !doc.is_object() || doc.contains("annotations") ||
           doc.contains("kind");
}

Annotation read_annotation(const std::string &path, Task task, const std::string &result) {
    const std::string text = read_all(path);
    const auto first = text.find_first_not_of(" \t\r\n");
    Annotation a;
    if (first == std::string::npos) {
        // An empty file: no events (an empty estimate is legal), but not for every task.
        if (task == Task::tempo || task == Task::key || task == Task::melody)
            fail(path, "empty file");
    } else if (text[first] == '{') {
        // One JSON document (JAMS, truth) or JSON Lines (ts-result).
        const auto nl = text.find('\n', first);
        json head = json::parse(
            text.substr(first, nl == std::string::npos ? std::string::npos : nl - first), nullptr,
            false);
        if (!head.is_discarded() && head.is_object() && head.contains("schema")) {
            a = from_results(path, task, text, result);
        } else {
            const json doc = json::parse(text, nullptr, false);
            if (doc.is_discarded() || !doc.is_object())
                fail(path, "not valid JSON (nor ts-result JSON Lines)");
            if (doc.contains("annotations"))
                a = from_jams(path, task, doc, result);
            else if (doc.contains("kind"))
                a = from_truth(path, task, doc);
            else
                fail(path, "JSON that is neither ts-result, JAMS nor ts-gen truth");
        }
    } else {
        a = from_text(path, task, text);
    }
    check(path, task, a);
    return a;
}

} // namespace ts::eval
