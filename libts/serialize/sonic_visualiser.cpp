// sonic-visualiser: a layer of Sonic Visualiser in its CSV form.
#include "serialize/labels.hpp"

#include "core/error.hpp"

#include <cmath>

namespace ts::serialize {
namespace {

using result::DataMode;
using result::Result;
using result::TimeMode;

// A double-quoted CSV field as Sonic Visualiser splits it: backslash escapes " and \.
std::string sv_quote(const std::string &s) {
    std::string q = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\')
            q += '\\';
        q += (c == '\n' || c == '\r') ? ' ' : c;
    }
    return q + '"';
}

class SonicVisualiserWriter : public Writer {
  public:
    SonicVisualiserWriter(io::Output &out, const Options &) : out_(out) {}
    void write(const Result &r) override {
        std::string text;
        if (r.time_mode == TimeMode::framewise) {
            if (r.width > 1)
                throw Error("sonic-visualiser: result " + r.id +
                            " is a framewise matrix: only one value per frame makes a time-value layer");
            text = "time,value\n";
            for (std::size_t i = 0; i < r.series.size(); ++i) {
                std::string v;
                if (std::isfinite(r.series[i]))
                    result::append_number(r.series[i], v);
                text += fixed6(result::frame_time(r, i)) + ',' + v + '\n';
            }
            out_.write(text);
            return;
        }
        const auto labels = labels_of(r, "sonic-visualiser");
        const bool labelled = !r.labels.empty();
        text = r.time_mode == TimeMode::segment ? "time,value,duration,label\n"
               : labelled                       ? "time,label\n"
               : !r.value.empty()               ? "time,value\n"
                                                : "time\n";
        for (const auto &l : labels) {
            text += fixed6(l.start);
            if (r.time_mode == TimeMode::segment) {
                // region layer: time,value,duration,label
                text += ',' + (l.has_value ? number_text(l.value) : std::string()) + ',' +
                        fixed6(l.end - l.start) + ',' + sv_quote(labelled ? l.text : "");
            } else if (labelled) {
                text += ',' + sv_quote(l.text); // time instants with labels
            } else if (l.has_value) {
                text += ',' + number_text(l.value); // time-value points
            }
            text += '\n';
        }
        out_.write(text);
    }

  private:
    io::Output &out_;
};

} // namespace

std::unique_ptr<Writer> sonic_visualiser_writer(io::Output &out, const Options &o) {
    return std::make_unique<SonicVisualiserWriter>(out, o);
}

} // namespace ts::serialize
