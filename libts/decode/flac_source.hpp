// FLAC files decoded by libFLAC, so a tool given one never loads the media module.
#pragma once

#include "decode/media_info.hpp"
#include "decode/source.hpp"
#include "io/input.hpp"

namespace ts::decode {

// A regular file beginning with "fLaC" whose metadata libavformat would read to the same
// tags with no side effect (one STREAMINFO first with its length, 4 to 24 bits a sample; at
// most one VORBIS_COMMENT without cover art or chapters in it; PADDING,
// APPLICATION, SEEKTABLE and well-formed PICTURE blocks besides): its source, giving exactly
// what the FFmpeg path gives (samples, length, bits, tags as ff_vorbis_comment names and
// orders them). Otherwise null, `in` rewound, for FFmpeg to read (an ID3 tag in front, a
// CUESHEET, 32-bit samples, an unknown length, a malformed block). A stream that stops short
// of its declared length or holds a corrupt frame is an error naming the input.
// TS_DECODE_NATIVE=0 in the environment always gives null; so does a stream index above 0.
std::unique_ptr<Source> open_flac(const std::string &arg, std::unique_ptr<io::Reader> &in,
                                  const OpenOptions &options);

// ts-info's facts of a FLAC file open_flac takes (and without a channel mask, whose layout
// FFmpeg names), exactly as libavformat gives them; false otherwise, `in` rewound.
bool flac_info(const std::string &arg, io::Reader &in, MediaInfo &info);

} // namespace ts::decode
