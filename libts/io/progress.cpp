// Progress bar: redrawn at most 10 times a second, erased when done; into a file or a
// pipe (--progress with stderr not a terminal), plain lines instead.
#include "io/progress.hpp"

#include <algorithm>
#include <cstdio>
#include <unistd.h>

namespace ts::io {

Progress::Progress(std::string label, std::int64_t total, bool enabled)
    : label_(std::move(label)), total_(total), enabled_(enabled),
      last_(std::chrono::steady_clock::now()), tty_(enabled && isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() { finish(); }

void Progress::update(std::int64_t done) {
    if (!enabled_)
        return;
    if (!tty_) {
        log_line(done);
        return;
    }
    auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_ < std::chrono::milliseconds(100))
        return;
    last_ = now;
    draw(done);
}

void Progress::draw(std::int64_t done) {
    char line[160];
    if (total_ > 0) {
        double f = std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
        int width = 30, fill = static_cast<int>(f * width);
        std::string bar(static_cast<std::size_t>(fill), '#');
        bar.resize(static_cast<std::size_t>(width), '.');
        std::snprintf(line, sizeof line, "\r%s [%s] %3d%%", label_.c_str(), bar.c_str(),
                      static_cast<int>(f * 100));
    } else {
        std::snprintf(line, sizeof line, "\r%s %lld frames", label_.c_str(),
                      static_cast<long long>(done));
    }
    std::fputs(line, stderr);
    drawn_ = true;
}

// A line at every tenth of a known total, or every 10 s with the count: a log that a person
// or a program can read, without carriage returns or escapes.
void Progress::log_line(std::int64_t done) {
    auto now = std::chrono::steady_clock::now();
    if (total_ > 0) {
        const int tenth = static_cast<int>(
            std::min<std::int64_t>(10, done * 10 / std::max<std::int64_t>(1, total_)));
        if (tenth <= logged_)
            return;
        logged_ = tenth;
        std::fprintf(stderr, "%s: %d%%\n", label_.c_str(), tenth * 10);
    } else {
        if (now - last_ < std::chrono::seconds(10))
            return;
        last_ = now;
        std::fprintf(stderr, "%s: %lld frames\n", label_.c_str(), static_cast<long long>(done));
    }
}

void Progress::finish() {
    if (drawn_) {
        std::fputs("\r\033[K", stderr);
        drawn_ = false;
    }
    enabled_ = false;
}

} // namespace ts::io
