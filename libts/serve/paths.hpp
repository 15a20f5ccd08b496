// Names beneath a root folder: what a client-given relative name may resolve to, and ids.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ts::serve {

// A relative name as a client (or an archive's catalog) gives it, checked lexically: not
// empty, not absolute, no NUL, no backslash, no '%' (an encoded form left undecoded), no
// empty, "." or ".." component. Returns the cleaned relative path, or nothing. on_disk: a
// name read from a folder listing, where '%' is an ordinary character.
std::optional<std::filesystem::path> safe_relative(std::string_view name, bool on_disk = false);

// Resolves name beneath root: lexically safe, and, once symbolic links are followed, still
// inside root (a link pointing out of it is refused). The file need not exist; its nearest
// existing ancestor is the one checked. Returns the absolute path, or nothing.
std::optional<std::filesystem::path> resolve_beneath(const std::filesystem::path &root,
                                                     std::string_view name, bool on_disk = false);

// Opens root/name read-only, the kernel resolving it beneath root (openat2 with
// RESOLVE_BENEATH: a '..' or a symbolic link leading out of root fails with EXDEV, a magic
// link with ELOOP), after the lexical check of safe_relative(name, true). Returns the file
// descriptor, or -1 with errno set (ENOENT for a name that is not safe). Without openat2
// (Linux before 5.6): resolve_beneath, then open with O_NOFOLLOW.
int open_beneath(const std::filesystem::path &root, std::string_view name);

// A name-based (version 5, SHA-1) UUID of name in this server's namespace: the same name
// always gives the same id.
std::string name_uuid(std::string_view name);

// True for a UUID in its canonical lower-case text form (8-4-4-4-12 hex digits).
bool is_uuid(std::string_view s);

// A random (version 4) UUID from OpenSSL's generator.
std::string random_uuid();

} // namespace ts::serve
