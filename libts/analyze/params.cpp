// Parameter parsing and validation.
#include "analyze/params.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

namespace ts::analyze {
namespace {

std::size_t edit_distance(const std::string &a, const std::string &b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t prev = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t cur = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] != b[j - 1])});
            prev = cur;
        }
    }
    return row[b.size()];
}

std::vector<std::string> split(const std::string &s, char sep) {
    std::vector<std::string> out;
    std::string item;
    std::istringstream in(s);
    while (std::getline(in, item, sep))
        if (!item.empty())
            out.push_back(item);
    return out;
}

std::string join(const std::vector<std::string> &v) {
    std::string out;
    for (const auto &s : v)
        out += (out.empty() ? "" : ", ") + s;
    return out;
}

std::string fmt(double v) {
    char buf[32];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, p);
}

} // namespace

const char *param_type_name(ParamType t) {
    switch (t) {
    case ParamType::integer: return "integer";
    case ParamType::number: return "number";
    case ParamType::boolean: return "boolean";
    case ParamType::choice: return "choice";
    case ParamType::list: return "list";
    case ParamType::text: return "text";
    }
    return "text";
}

std::string did_you_mean(const std::string &word, const std::vector<std::string> &candidates) {
    std::string best;
    std::size_t best_d = std::string::npos;
    for (const auto &c : candidates) {
        std::size_t d = edit_distance(word, c);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    return best_d <= std::max<std::size_t>(2, word.size() / 3) ? best : "";
}

const std::string &default_for(const ParamSpec &spec, const std::string &from_value) {
    for (const auto &[value, def] : spec.defaults_by)
        if (value == from_value)
            return def;
    return spec.default_value;
}

Params::Params(const std::string &analyzer, const std::vector<ParamSpec> &specs,
               const std::map<std::string, std::string> &given) {
    std::vector<std::string> keys;
    for (const auto &s : specs)
        keys.push_back(s.key);
    for (const auto &[k, v] : given) {
        if (std::find(keys.begin(), keys.end(), k) != keys.end())
            continue;
        std::string msg = "unknown parameter '" + analyzer + "." + k + "'";
        std::string near = did_you_mean(k, keys);
        if (!near.empty())
            msg += "; did you mean '" + analyzer + "." + near + "'?";
        else
            msg += keys.empty() ? "; " + analyzer + " takes no parameters"
                                : "; " + analyzer + " takes: " + join(keys);
        throw UsageError(msg);
    }
    for (const auto &s : specs) {
        auto it = given.find(s.key);
        // A default by another parameter's value: that parameter comes earlier in specs,
        // so its text (given or default) is known here.
        auto from = s.default_from.empty() ? text_.end() : text_.find(s.default_from);
        const std::string &raw = it != given.end() ? it->second
                                 : from != text_.end() ? default_for(s, from->second)
                                                       : s.default_value;
        const std::string name = analyzer + "." + s.key;
        auto bad = [&](const std::string &why) {
            return UsageError("-p " + name + "=" + raw + ": " + why);
        };
        text_[s.key] = raw;
        switch (s.type) {
        case ParamType::integer: {
            long v = 0;
            auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
            if (ec != std::errc() || p != raw.data() + raw.size())
                throw bad("not an integer");
            if (v < s.min || v > s.max)
                throw bad("out of range (" + fmt(s.min) + " to " + fmt(s.max) + ")");
            json_[s.key] = v;
            break;
        }
        case ParamType::number: {
            double v = 0;
            auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
            if (ec != std::errc() || p != raw.data() + raw.size() || !std::isfinite(v))
                throw bad("not a number");
            if (v < s.min || v > s.max)
                throw bad("out of range (" + fmt(s.min) + " to " + fmt(s.max) + ")");
            json_[s.key] = v;
            break;
        }
        case ParamType::boolean:
            if (raw == "true" || raw == "1" || raw == "yes")
                json_[s.key] = true, text_[s.key] = "true";
            else if (raw == "false" || raw == "0" || raw == "no")
                json_[s.key] = false, text_[s.key] = "false";
            else
                throw bad("not true or false");
            break;
        case ParamType::choice:
            if (std::find(s.choices.begin(), s.choices.end(), raw) == s.choices.end()) {
                std::string near = did_you_mean(raw, s.choices);
                throw bad("not one of " + join(s.choices) +
                          (near.empty() ? "" : "; did you mean '" + near + "'?"));
            }
            json_[s.key] = raw;
            break;
        case ParamType::list: {
            auto items = split(raw, ',');
            for (const auto &item : items)
                if (!s.choices.empty() &&
                    std::find(s.choices.begin(), s.choices.end(), item) == s.choices.end()) {
                    std::string near = did_you_mean(item, s.choices);
                    throw bad("'" + item + "' is not one of " + join(s.choices) +
                              (near.empty() ? "" : "; did you mean '" + near + "'?"));
                }
            if (items.empty())
                throw bad("empty list");
            json_[s.key] = items;
            break;
        }
        case ParamType::text:
            json_[s.key] = raw;
            break;
        }
    }
}

long Params::integer(const std::string &key) const { return json_.at(key).get<long>(); }
double Params::number(const std::string &key) const { return json_.at(key).get<double>(); }
bool Params::boolean(const std::string &key) const { return json_.at(key).get<bool>(); }
const std::string &Params::text(const std::string &key) const { return text_.at(key); }
std::vector<std::string> Params::list(const std::string &key) const {
    return json_.at(key).get<std::vector<std::string>>();
}

} // namespace ts::analyze
