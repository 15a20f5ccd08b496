// Headerless PCM: what a stream without a TSPCM header is, as the user describes it.
#pragma once

#include <string>

namespace ts::pcm {

// Headerless input (--input-raw with --input-rate, --input-channels, --input-format).
struct RawInput {
    bool raw = false;
    int rate = 0;
    int channels = 0;
    std::string format = "f32le";
};

} // namespace ts::pcm
