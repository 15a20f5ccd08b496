// audacity: an Audacity label track (start, end and text, tab-separated).
#include "serialize/labels.hpp"

namespace ts::serialize {
namespace {

using result::DataMode;
using result::Result;
using result::TimeMode;

class AudacityWriter : public Writer {
  public:
    AudacityWriter(io::Output &out, const Options &) : out_(out) {}
    void write(const Result &r) override {
        std::string text;
        for (const auto &l : labels_of(r, "audacity"))
            text += fixed6(l.start) + '\t' + fixed6(l.end) + '\t' + replace_any(l.text, "\t\r\n", ' ') + '\n';
        out_.write(text);
    }

  private:
    io::Output &out_;
};

} // namespace

std::unique_ptr<Writer> audacity_writer(io::Output &out, const Options &o) {
    return std::make_unique<AudacityWriter>(out, o);
}

} // namespace ts::serialize
