// FFmpeg's error codes and log, as text: shared by the media module's decode and encode sides.
#pragma once

#include <string>

namespace ts::ffmpeg {

// FFmpeg's message for an error code.
std::string av_error(int code);

// Routes FFmpeg's log to --verbose (and nowhere else), keeping the last error logged.
void quiet_logs();

// The last error FFmpeg logged, and forgets it ("" when none): the reason an
// encoder gives in its log for a bare EINVAL ("700000 Hz not supported").
std::string take_error();

} // namespace ts::ffmpeg
