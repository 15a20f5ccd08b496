// What the label formats (audacity, lab, sonic-visualiser, elan) share: the labels of one
// event or segment result, and how their numbers are written.
#pragma once

#include "serialize/formats.hpp"

#include <string>
#include <vector>

namespace ts::serialize {

struct Label {
    double start, end;
    std::string text;
    bool has_value;
    double value;
};

// The labels of an event or segment result; anything else is refused for `format`.
std::vector<Label> labels_of(const result::Result &r, const std::string &format);
// The shortest exact form of v, "" for NaN and infinities.
std::string number_text(double v);
// v with six decimals ("%.6f"), as the label formats write times.
std::string fixed6(double v);
// s with every character of `from` replaced by `to`.
std::string replace_any(std::string s, const char *from, char to);

} // namespace ts::serialize
