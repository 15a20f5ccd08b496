// The Range header by hand: cpp-httplib's parser neither clamps nor answers 416 as RFC 9110 asks.
#include "serve/range.hpp"

#include <charconv>
#include <string>

namespace ts::serve {
namespace {

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_ows(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_ows(s.back()))
        s.remove_suffix(1);
    return s;
}

// 1*DIGIT into a uint64; false for anything else (signs, spaces, overflow).
bool digits(std::string_view s, std::uint64_t &out) {
    if (s.empty())
        return false;
    for (char c : s)
        if (c < '0' || c > '9')
            return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

} // namespace

ByteRange resolve_range(std::string_view header, std::uint64_t size) {
    ByteRange whole;
    header = trim(header);
    // The unit is case-insensitive (RFC 9110 14.1).
    if (header.size() < 6)
        return whole;
    std::string unit(header.substr(0, 6));
    for (char &c : unit)
        c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (unit != "bytes=")
        return whole;
    std::string_view set = header.substr(6);
    if (set.find(',') != std::string_view::npos) {
        // Several ranges (or empty list elements): checked for syntax only, then ignored.
        return whole;
    }
    set = trim(set);
    const auto dash = set.find('-');
    if (dash == std::string_view::npos)
        return whole;
    std::string_view a = set.substr(0, dash), b = set.substr(dash + 1);
    ByteRange r;
    if (a.empty()) { // suffix-range: the last N bytes
        std::uint64_t n = 0;
        if (!digits(b, n))
            return whole;
        if (n == 0 || size == 0)
            return {ByteRange::unsatisfiable, 0, 0};
        r.kind = ByteRange::partial;
        r.first = n >= size ? 0 : size - n;
        r.last = size - 1;
        return r;
    }
    std::uint64_t first = 0;
    if (!digits(a, first))
        return whole;
    std::uint64_t last = UINT64_MAX;
    if (!b.empty()) {
        if (!digits(b, last))
            return whole;
        if (last < first) // invalid range-spec (14.1.1): the header is ignored
            return whole;
    }
    if (first >= size)
        return {ByteRange::unsatisfiable, 0, 0};
    r.kind = ByteRange::partial;
    r.first = first;
    r.last = last >= size ? size - 1 : last;
    return r;
}

std::string content_range(const ByteRange &r, std::uint64_t size) {
    if (r.kind == ByteRange::partial)
        return "bytes " + std::to_string(r.first) + "-" + std::to_string(r.last) + "/" +
               std::to_string(size);
    return "bytes */" + std::to_string(size);
}

} // namespace ts::serve
