// Plain WAV files read without FFmpeg, so a tool given one never loads the media module.
#pragma once

#include "decode/media_info.hpp"
#include "decode/source.hpp"
#include "io/input.hpp"

namespace ts::decode {

// A regular file holding a plain RIFF/WAVE (chunks fmt, data and only fact, PEAK, JUNK, pad
// and one LIST/INFO of tags besides; integer PCM of 8, 16, 24 or 32 bits or IEEE float of 32
// or 64, WAVE_FORMAT_PCM, _IEEE_FLOAT or _EXTENSIBLE with every bit valid; a data chunk the
// file holds whole): its
// source, giving exactly what the FFmpeg path gives (samples, length, bits, tags).
// Otherwise null, `in` rewound, for FFmpeg to read (tags in id3/bext, odd layouts,
// truncation and its message). TS_DECODE_NATIVE=0 in the environment always gives null.
std::unique_ptr<Source> open_wav(const std::string &arg, std::unique_ptr<io::Reader> &in,
                                 const OpenOptions &options);

// ts-info's facts of a plain WAV file (as open_wav takes it, and not WAVE_FORMAT_EXTENSIBLE,
// whose channel mask FFmpeg names), exactly as libavformat gives them; false otherwise, `in`
// rewound.
bool wav_info(io::Reader &in, MediaInfo &info);

} // namespace ts::decode
