// One libavformat input, opened by URL, by path (seekable), or over a Reader (stdin).
#pragma once

#include "io/input.hpp"

#include <cstdint>
#include <string>
#include <utility>

struct AVFormatContext;
struct AVIOContext;

namespace ts::decode {


// The best audio stream of an opened input (av_find_best_stream), or an error naming it: "not
// a media file" when the demuxer found no stream, or only an audio stream without a rate (a
// text file whose extension chose the demuxer), else "no audio stream".
int best_audio_stream(AVFormatContext *fmt, const std::string &name);

class Demuxer {
  public:
    // `reader` is the opened stdin (read through a custom AVIOContext, seekable when it is a
    // redirected regular file), or null for a path or URL, which FFmpeg opens itself.
    Demuxer(const std::string &arg, io::Reader *reader);
    ~Demuxer();
    Demuxer(const Demuxer &) = delete;
    Demuxer &operator=(const Demuxer &) = delete;

    AVFormatContext *fmt() const { return fmt_; }
    const std::string &name() const { return name_; }

    // The index in fmt()->streams of the audio stream to use: the best one (wanted < 0) or
    // the wanted-th audio stream counted from 0 (a usage error when there is none).
    int audio_stream(int wanted) const;

    // Throws the error for an FFmpeg failure code: an interruption, the reader's own error,
    // or "NAME: WHAT: why".
    [[noreturn]] void fail(int code, const std::string &what) const;

  private:
    struct StreamIO {
        io::Reader *reader = nullptr;
        std::string error;
        bool interrupted = false;
    };
    void close();
    static int read_cb(void *opaque, unsigned char *buf, int size);
    static std::int64_t seek_cb(void *opaque, std::int64_t offset, int whence);

    std::string name_;
    StreamIO io_;
    AVIOContext *avio_ = nullptr;
    AVFormatContext *fmt_ = nullptr;
};

} // namespace ts::decode
