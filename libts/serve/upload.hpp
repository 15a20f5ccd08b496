// The body of an upload, received into a file as it arrives (never whole in memory), hashed
// on the way so the file need not be read again for its SHA-1.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <optional>
#include <string>

namespace ts::serve {

// Reads a request body of exactly length bytes from reader into fd, computing its SHA-1.
// Returns the SHA-1 in hex, or nothing when the body ends early, runs past length, or a
// write fails (the caller removes the file).
std::optional<std::string> receive_body(const httplib::ContentReader &reader, int fd,
                                        std::uint64_t length);

} // namespace ts::serve
