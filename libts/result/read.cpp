// ts-result parsing with simdjson's DOM: one validator for exec: analyzers' output and for
// ts-serialize's inputs, so both accept exactly what man/ts-result.5 describes.
#include "result/read.hpp"

#include "core/error.hpp"
#include "io/input.hpp"

#include <simdjson.h>

#include <cerrno>
#include <cmath>
#include <cstring>

namespace ts::result {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

std::string excerpt(std::string_view s, std::size_t n = 40) {
    return s.size() <= n ? std::string(s) : std::string(s.substr(0, n)) + "...";
}

std::string shown(element e) { return excerpt(simdjson::minify(e)); }

[[noreturn]] void bad(const std::string &why) { throw Invalid(why); }

bool find(object o, std::string_view key, element &out) {
    return o.at_key(key).get(out) == simdjson::SUCCESS;
}

element need(object o, std::string_view key, const char *where = "") {
    element e;
    if (!find(o, key, e))
        bad(std::string("missing key '") + where + std::string(key) + "'");
    return e;
}

object need_object(element e, const std::string &where) {
    object o;
    if (e.get(o) != simdjson::SUCCESS)
        bad(where + " is not an object");
    return o;
}

std::string text(element e, const std::string &where) {
    std::string_view s;
    if (e.get(s) != simdjson::SUCCESS)
        bad(where + " is not a string: " + shown(e));
    return std::string(s);
}

std::string text(object o, std::string_view key, const std::string &fallback, bool required) {
    element e;
    if (!find(o, key, e)) {
        if (required)
            bad("missing key '" + std::string(key) + "'");
        return fallback;
    }
    return text(e, "'" + std::string(key) + "'");
}

double number(element e, const std::string &where) {
    if (e.is_null())
        return NAN;
    double d;
    if (e.get(d) != simdjson::SUCCESS)
        bad(where + " holds " + shown(e) + ", not a number");
    return d;
}

std::vector<double> numbers(element e, const std::string &where) {
    simdjson::dom::array a;
    if (e.get(a) != simdjson::SUCCESS)
        bad(where + " is not an array");
    std::vector<double> out;
    out.reserve(a.size());
    for (element x : a)
        out.push_back(number(x, where));
    return out;
}

std::vector<std::string> strings(element e, const std::string &where) {
    simdjson::dom::array a;
    if (e.get(a) != simdjson::SUCCESS)
        bad(where + " is not an array");
    std::vector<std::string> out;
    out.reserve(a.size());
    for (element x : a) {
        std::string_view s;
        if (x.get(s) != simdjson::SUCCESS)
            bad(where + " holds " + shown(x) + ", not a string");
        out.emplace_back(s);
    }
    return out;
}

nlohmann::json any(element e) { return nlohmann::json::parse(simdjson::minify(e)); }

int integer(object o, std::string_view key, const char *where, long lo, long hi) {
    element e = need(o, key, where);
    int64_t v;
    if (e.get(v) != simdjson::SUCCESS || v < lo || v > hi)
        bad(std::string(where) + std::string(key) + " is not an integer from " + std::to_string(lo) +
            " to " + std::to_string(hi) + ": " + shown(e));
    return static_cast<int>(v);
}

// `all`: every key is required; otherwise the ones left out keep their defaults.
void read_audio(object o, Audio &a, bool all) {
    element e;
    auto has = [&](std::string_view key) {
        if (find(o, key, e))
            return true;
        if (all)
            bad("missing key 'audio." + std::string(key) + "'");
        return false;
    };
    if (has("source"))
        a.source = e.is_null() ? "" : text(e, "audio.source");
    if (has("sha1"))
        a.sha1 = e.is_null() ? "" : text(e, "audio.sha1");
    if (has("rate"))
        a.rate = integer(o, "rate", "audio.", 0, 1 << 30);
    if (has("channels"))
        a.channels = integer(o, "channels", "audio.", 0, 1 << 16);
    if (has("start"))
        a.start = number(e, "audio.start");
    if (has("duration"))
        a.duration = number(e, "audio.duration");
    if (has("mix"))
        a.mix = text(e, "audio.mix");
    if (find(o, "channel", e))
        a.channel = integer(o, "channel", "audio.", 0, 1 << 16);
}

Result convert(element root, Strictness strictness) {
    const bool full = strictness == Strictness::full;
    object j;
    if (root.get(j) != simdjson::SUCCESS)
        bad("not a JSON object");
    element schema = need(j, "schema");
    std::string_view sv;
    if (schema.get(sv) != simdjson::SUCCESS || sv != result::schema)
        bad("schema is " + shown(schema) + ", not \"" + result::schema + "\"");
    Result r;
    r.id = text(j, "id", "", true);
    if (r.id.empty())
        bad("empty id");
    r.analyzer = text(j, "analyzer", r.id.substr(0, r.id.find('.')), full);
    r.name = text(j, "name", r.id, full);
    r.unit = text(j, "unit", "", full);
    r.description = text(j, "description", "", full);
    const std::string tm = text(j, "time_mode", "", true), dm = text(j, "data_mode", "", true);
    if (auto m = result::parse_time_mode(tm))
        r.time_mode = *m;
    else
        bad("time_mode '" + excerpt(tm) + "' is not " + result::time_mode_choices);
    if (auto m = result::parse_data_mode(dm))
        r.data_mode = *m;
    else
        bad("data_mode '" + excerpt(dm) + "' is not " + result::data_mode_choices);
    element e;
    if (find(j, "params", e)) {
        need_object(e, "params");
        r.params = any(e);
    } else if (full) {
        bad("missing key 'params'");
    }
    if (find(j, "audio", e))
        read_audio(need_object(e, "audio"), r.audio, strictness != Strictness::data);
    else if (full)
        bad("missing key 'audio'");
    if (find(j, "producer", e)) {
        object p = need_object(e, "producer");
        r.tool = text(p, "tool", "", full);
        r.version = text(p, "version", "", full);
    } else if (full) {
        bad("missing key 'producer'");
    }
    if (r.time_mode == TimeMode::framewise) {
        object f = need_object(need(j, "frames"), "frames");
        r.frames = Framing{integer(f, "rate", "frames.", 1, 1 << 30),
                           integer(f, "block", "frames.", 1, 1 << 30),
                           integer(f, "step", "frames.", 1, 1 << 30)};
    }
    object data = need_object(need(j, "data"), "data");
    auto has = [&](const char *key) { return find(data, key, e); };
    auto same_length = [&](std::size_t n, std::size_t m, const char *key) {
        if (n != m)
            bad(std::string("data.") + key + " has " + std::to_string(m) + " entries, data.time " +
                std::to_string(n));
    };
    std::vector<std::string_view> known;
    switch (r.time_mode) {
    case TimeMode::global:
        if (r.data_mode == DataMode::label) {
            r.labels = {text(need(data, "label", "data."), "data.label")};
            known = {"label"};
        } else {
            element v = need(data, "value", "data.");
            if (v.is_array()) {
                r.value = numbers(v, "data.value");
            } else {
                r.value = {number(v, "data.value")};
                r.scalar = true;
            }
            known = {"value"};
        }
        break;
    case TimeMode::framewise: {
        simdjson::dom::array rows;
        if (need(data, "value", "data.").get(rows) != simdjson::SUCCESS)
            bad("data.value is not an array");
        const std::size_t n = rows.size();
        bool matrix = false;
        std::size_t i = 0;
        for (element row : rows) {
            if (i == 0) {
                matrix = row.is_array();
                r.width = matrix ? simdjson::dom::array(row).size() : 1;
                if (r.width == 0)
                    bad("data.value holds empty rows");
                r.series.reserve(n * r.width);
            }
            if (row.is_array() != matrix)
                bad("data.value rows are not all arrays of the same length (frame " +
                    std::to_string(i) + ")");
            if (matrix) {
                simdjson::dom::array a = row;
                if (a.size() != r.width)
                    bad("data.value rows are not all arrays of the same length (frame " +
                        std::to_string(i) + " has " + std::to_string(a.size()) + ", frame 0 " +
                        std::to_string(r.width) + ")");
                for (element x : a)
                    r.series.push_back(static_cast<float>(number(x, "data.value")));
            } else {
                r.series.push_back(static_cast<float>(number(row, "data.value")));
            }
            ++i;
        }
        if (has("y")) {
            r.y = numbers(e, "data.y");
            if (matrix && r.y.size() != r.width)
                bad("data.y has " + std::to_string(r.y.size()) + " entries, the rows " +
                    std::to_string(r.width));
        }
        known = {"value", "y"};
        break;
    }
    case TimeMode::event:
    case TimeMode::segment: {
        r.time = numbers(need(data, "time", "data."), "data.time");
        const std::size_t n = r.time.size();
        if (r.time_mode == TimeMode::segment) {
            r.duration = numbers(need(data, "duration", "data."), "data.duration");
            same_length(n, r.duration.size(), "duration");
        }
        if (has("value")) {
            r.value = numbers(e, "data.value");
            same_length(n, r.value.size(), "value");
        }
        if (has("label")) {
            r.labels = strings(e, "data.label");
            same_length(n, r.labels.size(), "label");
        }
        if (has("confidence")) {
            r.confidence = numbers(e, "data.confidence");
            same_length(n, r.confidence.size(), "confidence");
        }
        if (r.data_mode == DataMode::label && !has("label"))
            bad("missing key 'data.label' (data_mode label)");
        if (r.time_mode == TimeMode::segment && r.data_mode == DataMode::value && !has("value"))
            bad("missing key 'data.value' (a segment with data_mode value)");
        known = {"time", "duration", "value", "label", "confidence"};
        break;
    }
    }
    for (auto [key, value] : data) {
        bool k = false;
        for (auto n : known)
            k = k || n == key;
        if (!k)
            r.extra[std::string(key)] = any(value);
    }
    return r;
}

} // namespace

struct Parser::Impl {
    simdjson::dom::parser parser;
    std::string copy;
};

Parser::Parser() : impl_(std::make_unique<Impl>()) {}
Parser::~Parser() = default;

std::size_t Parser::padding() { return simdjson::SIMDJSON_PADDING; }

static element parse_text(simdjson::dom::parser &parser, std::string &copy, std::string_view text,
                          bool padded) {
    const char *p = text.data();
    if (!padded) {
        copy.assign(text);
        copy.resize(text.size() + simdjson::SIMDJSON_PADDING);
        p = copy.data();
    }
    element root;
    if (auto err = parser.parse(p, text.size(), false).get(root))
        throw Invalid(std::string("not valid JSON: ") + simdjson::error_message(err));
    return root;
}

Result Parser::parse(std::string_view text, Strictness strictness, bool padded) {
    return convert(parse_text(impl_->parser, impl_->copy, text, padded), strictness);
}

void Parser::parse_document(std::string_view text, const std::function<void(Result &&)> &emit,
                            Strictness strictness) {
    element root = parse_text(impl_->parser, impl_->copy, text, false);
    simdjson::dom::array list;
    if (root.get(list) != simdjson::SUCCESS) {
        object o;
        element e;
        if (root.get(o) != simdjson::SUCCESS || !find(o, "results", e) || e.get(list) != simdjson::SUCCESS)
            throw Invalid("neither an array of results nor an object with a \"results\" array");
    }
    std::size_t i = 0;
    for (element e : list) {
        try {
            emit(convert(e, strictness));
        } catch (const Invalid &x) {
            throw Invalid("results[" + std::to_string(i) + "]: " + x.what());
        }
        ++i;
    }
}

JsonlReader::JsonlReader(const std::string &path, Strictness strictness)
    : name_(path == "-" ? "stdin" : path), strictness_(strictness) {
    if (path == "-") {
        io::hint_terminal_stdin("results");
        file_ = stdin;
    } else {
        file_ = std::fopen(path.c_str(), "rb");
        if (!file_)
            throw Error(path + ": " + std::strerror(errno));
        own_ = true;
    }
}

JsonlReader::~JsonlReader() {
    if (own_ && file_)
        std::fclose(file_);
}

bool JsonlReader::read_line() {
    len_ = 0;
    const std::size_t pad = Parser::padding();
    if (buf_.size() < 65536 + pad)
        buf_.resize(65536 + pad);
    for (;;) {
        if (!std::fgets(buf_.data() + len_, static_cast<int>(std::min<std::size_t>(
                                                   buf_.size() - len_ - pad, 1u << 30)),
                        file_)) {
            if (std::ferror(file_))
                throw Error(name_ + ": " + std::strerror(errno));
            return len_ > 0;
        }
        len_ += std::strlen(buf_.data() + len_);
        if (len_ && buf_[len_ - 1] == '\n')
            return true;
        if (std::feof(file_))
            return true;
        if (buf_.size() - len_ - pad < 2)
            buf_.resize(buf_.size() * 2);
    }
}

bool JsonlReader::next(Result &r) {
    for (;;) {
        if (!read_line())
            return false;
        ++line_;
        bytes_ += len_;
        std::size_t n = len_;
        while (n && (buf_[n - 1] == '\n' || buf_[n - 1] == '\r' || buf_[n - 1] == ' ' || buf_[n - 1] == '\t'))
            --n;
        std::size_t b = 0;
        while (b < n && (buf_[b] == ' ' || buf_[b] == '\t'))
            ++b;
        if (b == n)
            continue;
        if (std::memchr(buf_.data() + b, '\0', n - b))
            throw Error(name_ + ": line " + std::to_string(line_) + ": holds a NUL byte (not JSON text)");
        try {
            r = parser_.parse(std::string_view(buf_.data() + b, n - b), strictness_, true);
        } catch (const Invalid &e) {
            throw Error(name_ + ": line " + std::to_string(line_) + ": " + e.what());
        }
        return true;
    }
}

} // namespace ts::result
