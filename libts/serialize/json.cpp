// json: the results as one JSON document (a list), and back.
#include "serialize/text_writer.hpp"

#include "core/error.hpp"
#include "result/read.hpp"

namespace ts::serialize {
namespace {

using result::DataMode;
using result::Result;
using result::TimeMode;

std::string indent_lines(const std::string &text, const std::string &pad) {
    std::string out;
    out.reserve(text.size() + 64);
    out += pad;
    for (char c : text) {
        out += c;
        if (c == '\n')
            out += pad;
    }
    return out;
}

// Writes a result as part of a JSON document: compact as its JSON line, or indented, the
// metadata by nlohmann-json and the data with one frame (or one array) per line.
class JsonWriter : public TextWriter {
  public:
    using TextWriter::TextWriter;
    void write(const Result &r) override {
        if (count_ == 0)
            buf_ += o_.compact ? "{\"schema\":\"ts-result/1\",\"results\":[" : "{\n  \"schema\": \"ts-result/1\",\n  \"results\": [\n";
        else
            buf_ += o_.compact ? "," : ",\n";
        ++count_;
        if (o_.compact) {
            result::write_jsonl(r, version(r), buf_, [&](std::string &) { spill(true); });
            buf_.pop_back(); // its newline
            spill();
            return;
        }
        std::string head = result::head_json(r, version(r)).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
        head.resize(head.size() - 2); // "\n}"
        buf_ += indent_lines(head, "    ");
        buf_ += ",\n      \"data\": {";
        bool first = true;
        auto key = [&](const char *k) {
            buf_ += first ? "\n        \"" : ",\n        \"";
            first = false;
            buf_ += k;
            buf_ += "\": ";
        };
        auto numbers = [&](const auto &v) {
            buf_ += '[';
            for (std::size_t i = 0; i < v.size(); ++i) {
                if (i)
                    buf_ += ", ";
                result::append_number(v[i], buf_);
                if ((i & 4095) == 4095)
                    spill();
            }
            buf_ += ']';
        };
        auto strings = [&](const std::vector<std::string> &v) {
            buf_ += nlohmann::json(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        };
        switch (r.time_mode) {
        case TimeMode::global:
            if (r.data_mode == DataMode::label) {
                key("label");
                buf_ += nlohmann::json(r.labels.empty() ? std::string() : r.labels[0])
                            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            } else {
                key("value");
                if (r.scalar)
                    result::append_number(r.value.empty() ? NAN : r.value[0], buf_);
                else
                    numbers(r.value);
            }
            break;
        case TimeMode::framewise: {
            key("value");
            const std::size_t n = r.frame_count();
            if (r.width <= 1) {
                numbers(r.series);
            } else {
                buf_ += '[';
                for (std::size_t i = 0; i < n; ++i) {
                    buf_ += i ? ",\n          [" : "\n          [";
                    for (std::size_t j = 0; j < r.width; ++j) {
                        if (j)
                            buf_ += ", ";
                        result::append_number(r.series[i * r.width + j], buf_);
                    }
                    buf_ += ']';
                    spill();
                }
                buf_ += n ? "\n        ]" : "]";
            }
            if (!r.y.empty()) {
                key("y");
                numbers(r.y);
            }
            break;
        }
        case TimeMode::event:
        case TimeMode::segment:
            key("time");
            numbers(r.time);
            if (r.time_mode == TimeMode::segment) {
                key("duration");
                numbers(r.duration);
            }
            if (!r.value.empty() || (r.data_mode == DataMode::value && r.time_mode == TimeMode::segment)) {
                key("value");
                numbers(r.value);
            }
            if (!r.labels.empty() || r.data_mode == DataMode::label) {
                key("label");
                strings(r.labels);
            }
            if (!r.confidence.empty()) {
                key("confidence");
                numbers(r.confidence);
            }
            break;
        }
        for (auto it = r.extra.begin(); it != r.extra.end(); ++it) {
            key(it.key().c_str());
            buf_ += it.value().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        }
        buf_ += first ? "}\n    }" : "\n      }\n    }";
        spill();
    }
    void finish() override {
        if (count_ == 0)
            buf_ += o_.compact ? "{\"schema\":\"ts-result/1\",\"results\":[" : "{\n  \"schema\": \"ts-result/1\",\n  \"results\": [";
        buf_ += o_.compact ? "]}\n" : "\n  ]\n}\n";
        spill(true);
    }

  private:
    std::size_t count_ = 0;
};

} // namespace

std::unique_ptr<Writer> json_writer(io::Output &out, const Options &o) { return std::make_unique<JsonWriter>(out, o); }

void read_json(const std::string &path, const Emit &emit) {
    const std::string name = path == "-" ? "stdin" : path;
    const std::string text = slurp(path);
    result::Parser parser;
    try {
        parser.parse_document(text, emit);
    } catch (const result::Invalid &e) {
        throw Error(name + ": " + e.what());
    }
}

} // namespace ts::serialize
