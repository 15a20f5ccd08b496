// xml: the results as one XML document.
#include "serialize/text_writer.hpp"

#include <cmath>

namespace ts::serialize {
namespace {

using result::DataMode;
using result::Result;
using result::TimeMode;

class XmlWriter : public TextWriter {
  public:
    using TextWriter::TextWriter;
    void write(const Result &r) override {
        if (count_++ == 0)
            buf_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<results schema=\"ts-result/1\">\n";
        buf_ += "  <result id=\"" + xml_escape(r.id) + "\" analyzer=\"" + xml_escape(r.analyzer) +
                "\" name=\"" + xml_escape(r.name) + "\" unit=\"" + xml_escape(r.unit) +
                "\" time_mode=\"" + result::time_mode_name(r.time_mode) + "\" data_mode=\"" +
                result::data_mode_name(r.data_mode) + "\">\n";
        buf_ += "    <description>" + xml_escape(r.description) + "</description>\n";
        const auto &a = r.audio;
        std::string start, duration;
        result::append_number(a.start, start);
        result::append_number(a.duration, duration);
        buf_ += "    <audio source=\"" + xml_escape(a.source) + "\" sha1=\"" + xml_escape(a.sha1) +
                "\" rate=\"" + std::to_string(a.rate) + "\" channels=\"" + std::to_string(a.channels) +
                "\" start=\"" + start + "\" duration=\"" + duration + "\" mix=\"" + xml_escape(a.mix) + "\"" +
                (a.channel >= 0 ? " channel=\"" + std::to_string(a.channel) + "\"" : std::string()) + "/>\n";
        if (r.frames)
            buf_ += "    <frames rate=\"" + std::to_string(r.frames->rate) + "\" block=\"" +
                    std::to_string(r.frames->block) + "\" step=\"" + std::to_string(r.frames->step) + "\"/>\n";
        buf_ += "    <params>\n";
        for (auto it = r.params.begin(); it != r.params.end(); ++it)
            buf_ += "      <param name=\"" + xml_escape(it.key()) + "\">" +
                    xml_escape(it->is_string() ? it->get<std::string>() : it->dump()) + "</param>\n";
        buf_ += "    </params>\n";
        buf_ += "    <producer tool=\"" + xml_escape(r.tool) + "\" version=\"" + xml_escape(version(r)) + "\"/>\n";
        buf_ += "    <data>\n";
        switch (r.time_mode) {
        case TimeMode::global:
            if (r.data_mode == DataMode::label)
                buf_ += "      <label>" + xml_escape(r.labels.empty() ? std::string() : r.labels[0]) + "</label>\n";
            else
                list("value", r.value);
            break;
        case TimeMode::framewise:
            if (r.width <= 1) {
                list("value", r.series);
            } else {
                buf_ += "      <value frames=\"" + std::to_string(r.frame_count()) + "\" columns=\"" +
                        std::to_string(r.width) + "\">\n";
                for (std::size_t i = 0; i < r.frame_count(); ++i) {
                    buf_ += "        <row>";
                    for (std::size_t j = 0; j < r.width; ++j) {
                        if (j)
                            buf_ += ' ';
                        xml_number(r.series[i * r.width + j]);
                    }
                    buf_ += "</row>\n";
                    spill();
                }
                buf_ += "      </value>\n";
            }
            if (!r.y.empty())
                list("y", r.y);
            break;
        case TimeMode::event:
        case TimeMode::segment:
            list("time", r.time);
            if (r.time_mode == TimeMode::segment)
                list("duration", r.duration);
            if (!r.value.empty())
                list("value", r.value);
            if (!r.labels.empty()) {
                buf_ += "      <label>\n";
                for (const auto &l : r.labels)
                    buf_ += "        <item>" + xml_escape(l) + "</item>\n";
                buf_ += "      </label>\n";
            }
            if (!r.confidence.empty())
                list("confidence", r.confidence);
            break;
        }
        for (auto it = r.extra.begin(); it != r.extra.end(); ++it)
            buf_ += "      <extra name=\"" + xml_escape(it.key()) + "\">" + xml_escape(it->dump()) + "</extra>\n";
        buf_ += "    </data>\n  </result>\n";
        spill(true);
    }
    void finish() override {
        if (count_ == 0)
            buf_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<results schema=\"ts-result/1\">\n";
        buf_ += "</results>\n";
        spill(true);
    }

  private:
    template <class T> void xml_number(T v) {
        if (std::isfinite(v))
            result::append_number(v, buf_);
        else
            buf_ += "NaN";
    }
    template <class V> void list(const char *tag, const V &v) {
        buf_ += "      <";
        buf_ += tag;
        buf_ += " count=\"" + std::to_string(v.size()) + "\">";
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (i)
                buf_ += ' ';
            xml_number(v[i]);
            if ((i & 4095) == 4095)
                spill();
        }
        buf_ += "</";
        buf_ += tag;
        buf_ += ">\n";
    }
    std::size_t count_ = 0;
};

} // namespace

std::unique_ptr<Writer> xml_writer(io::Output &out, const Options &o) { return std::make_unique<XmlWriter>(out, o); }

} // namespace ts::serialize
