// Option groups shared by several tools, declared once so they read the same everywhere.
#pragma once

#include "pcm/raw.hpp"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace ts::cli {

// Headerless input: --input-raw with its rate, channels and sample format (pcm/raw.hpp).
using RawInput = pcm::RawInput;
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
