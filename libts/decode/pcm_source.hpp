// Sources over TSPCM streams and headerless PCM.
#pragma once

#include "decode/source.hpp"
#include "io/input.hpp"

namespace ts::decode {

// A TSPCM stream whose magic is next in `in` (the reader is owned by the source).
std::unique_ptr<Source> open_tspcm(std::unique_ptr<io::Reader> in);
// Headerless PCM described by raw.
std::unique_ptr<Source> open_raw(std::unique_ptr<io::Reader> in, const pcm::RawInput &raw);

} // namespace ts::decode
