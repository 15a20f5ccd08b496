// Reads a TSPCM stream (or headerless raw PCM) as interleaved float frames.
#pragma once

#include "io/input.hpp"
#include "pcm/header.hpp"

#include <vector>

namespace ts::pcm {

// True when the bytes begin a TSPCM stream (any version).
bool looks_like_tspcm(const char *data, std::size_t size);

// Reads the header of a TSPCM stream from `in`: the magic, then lines up to END, at most
// 64 KiB. Errors name the input. For a regular file, a payload shorter than `frames`
// says is reported here, before any sample is read.
Header read_header(io::Reader &in);

class Reader {
  public:
    // Takes a header already read (TSPCM) or built from --input-* options (raw).
    Reader(io::Reader &in, Header header);
    const Header &header() const { return header_; }
    // Reads up to max_frames frames into dst (interleaved floats); 0 at the end. A stream
    // that ends before `frames`, or in the middle of a frame, throws an Error.
    std::size_t read(float *dst, std::size_t max_frames);
    std::int64_t frames_read() const { return done_; }

  private:
    io::Reader &in_;
    Header header_;
    std::int64_t done_ = 0;
    std::vector<char> bytes_;
};

} // namespace ts::pcm
