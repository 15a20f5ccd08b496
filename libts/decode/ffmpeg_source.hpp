// Media decoding through FFmpeg (libavformat + libavcodec), converted to float frames.
#pragma once

#include "decode/source.hpp"
#include "io/input.hpp"

namespace ts::decode {

// Decodes a URL (reader is null), a regular file (by path, so FFmpeg can seek) or a
// non-seekable stream read through `reader`.
std::unique_ptr<Source> open_media(const std::string &arg, std::unique_ptr<io::Reader> reader,
                                   const OpenOptions &options);

// Routes FFmpeg's own log lines to --verbose, in the tool's message format (done by the
// media module as it loads).

} // namespace ts::decode
