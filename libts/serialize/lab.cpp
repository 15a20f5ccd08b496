// lab: a .lab file (start, end and a label without blanks, space-separated).
#include "serialize/labels.hpp"

namespace ts::serialize {
namespace {

using result::DataMode;
using result::Result;
using result::TimeMode;

class LabWriter : public Writer {
  public:
    LabWriter(io::Output &out, const Options &) : out_(out) {}
    void write(const Result &r) override {
        std::string text;
        for (const auto &l : labels_of(r, "lab"))
            text += fixed6(l.start) + ' ' + fixed6(l.end) + ' ' + replace_any(l.text, " \t\r\n\v\f", '_') + '\n';
        out_.write(text);
    }

  private:
    io::Output &out_;
};

} // namespace

std::unique_ptr<Writer> lab_writer(io::Output &out, const Options &o) {
    return std::make_unique<LabWriter>(out, o);
}

} // namespace ts::serialize
