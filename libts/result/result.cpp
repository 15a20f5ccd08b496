// ts-result JSON Lines writing: metadata through nlohmann-json, data arrays by hand with
// std::to_chars, since a framewise matrix can hold millions of numbers.
#include "result/result.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace ts::result {
namespace {

template <class T> void number(T v, std::string &out) {
    if (!std::isfinite(v)) {
        out += "null";
        return;
    }
    char buf[32];
    auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, ptr);
}

template <class T> void array(const std::vector<T> &v, std::string &out) {
    out += '[';
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i)
            out += ',';
        number(v[i], out);
    }
    out += ']';
}

using Spill = std::function<void(std::string &)>;

void maybe_spill(std::string &out, const Spill &spill) {
    if (spill && out.size() > (1u << 20))
        spill(out);
}

// From memory or from the spill file, in blocks of whole rows; `out` is handed to spill
// whenever it holds more than 1 MiB.
void series(const Result &r, std::string &out, const Spill &spill) {
    out += '[';
    if (r.width <= 1) {
        for_each_block(r, 1u << 16, [&](const float *x, std::size_t first, std::size_t n) {
            for (std::size_t i = 0; i < n; ++i) {
                if (first + i)
                    out += ',';
                number(x[i], out);
                if (((first + i) & 4095) == 4095)
                    maybe_spill(out, spill);
            }
        });
        out += ']';
        return;
    }
    const std::size_t w = r.width, rows = r.frame_count();
    const std::size_t block = w * std::max<std::size_t>(1, (1u << 16) / w);
    for_each_block(r, block, [&](const float *x, std::size_t first, std::size_t n) {
        for (std::size_t k = 0; k + w <= n; k += w) {
            const std::size_t i = (first + k) / w;
            if (i >= rows)
                return;
            if (i)
                out += ',';
            out += '[';
            for (std::size_t j = 0; j < w; ++j) {
                if (j)
                    out += ',';
                number(x[k + j], out);
            }
            out += ']';
            maybe_spill(out, spill);
        }
    });
    out += ']';
}

void key(const char *k, std::string &out, bool &first) {
    if (!first)
        out += ',';
    first = false;
    out += '"';
    out += k;
    out += "\":";
}

nlohmann::ordered_json audio_json(const Audio &a) {
    nlohmann::ordered_json j;
    j["source"] = a.source.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(a.source);
    j["sha1"] = a.sha1.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(a.sha1);
    j["rate"] = a.rate;
    j["channels"] = a.channels;
    j["start"] = a.start;
    j["duration"] = a.duration;
    j["mix"] = a.mix;
    if (a.channel >= 0)
        j["channel"] = a.channel;
    return j;
}

} // namespace

void append_number(double v, std::string &out) { number(v, out); }
void append_number(float v, std::string &out) { number(v, out); }

double frame_time(const Result &r, std::size_t i) {
    if (!r.frames || r.frames->rate <= 0)
        return r.audio.start;
    return r.audio.start + static_cast<double>(i) * r.frames->step / r.frames->rate;
}

nlohmann::ordered_json head_json(const Result &r, const std::string &version) {
    nlohmann::ordered_json head;
    head["schema"] = schema;
    head["id"] = r.id;
    head["analyzer"] = r.analyzer;
    head["name"] = r.name;
    head["unit"] = r.unit;
    head["description"] = r.description;
    head["time_mode"] = time_mode_name(r.time_mode);
    head["data_mode"] = data_mode_name(r.data_mode);
    head["audio"] = audio_json(r.audio);
    if (r.frames)
        head["frames"] = {{"rate", r.frames->rate}, {"block", r.frames->block}, {"step", r.frames->step}};
    head["params"] = r.params;
    head["producer"] = {{"tool", r.tool}, {"version", version}};
    return head;
}

const char *time_mode_name(TimeMode m) {
    switch (m) {
    case TimeMode::global: return "global";
    case TimeMode::framewise: return "framewise";
    case TimeMode::event: return "event";
    case TimeMode::segment: return "segment";
    }
    return "global";
}

const char *data_mode_name(DataMode m) { return m == DataMode::label ? "label" : "value"; }

std::optional<TimeMode> parse_time_mode(std::string_view name) {
    for (TimeMode m : {TimeMode::global, TimeMode::framewise, TimeMode::event, TimeMode::segment})
        if (name == time_mode_name(m))
            return m;
    return std::nullopt;
}

std::optional<DataMode> parse_data_mode(std::string_view name) {
    for (DataMode m : {DataMode::value, DataMode::label})
        if (name == data_mode_name(m))
            return m;
    return std::nullopt;
}

void write_jsonl(const Result &r, const std::string &version, std::string &out,
                 const Spill &spill) {
    const nlohmann::ordered_json head = head_json(r, version);
    std::string text = head.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text.pop_back(); // reopen the object to append "data"
    out += text;
    out += ",\"data\":{";
    bool first = true;
    switch (r.time_mode) {
    case TimeMode::global:
        if (r.data_mode == DataMode::label) {
            key("label", out, first);
            out += nlohmann::json(r.labels.empty() ? std::string() : r.labels[0]).dump();
        } else {
            key("value", out, first);
            if (r.scalar)
                number(r.value.empty() ? NAN : r.value[0], out);
            else
                array(r.value, out);
        }
        break;
    case TimeMode::framewise:
        key("value", out, first);
        series(r, out, spill);
        if (!r.y.empty()) {
            key("y", out, first);
            array(r.y, out);
        }
        break;
    case TimeMode::event:
    case TimeMode::segment:
        key("time", out, first);
        array(r.time, out);
        if (r.time_mode == TimeMode::segment) {
            key("duration", out, first);
            array(r.duration, out);
        }
        if (!r.value.empty() || (r.data_mode == DataMode::value && r.time_mode == TimeMode::segment)) {
            key("value", out, first);
            array(r.value, out);
        }
        if (!r.labels.empty() || r.data_mode == DataMode::label) {
            key("label", out, first);
            out += nlohmann::json(r.labels).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        }
        if (!r.confidence.empty()) {
            key("confidence", out, first);
            array(r.confidence, out);
        }
        break;
    }
    for (auto it = r.extra.begin(); it != r.extra.end(); ++it) {
        key(it.key().c_str(), out, first);
        out += it.value().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    out += "}}\n";
}

} // namespace ts::result
