// HTTP byte ranges (RFC 9110 section 14): the Range header parsed and resolved against a size.
#pragma once

#include <cstdint>
#include <string_view>

namespace ts::serve {

// What to send for a GET with (or without) a Range header.
struct ByteRange {
    enum Kind {
        full,          // 200 with the whole representation (no Range, or one to ignore)
        partial,       // 206 with bytes [first, last]
        unsatisfiable, // 416 with Content-Range: bytes */size
    } kind = full;
    std::uint64_t first = 0;
    std::uint64_t last = 0; // inclusive
    std::uint64_t length() const { return last - first + 1; }
};

// Resolves a Range header value for a representation of `size` bytes. The policy:
//  - no header, another unit than bytes, or a header that does not parse: the whole (200);
//    RFC 9110 14.2 lets a server ignore a Range it does not understand.
//  - one range: clamped to the end (206); one whose first byte is past the end, or a
//    suffix of 0 bytes, or any range of an empty representation: 416.
//  - several ranges: the whole (200), never multipart/byteranges (RFC 9110 14.2 lets a
//    server ignore Range; this also bounds the work a single request can ask for).
ByteRange resolve_range(std::string_view header, std::uint64_t size);

// "bytes 0-99/1000" for a partial response, "bytes */1000" for a 416.
std::string content_range(const ByteRange &r, std::uint64_t size);

} // namespace ts::serve
