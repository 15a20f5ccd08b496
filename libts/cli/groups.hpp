// Option groups shared by several tools, declared once so they read the same everywhere.
#pragma once

#include "cli/tool.hpp"
#include "pcm/raw.hpp"

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace ts::cli {

// Headerless input: --input-raw with its rate, channels and sample format (pcm/raw.hpp).
using RawInput = pcm::RawInput;
// The options, and check_raw_input once the command line is parsed.
void add_raw_input(Tool &tool, RawInput &raw);
// The options alone, on an app or subcommand.
void add_raw_input(CLI::App &app, RawInput &raw);
// Usage error when --input-raw lacks its rate or channels, or they are set without it.
void check_raw_input(const RawInput &raw);

// -o/--output FILE, written atomically; "-" is stdout.
void add_output(CLI::App &app, std::string &path, const std::string &what);

// -q/--quiet, -v/--verbose, --progress.
struct Verbosity {
    bool quiet = false;
    bool verbose = false;
    bool progress = false;
    // Applies the level to ts::log (add_verbosity's tool does it once the command line is
    // parsed).
    void apply() const;
    // A progress bar when stderr is a terminal (unless --quiet), or when forced.
    bool progress_bar() const;
};
// The options, applied once the command line is parsed.
void add_verbosity(Tool &tool, Verbosity &v);
// The options alone.
void add_verbosity(CLI::App &app, Verbosity &v);

// Shaping of the decoded audio (ts-decode, ts-transcode): --rate, --channels, --mono, --start
// and --duration, in the "Shaping" group. `channel_rule` ends --channels' description: where
// the mapping of channels is told.
struct Shaping {
    int rate = 0;     // 0: the input's
    int channels = 0; // 0: the input's
    bool mono = false;
    double start = 0;
    std::optional<double> duration;
    int out_channels() const { return mono ? 1 : channels; }  // 0: the input's
    double length() const { return duration.value_or(-1.0); } // -1: to the end
};
void add_shaping(CLI::App &app, Shaping &shaping, const std::string &channel_rule);

template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};

// A numeric option checked against [low, high], its default shown unless it is an optional.
// The range keeps out nonsense only, and is shown in the help only with show_range: the real
// limits are stated in the description or depend on other options (a frequency below rate/2).
template <class T, class R>
CLI::Option *number(CLI::App *app, const std::string &name, T &value, const std::string &what,
                    const std::string &type, R low, R high, bool show_range = false) {
    auto *opt =
        app->add_option(name, value, what)
            ->check(show_range ? CLI::Range(low, high) : CLI::Range(low, high).description(""))
            ->type_name(type);
    if constexpr (!is_optional<T>::value)
        opt->capture_default_str();
    return opt;
}

// The names of an enumeration's values, for a choice option.
template <class E> using Choices = std::vector<std::pair<std::string, E>>;

// An option whose value is one of the names in `choices`, stored as its enum value; the
// current value is shown as the default.
template <class E>
CLI::Option *choice(CLI::App *app, const std::string &name, E &value, const Choices<E> &choices,
                    const std::string &what) {
    std::vector<std::string> names;
    std::string current;
    for (const auto &[n, v] : choices) {
        names.push_back(n);
        if (v == value)
            current = n;
    }
    return app
        ->add_option_function<std::string>(
            name,
            [&value, choices](const std::string &given) {
                for (const auto &[n, v] : choices)
                    if (n == given)
                        value = v;
            },
            what)
        ->check(CLI::IsMember(names))
        ->default_str(current);
}

// --result ID (repeatable): keep the results whose id matches one of the shell patterns
// (ts-serialize, ts-analyze). None given: every result is kept.
struct ResultSelection {
    std::vector<std::string> patterns;
    bool empty() const { return patterns.empty(); }
    bool keeps(const std::string &id) const;
    // The patterns as given on the command line, for messages: "--result a --result b*".
    std::string text() const;
};
void add_result_selection(CLI::App &app, ResultSelection &selection);

// The writers' options for ts-serialize's formats (ts-serialize, ts-analyze -f): --compact
// (json), --bits and --dat-version (dat, audiowaveform-json).
struct WriterOptions {
    bool compact = false;
    int bits = 16;
    int dat_version = 0; // 0: 1 for one channel, else 2
};
void add_writer_options(CLI::App &app, WriterOptions &w);

// --no-history.
void add_no_history(CLI::App &app, bool &no_history);

// The command line as one shell-quoted line, for the TSPCM history key.
std::string command_line(int argc, char **argv);

} // namespace ts::cli
