// External programs as analyzers: "-a exec:PROGRAM [ARGS]" pipes the audio as TSPCM to the
// program's stdin and merges the ts-result lines it prints on stdout.
#pragma once

#include "analyze/analyzer.hpp"

#include <memory>
#include <string>
#include <vector>

namespace ts::analyze::exec {

// True for an analyzer name that starts with "exec:".
bool is_exec(const std::string &name);

// Splits a command into words: blanks separate, '...' keeps everything literally, "..."
// keeps blanks and takes \" and \\, a backslash outside quotes escapes the next character.
// No shell is involved. An unterminated quote or an empty command is a usage error.
std::vector<std::string> split_command(const std::string &command);

// The definition for "exec:COMMAND" (COMMAND is the text after "exec:", verbatim).
std::shared_ptr<const Definition> definition(const std::string &command);

// Parses one ts-result line printed by a program into a result; throws ts::Error saying what
// is wrong (not JSON, a missing or mistyped key, arrays of different lengths).
result::Result parse_line(const std::string &line);

// The manual's paragraph on exec: analyzers: what the program gets, what it must print.
extern const char *const about;

} // namespace ts::analyze::exec
