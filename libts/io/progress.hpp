// A progress bar on stderr, drawn only when asked to (a terminal, or --progress); plain
// lines at each tenth when stderr is not a terminal.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ts::io {

class Progress {
  public:
    // total < 0 means unknown (the bar shows a count instead of a percentage).
    Progress(std::string label, std::int64_t total, bool enabled);
    ~Progress();
    void update(std::int64_t done);
    void finish();

  private:
    void draw(std::int64_t done);
    void log_line(std::int64_t done);
    std::string label_;
    std::int64_t total_;
    bool enabled_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point last_;
    bool tty_;       // stderr is a terminal: a bar redrawn in place
    int logged_ = 0; // tenths of the total logged so far (not a terminal)
};

} // namespace ts::io
