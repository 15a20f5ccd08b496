// The labels of event and segment results, for the label formats.
#include "serialize/labels.hpp"

#include "core/error.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace ts::serialize {

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

std::vector<Label> labels_of(const result::Result &r, const std::string &format) {
    if (r.time_mode != result::TimeMode::event && r.time_mode != result::TimeMode::segment)
        throw Error(format + ": result " + r.id + " is " + result::time_mode_name(r.time_mode) +
                    ": only event and segment results can be written as " + format +
                    " labels (choose one with --result)");
    std::vector<Label> out;
    for (std::size_t i = 0; i < r.time.size(); ++i) {
        Label l;
        l.start = r.time[i];
        l.end = r.time_mode == result::TimeMode::segment && i < r.duration.size() ? r.time[i] + r.duration[i] : r.time[i];
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

std::string replace_any(std::string s, const char *from, char to) {
    for (auto &c : s)
        if (std::strchr(from, c))
            c = to;
    return s;
}

} // namespace ts::serialize
