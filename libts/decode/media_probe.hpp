// Facts about a media file that libavformat knows without decoding: tags and exact length.
#pragma once

#include "pcm/header.hpp"

#include <cstdint>
#include <string>
#include <vector>

struct AVFormatContext;
struct AVStream;

namespace ts::decode {

// Container tags, then the stream's, as TSPCM tag names (characters other than letters,
// digits, '_', '-' and '.' become '_'; lower case), later duplicates dropped.
pcm::KeyValues media_tags(const AVFormatContext *fmt, const AVStream *st);

// The exact number of frames the decoder will give for stream `st` of the regular file
// `path`, or -1 when it cannot be known without decoding. PCM and FLAC read it from the
// header; MPEG audio (mp3) from a demux-only pass over the packets (durations less the
// encoder delay and padding the container records). A file that holds less than its
// header declares is reported as truncated here, before any output.
// When `points` is given, an mp3's pass also records where every 16th packet starts: its
// byte offset and the decoder's output frame index of its first sample.
struct SeekPoint {
    std::int64_t pos, frame;
};
std::int64_t exact_frames(const AVFormatContext *fmt, const AVStream *st, const std::string &path,
                          const std::string &name, std::vector<SeekPoint> *points = nullptr);

} // namespace ts::decode
