// Reading ts-result JSON (man/ts-result.5) back into the Result model, with simdjson.
#pragma once

#include "result/result.hpp"

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ts::result {

// A JSON text that is not a valid ts-result; what() says why ("missing key 'id'").
class Invalid : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// How strict parsing is. `program` is the exec: analyzers' rule: analyzer, name, unit,
// description, params, audio, frames and producer may be left out (analyzer defaults to
// the id up to its first '.', name to the id). `data` is for readers that only need the data
// (ts-graph plot): as `program`, and inside audio every key may be left out too (start and
// duration 0). `full` (ts-serialize) wants every key of the schema. All check types, modes,
// array lengths and nesting (at most 1024 levels) alike.
enum class Strictness { data, program, full };

class Parser {
  public:
    Parser();
    ~Parser();
    Parser(const Parser &) = delete;
    Parser &operator=(const Parser &) = delete;

    // Parses one JSON object. `text` must be followed by at least padding() readable bytes
    // (their content does not matter) when `padded`; otherwise it is copied first.
    // Throws Invalid.
    Result parse(std::string_view text, Strictness strictness = Strictness::full, bool padded = false);

    // Parses a JSON document holding an array of results, or an object whose "results" key
    // holds one; emit is called with each. Throws Invalid naming the result's index.
    void parse_document(std::string_view text, const std::function<void(Result &&)> &emit,
                        Strictness strictness = Strictness::full);

    static std::size_t padding();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Reads ts-result JSON Lines from a file or "-" (stdin), one line at a time: memory holds one
// line. Blank lines are skipped. Errors throw ts::Error "NAME: line N: why".
class JsonlReader {
  public:
    explicit JsonlReader(const std::string &path, Strictness strictness = Strictness::full);
    ~JsonlReader();
    JsonlReader(const JsonlReader &) = delete;
    JsonlReader &operator=(const JsonlReader &) = delete;

    bool next(Result &r); // false at the end
    std::size_t line() const { return line_; }
    std::uint64_t bytes() const { return bytes_; }
    const std::string &name() const { return name_; }

  private:
    bool read_line();

    std::string name_;
    std::FILE *file_ = nullptr;
    bool own_ = false;
    std::string buf_;       // one line, with simdjson's padding after it
    std::size_t len_ = 0;
    std::size_t line_ = 0;
    std::uint64_t bytes_ = 0;
    Strictness strictness_;
    Parser parser_;
};

} // namespace ts::result
