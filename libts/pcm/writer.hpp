// Writes a TSPCM stream (or headerless raw PCM) from interleaved float frames.
#pragma once

#include "io/output.hpp"
#include "pcm/header.hpp"

#include <vector>

namespace ts::pcm {

class Writer {
  public:
    // Writes the header at once unless raw. When frames is unknown and the output is a
    // file, the count is filled in by finish().
    Writer(io::Output &out, Header header, bool raw);
    void write(const float *frames, std::size_t count);
    // Checks the count against the header (a mismatch is an error) and patches an unknown
    // count into a file's header. Does not commit the output.
    void finish();
    std::int64_t frames_written() const { return written_; }
    const Header &header() const { return header_; }

  private:
    io::Output &out_;
    Header header_;
    bool raw_;
    std::size_t frames_offset_ = std::string::npos;
    std::int64_t written_ = 0;
    std::vector<std::int16_t> s16_;
};

} // namespace ts::pcm
