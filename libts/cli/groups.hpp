// Option groups shared by several tools, declared once so they read the same everywhere.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace ts::cli {

// Headerless input: --input-raw with its rate, channels and sample format.
struct RawInput {
    bool raw = false;
    int rate = 0;
    int channels = 0;
    std::string format = "f32le";
};
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
    // Applies the level to ts::log; call once after parsing.
    void apply() const;
    // A progress bar when stderr is a terminal (unless --quiet), or when forced.
    bool progress_bar() const;
};
void add_verbosity(CLI::App &app, Verbosity &v);

// --no-history.
void add_no_history(CLI::App &app, bool &no_history);

// The command line as one shell-quoted line, for the TSPCM history key.
std::string command_line(int argc, char **argv);

} // namespace ts::cli
