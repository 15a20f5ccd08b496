// The ts-result model (man/ts-result.5): one analysis result, as written on one JSON line.
#pragma once

#include "result/series.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ts::result {

constexpr const char *schema = "ts-result/1";

enum class TimeMode { global, framewise, event, segment };
enum class DataMode { value, label };

const char *time_mode_name(TimeMode m);
const char *data_mode_name(DataMode m);
// The modes by name; nullopt for any other text. The messages of a bad name, for readers.
std::optional<TimeMode> parse_time_mode(std::string_view name);
std::optional<DataMode> parse_data_mode(std::string_view name);
inline const char *time_mode_choices = "global, framewise, event or segment";
inline const char *data_mode_choices = "value or label";

// The audio a result describes.
struct Audio {
    std::string source;   // path or URL; empty for stdin
    std::string sha1;     // of the source file, when known
    int rate = 0;
    int channels = 0;     // of the input
    double start = 0.0;
    double duration = 0.0;
    std::string mix = "mono"; // mono | each | all
    int channel = -1;         // with mix "each": which channel (from 0)
};

// Framing of a framewise result: frame i covers [start + i*step/rate, + block/rate).
struct Framing {
    int rate = 0;
    int block = 0;
    int step = 0;
};

struct Result {
    std::string id;        // "analyzer" or "analyzer.output"
    std::string analyzer;
    std::string name;
    std::string unit;
    std::string description;
    TimeMode time_mode = TimeMode::global;
    DataMode data_mode = DataMode::value;
    Audio audio;
    std::optional<Framing> frames;
    nlohmann::json params = nlohmann::json::object();
    std::string tool = "ts-analyze";
    std::string version;   // producer.version, as read back; writers are given their own

    // Data. global: `value` (scalar when `scalar`, else an array) or `labels[0]`.
    // framewise: `series` (n frames x `width` values, row-major; width 1 → a flat array)
    // and `y` (bin centres) for matrices. event: `time` (+ optional value/labels/
    // confidence). segment: `time`, `duration`, and `labels` or `value`.
    // NaN and infinities are written as null.
    std::vector<double> value;
    bool scalar = false;
    std::vector<float> series;
    std::size_t width = 1;
    // A series made by ts-analyze from a long input lives here instead (series is then
    // empty): read it with for_each_block() or load_series() (result/series.hpp).
    std::shared_ptr<const Spilled> spilled;
    std::vector<double> y;
    std::vector<double> time;
    std::vector<double> duration;
    std::vector<std::string> labels;
    std::vector<double> confidence;
    nlohmann::json extra = nlohmann::json::object(); // more keys inside "data"

    std::size_t series_size() const { return spilled ? spilled->size : series.size(); }
    std::size_t frame_count() const { return width ? series_size() / width : 0; }
};

// Everything but "data", in the order of man/ts-result.5, for writers of other layouts.
nlohmann::ordered_json head_json(const Result &r, const std::string &version);

// Appends a number in its shortest exact form (std::to_chars); NaN and infinities as null.
void append_number(double v, std::string &out);
void append_number(float v, std::string &out);

// The frame count and time of frame i of a framewise result (man/ts-result.5: its start).
double frame_time(const Result &r, std::size_t i);

// Appends the result as one JSON line (ending in '\n') to out. Numbers are written in
// their shortest exact form; NaN and infinities as null.
// When `spill` is given, it is called with `out` whenever out holds more than 1 MiB, to
// write and clear it, so a long framewise matrix is never held whole as text.
void write_jsonl(const Result &r, const std::string &version, std::string &out,
                 const std::function<void(std::string &)> &spill = {});

} // namespace ts::result
