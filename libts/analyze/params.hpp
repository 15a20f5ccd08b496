// Analyzer parameters: declared with type, default, range and choices; set with -p.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ts::analyze {

enum class ParamType { integer, number, boolean, choice, list, text };

struct ParamSpec {
    ParamSpec() = default;
    // The usual declaration, {key, type, default, min, max, choices, description}: a
    // constructor rather than an aggregate, so that the members after it need no initializer.
    ParamSpec(std::string key_, ParamType type_, std::string default_value_, double min_,
              double max_, std::vector<std::string> choices_, std::string description_)
        : key(std::move(key_)), type(type_), default_value(std::move(default_value_)), min(min_),
          max(max_), choices(std::move(choices_)), description(std::move(description_)) {}

    std::string key;
    ParamType type = ParamType::number;
    std::string default_value;        // as it would be written after -p name.key=
    double min = 0, max = 0;          // for integer and number (inclusive)
    std::vector<std::string> choices; // for choice, and the allowed items of a list
    std::string description;
    // A default that depends on the value of an earlier parameter (default_from, a key of
    // the same analyzer): a parameter not given takes the default listed for that value in
    // defaults_by, or default_value for a value not listed. default_value is then the one
    // that goes with the other parameter's own default.
    std::string default_from;
    std::vector<std::pair<std::string, std::string>> defaults_by; // (value, default)
};

// The default of `spec` when the parameter it depends on has the value `from_value` (its
// default_value when it depends on none, or the value is not listed).
const std::string &default_for(const ParamSpec &spec, const std::string &from_value);

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
