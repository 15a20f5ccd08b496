// stderr messages; colour only on a terminal and never with NO_COLOR.
#include "core/log.hpp"

#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace ts::log {
namespace {
struct State {
    std::string tool = "ts";
    Level level = Level::normal;
};
State &state() {
    static State s;
    return s;
}

bool use_colour() {
    static const bool colour = isatty(STDERR_FILENO) && std::getenv("NO_COLOR") == nullptr;
    return colour;
}

void emit(const char *kind, const char *colour, const std::string &message) {
    std::string line = state().tool + ": ";
    if (kind != nullptr) {
        if (use_colour())
            line += std::string(colour) + kind + "\033[0m: ";
        else
            line += std::string(kind) + ": ";
    }
    line += message;
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
}
} // namespace

void set_tool(const std::string &name) { state().tool = name; }
const std::string &tool() { return state().tool; }
void set_level(Level level) { state().level = level; }
Level level() { return state().level; }

void error(const std::string &message) { emit("error", "\033[1;31m", message); }
void warning(const std::string &message) {
    if (state().level != Level::quiet)
        emit("warning", "\033[1;33m", message);
}
void info(const std::string &message) {
    if (state().level != Level::quiet)
        emit(nullptr, "", message);
}
void verbose(const std::string &message) {
    if (state().level == Level::verbose)
        emit(nullptr, "", message);
}

} // namespace ts::log
