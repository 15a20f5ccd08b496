// stderr messages; colour only on a terminal and never with NO_COLOR.
#include "core/log.hpp"

#include <algorithm>
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

// One line of printable text: control bytes (a newline from a header value, HDF5's
// multi-line reports, ESC and CR that would drive the terminal) written as \n, \r, \t or
// \xHH, and the whole cut at max_message bytes (on a UTF-8 boundary), saying how much went.
constexpr std::size_t max_message = 2000;

std::string one_line(const std::string &message) {
    std::string out;
    out.reserve(std::min(message.size(), max_message) + 16);
    std::size_t i = 0;
    for (; i < message.size() && out.size() < max_message; ++i) {
        const auto c = static_cast<unsigned char>(message[i]);
        if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\t')
            out += "\\t";
        else if (c < 0x20 || c == 0x7f) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        } else
            out += static_cast<char>(c);
    }
    if (i < message.size()) {
        while (i > 0 && (static_cast<unsigned char>(message[i]) & 0xc0) == 0x80) {
            --i; // back to the start of a UTF-8 sequence
            out.pop_back();
        }
        out += "... (" + std::to_string(message.size() - i) + " more bytes)";
    }
    return out;
}

void emit(const char *kind, const char *colour, const std::string &message) {
    std::string line = state().tool + ": ";
    if (kind != nullptr) {
        if (use_colour())
            line += std::string(colour) + kind + "\033[0m: ";
        else
            line += std::string(kind) + ": ";
    }
    line += one_line(message);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
}
} // namespace

void set_tool(const std::string &name) { state().tool = name; }
const std::string &tool() { return state().tool; }
void set_level(Level level) { state().level = level; }
Level level() { return state().level; }

void error(const std::string &message) { emit("error", "\033[1;31m", message); }
void error(const Error &e) {
    error(e.what());
    const std::string &d = e.detail();
    for (std::size_t pos = 0; pos < d.size();) {
        auto nl = d.find('\n', pos);
        if (nl == std::string::npos)
            nl = d.size();
        const std::string line = one_line(d.substr(pos, nl - pos)) + "\n";
        std::fwrite(line.data(), 1, line.size(), stderr);
        pos = nl + 1;
    }
}
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
