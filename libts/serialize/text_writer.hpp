// The base of the text writers (jsonl, json, yaml, xml, csv): each builds its text in a
// buffer handed to the output whenever it passes 1 MiB, so a long framewise matrix is never
// held whole as text.
#pragma once

#include "serialize/formats.hpp"

namespace ts::serialize {

class TextWriter : public Writer {
  public:
    TextWriter(io::Output &out, const Options &o) : out_(out), o_(o) {}

  protected:
    void spill(bool force = false) {
        if (force || buf_.size() > (1u << 20)) {
            out_.write(buf_);
            buf_.clear();
        }
    }
    std::string version(const result::Result &r) const { return producer_version(r, o_); }

    io::Output &out_;
    Options o_;
    std::string buf_;
};

} // namespace ts::serialize
