// Key scores: mir_eval.key.weighted_score (the MIREX key detection score; Ziv & Wong, or
// Pauws 2004, "Musical key extraction from audio").
#include "eval/metrics.hpp"

#include "core/error.hpp"

#include <cctype>
#include <optional>
#include <sstream>

namespace ts::eval {
namespace {

std::string lower(std::string s) {
    for (char &c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::optional<int> semitone(const std::string &tonic) {
    static const std::pair<const char *, int> names[] = {
        {"c", 0},  {"c#", 1}, {"db", 1},  {"d", 2},   {"d#", 3}, {"eb", 3},
        {"e", 4},  {"f", 5},  {"f#", 6},  {"gb", 6},  {"g", 7},  {"g#", 8},
        {"ab", 8}, {"a", 9},  {"a#", 10}, {"bb", 10}, {"b", 11}};
    for (const auto &[n, s] : names)
        if (lower(tonic) == n)
            return s;
    return std::nullopt;
}

struct Key {
    std::optional<int> tonic; // none: X
    std::string mode;
};

Key parse(const std::string &text) {
    std::istringstream in(text);
    std::string a, b, c;
    in >> a >> b >> c;
    if (!a.empty() && b.empty() && lower(a) == "x")
        return {};
    if (a.empty() || b.empty() || !c.empty())
        throw Error("key '" + text + "': not of the form 'TONIC MODE' or 'X'");
    const auto s = semitone(a);
    if (!s)
        throw Error("key '" + text + "': tonic " + a + " is not one of C, C#, Db, ... B");
    if (b != "major" && b != "minor" && b != "other")
        throw Error("key '" + text + "': mode " + b + " is not major, minor or other");
    return {s, b};
}

} // namespace

std::string normalize_key(const std::string &text) {
    std::string t = text;
    for (char &c : t)
        if (c == ':' || c == '\t')
            c = ' ';
    std::istringstream in(t);
    std::string a, b;
    in >> a >> b;
    if (a.empty() || (b.empty() && (lower(a) == "n" || lower(a) == "x")))
        return "X";
    if (!a.empty())
        a[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(a[0])));
    if (lower(b) == "maj" || lower(b) == "major")
        b = "major";
    else if (lower(b) == "min" || lower(b) == "minor")
        b = "minor";
    return b.empty() ? a : a + " " + b;
}

Scores key(const std::string &reference, const std::string &estimate) {
    const Key r = parse(reference), e = parse(estimate);
    double score = 0.0;
    if (r.tonic == e.tonic && (r.tonic ? r.mode == e.mode : true))
        score = 1.0;
    else if (!r.tonic || !e.tonic)
        score = 0.0;
    else {
        const int d = ((*e.tonic - *r.tonic) % 12 + 12) % 12;
        if (e.mode == r.mode && d == 7)
            score = 0.5;
        else if (e.mode != r.mode && r.mode == "major" && d == 9)
            score = 0.3;
        else if (e.mode != r.mode && r.mode == "minor" && d == 3)
            score = 0.3;
        else if (e.mode != r.mode && *r.tonic == *e.tonic)
            score = 0.2;
    }
    return {{"weighted_score", score}};
}

} // namespace ts::eval
