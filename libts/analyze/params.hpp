// Analyzer parameters: declared with type, default, range and choices; set with -p.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace ts::analyze {

enum class ParamType { integer, number, boolean, choice, list, text };

struct ParamSpec {
    std::string key;
    ParamType type = ParamType::number;
    std::string default_value;        // as it would be written after -p name.key=
    double min = 0, max = 0;          // for integer and number (inclusive)
    std::vector<std::string> choices; // for choice, and the allowed items of a list
    std::string description;
};

const char *param_type_name(ParamType t);

// The values of one analyzer's parameters: every declared key, defaults filled in.
class Params {
  public:
    Params() = default;
    // Validates `given` (key → text) against specs; a problem throws ts::UsageError naming
    // "analyzer.key" and what is allowed, with "did you mean" for a near-miss key.
    Params(const std::string &analyzer, const std::vector<ParamSpec> &specs,
           const std::map<std::string, std::string> &given);

    long integer(const std::string &key) const;
    double number(const std::string &key) const;
    bool boolean(const std::string &key) const;
    const std::string &text(const std::string &key) const; // choice and text
    std::vector<std::string> list(const std::string &key) const;

    // Every parameter with its typed value, for a result's "params".
    const nlohmann::json &json() const { return json_; }

  private:
    nlohmann::json json_ = nlohmann::json::object();
    std::map<std::string, std::string> text_;
};

// The closest of `candidates` to `word` when it is a plausible typo, else "".
std::string did_you_mean(const std::string &word, const std::vector<std::string> &candidates);

} // namespace ts::analyze
