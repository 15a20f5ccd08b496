// FFmpeg's error codes and log as text.
#include "ffmpeg/log.hpp"

#include "core/log.hpp"

extern "C" {
#include <libavutil/error.h>
#include <libavutil/log.h>
}

#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <utility>

namespace ts::ffmpeg {
namespace {

// The last error FFmpeg logged: its encoders say why they refuse a setting ("655350 Hz not
// supported") only in the log, returning a bare EINVAL. Not thread_local: dynamic TLS in a
// dlopen'ed module crashes LeakSanitizer's exit scan (glibc 2.36), so a mutex guards it.
std::mutex last_error_mutex;
std::string last_error;

void log_callback(void *, int level, const char *fmt, va_list args) {
    if (level > AV_LOG_WARNING)
        return;
    char line[1024];
    std::vsnprintf(line, sizeof line, fmt, args);
    std::string s = line;
    while (!s.empty() && s.back() == '\n')
        s.pop_back();
    if (level <= AV_LOG_ERROR && !s.empty()) {
        std::lock_guard lock(last_error_mutex);
        last_error = s;
    }
    if (!s.empty() && log::level() == log::Level::verbose)
        log::verbose("ffmpeg: " + s);
}

} // namespace

std::string av_error(int code) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(code, buf, sizeof buf);
    return buf;
}

void quiet_logs() { av_log_set_callback(log_callback); }

std::string take_error() {
    std::lock_guard lock(last_error_mutex);
    return std::exchange(last_error, {});
}

} // namespace ts::ffmpeg
