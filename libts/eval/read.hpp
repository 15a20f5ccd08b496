// Reading references and estimates for ts-eval: ts-result JSON Lines, JAMS, ts-gen's truth
// JSON, and text (one number a line, "time value" pairs, lab and Audacity labels).
#pragma once

#include "eval/metrics.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ts::eval {

enum class Task { onsets, beats, tempo, melody, notes, key, segments, labels };

struct TaskInfo {
    Task task;
    const char *name;       // "onsets"
    const char *result_id;  // the ts-analyze result scored by default: "onsets", "tempo.beats"
    const char *namespaces; // JAMS namespaces read, by preference: "onset"
    const char *text;       // the text layout read
};
const std::vector<TaskInfo> &tasks();
const TaskInfo &task_info(Task t);
std::optional<Task> parse_task(const std::string &name);

// What one file says for one task; only the members of that task are filled.
struct Annotation {
    std::string source;        // the audio it describes, when the file says; else empty
    std::vector<double> times; // onsets, beats
    std::vector<double> tempi; // tempo: one or two
    double tempo_weight = 1.0; // of the first tempo
    Contour contour;           // melody
    Notes notes;               // notes (Hz)
    std::string key;           // key, in mir_eval's form ("A minor", "X")
    Segments segments;         // segments, labels
};

// Reads PATH ("-": stdin) for `task`. `result` is a shell pattern choosing the ts-result
// (empty: the task's default id); JAMS files take the first annotation of the task's
// namespaces (with `result`, the first whose namespace or ts-serialize's sandbox id matches).
// Throws ts::Error "PATH: why" for a file that is unreadable, malformed, of another task, or has
// negative, unsorted or missing times.
Annotation read_annotation(const std::string &path, Task task, const std::string &result);

// False for a JSON file that is neither ts-result, JAMS nor ts-gen's truth (a corpus's
// index beside its annotations), so a folder's pairing can pass it over; true otherwise.
bool annotation_like(const std::string &path);

} // namespace ts::eval
