// Names beneath a root folder: what a client-given relative name may resolve to, and ids.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ts::serve {

// A relative name as a client (or an archive's catalog) gives it, checked lexically: not
// empty, not absolute, no NUL, no backslash, no '%' (an encoded form left undecoded), no
// empty, "." or ".." component. Returns the cleaned relative path, or nothing.
std::optional<std::filesystem::path> safe_relative(std::string_view name);

// Resolves name beneath root: lexically safe, and, once symbolic links are followed, still
// inside root (a link pointing out of it is refused). The file need not exist; its nearest
// existing ancestor is the one checked. Returns the absolute path, or nothing.
std::optional<std::filesystem::path> resolve_beneath(const std::filesystem::path &root,
                                                     std::string_view name);

// True for a UUID in its canonical lower-case text form (8-4-4-4-12 hex digits).
bool is_uuid(std::string_view s);

// A random (version 4) UUID from OpenSSL's generator.
std::string random_uuid();

} // namespace ts::serve
