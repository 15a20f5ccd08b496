// Text formats: jsonl, json, yaml, xml, csv.
#include "serialize/formats.hpp"

#include "core/error.hpp"
#include "result/read.hpp"

namespace ts::serialize {
namespace {

// Text is built in a buffer and handed to the output whenever it passes 1 MiB.
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
    std::string version(const result::Result &r) const { return o_.version.empty() ? r.version : o_.version; }

    io::Output &out_;
    Options o_;
    std::string buf_;
};

class JsonlWriter : public TextWriter {
  public:
    using TextWriter::TextWriter;
    void write(const result::Result &r) override {
        result::write_jsonl(r, version(r), buf_, [&](std::string &) { spill(true); });
        spill(true);
    }
};

} // namespace

std::unique_ptr<Writer> jsonl_writer(io::Output &out, const Options &o) {
    return std::make_unique<JsonlWriter>(out, o);
}

void read_jsonl(const std::string &path, const Emit &emit) {
    result::JsonlReader reader(path);
    result::Result r;
    while (reader.next(r))
        emit(std::move(r));
}

std::unique_ptr<Writer> json_writer(io::Output &, const Options &) { throw Error("json: not written yet"); }
std::unique_ptr<Writer> yaml_writer(io::Output &, const Options &) { throw Error("yaml: not written yet"); }
std::unique_ptr<Writer> xml_writer(io::Output &, const Options &) { throw Error("xml: not written yet"); }
std::unique_ptr<Writer> csv_writer(io::Output &, const Options &) { throw Error("csv: not written yet"); }
void read_json(const std::string &, const Emit &) { throw Error("json: not read yet"); }
void read_yaml(const std::string &, const Emit &) { throw Error("yaml: not read yet"); }

} // namespace ts::serialize
