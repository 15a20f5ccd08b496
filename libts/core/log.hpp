// Messages on stderr in the form "tool: error: what: why".
#pragma once

#include "core/error.hpp"

#include <string>

namespace ts::log {

enum class Level { quiet, normal, verbose };

// Set once by the cli layer from --quiet/--verbose; the tool name prefixes every message.
void set_tool(const std::string &name);
const std::string &tool();
void set_level(Level level);
Level level();

// Every message is one line: control characters are escaped (\n, \x1b, ...) and a message
// longer than 2000 bytes is cut, saying how much.
void error(const std::string &message);
// An error's message, then its detail (quoted text) line by line, each escaped and cut.
void error(const Error &e);
void warning(const std::string &message);
void info(const std::string &message);    // shown unless --quiet
void verbose(const std::string &message); // shown with --verbose

} // namespace ts::log
