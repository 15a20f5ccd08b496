// jsonl: ts-result JSON Lines, normalised (the shortest exact numbers, fields in order).
#include "serialize/text_writer.hpp"

#include "result/read.hpp"

namespace ts::serialize {
namespace {

using result::DataMode;
using result::Result;
using result::TimeMode;

class JsonlWriter : public TextWriter {
  public:
    using TextWriter::TextWriter;
    void write(const Result &r) override {
        result::write_jsonl(r, version(r), buf_, [&](std::string &) { spill(true); });
        spill(true);
    }
};

} // namespace

std::unique_ptr<Writer> jsonl_writer(io::Output &out, const Options &o) { return std::make_unique<JsonlWriter>(out, o); }

void read_jsonl(const std::string &path, const Emit &emit) {
    result::JsonlReader reader(path);
    Result r;
    while (reader.next(r))
        emit(std::move(r));
}

} // namespace ts::serialize
