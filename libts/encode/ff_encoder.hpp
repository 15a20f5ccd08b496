// An FFmpeg encoder and muxer fed with interleaved float frames, writing into an io::Output:
// the media module's side of encode/encoder.hpp.
#pragma once

#include "encode/encoder.hpp"
#include "encode/format.hpp"
#include "io/output.hpp"
#include "pcm/header.hpp"

#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <vector>

struct AVCodec;
struct AVFormatContext;
struct AVCodecContext;
struct AVStream;
struct AVAudioFifo;
struct AVFrame;
struct AVPacket;
struct AVIOContext;

namespace ts::encode {

// encoder.hpp's supported_rate, check and Encoder, inside the media module.
int ff_supported_rate(const Format &format, int rate);

void ff_check(const Settings &settings, int channels, bool streaming);

class FfEncoder {
  public:
    // `name` names the output in messages. The output must be seekable unless the format
    // is streamable (check() says so first).
    FfEncoder(io::Output &out, const Settings &settings, int rate, int channels,
              const std::string &name);
    ~FfEncoder();
    FfEncoder(const FfEncoder &) = delete;
    FfEncoder &operator=(const FfEncoder &) = delete;

    void write(const float *frames, std::size_t count);
    // Flushes the encoder and writes the trailer; the caller then commits the output.
    void finish();

    std::int64_t frames_written() const { return next_pts_; }
    // For --verbose: "libmp3lame VBR q2 at 44100 Hz, 2 channels".
    std::string describe() const;

  private:
    // The constructor's steps, in order.
    void open_muxer(const Format &f, bool seekable, std::int64_t frames);
    void setup_codec(const AVCodec *codec, const Settings &s, int rate, int bits);
    void setup_rate_control(const Settings &s, int rate, int bits);
    void open_stream(const AVCodec *codec, const Settings &s);
    void write_header(const Format &f, bool seekable);
    void make_buffers(const AVCodec *codec);

    void send(AVFrame *frame);
    void fail(int code, const std::string &what);
    void rethrow_io();
    static int write_cb(void *opaque, std::uint8_t *buf, int size); // FFmpeg 5.1: not const
    static std::int64_t seek_cb(void *opaque, std::int64_t offset, int whence);
    void write_pipe(const std::uint8_t *buf, std::size_t size);
    void send_pipe(const std::uint8_t *buf, std::size_t size);
    bool patch_xing();

    io::Output &out_;
    std::string name_;
    std::string described_;
    int channels_;
    int sample_fmt_ = -1;
    int bits_ = 0; // integer precision of the samples handed to the codec (0: float)
    AVFormatContext *fmt_ = nullptr;
    AVIOContext *avio_ = nullptr;
    AVCodecContext *ctx_ = nullptr;
    AVStream *st_ = nullptr;
    AVAudioFifo *fifo_ = nullptr;
    AVFrame *frame_ = nullptr;
    AVPacket *packet_ = nullptr;
    int frame_size_ = 0;
    std::int64_t next_pts_ = 0;
    std::exception_ptr io_error_;
    std::vector<std::uint8_t> planes_; // converted samples, one block
    // An mp3 on a pipe: the muxer is told the output is seekable, so that it writes its
    // Xing/LAME frame; pos_ is where it thinks it writes, end_ how much the pipe got. The
    // first bytes wait in head_ until the frame is complete and patched (patch_xing).
    bool mp3_pipe_ = false;
    bool head_done_ = true;
    std::vector<std::uint8_t> head_;
    std::int64_t pos_ = 0;
    std::int64_t end_ = 0;
    std::int64_t expected_ = -1;     // Settings::frames
    std::int64_t lame_frames_ = -1;  // the frame count put in the LAME header
    std::int64_t packets_ = 0;
};

} // namespace ts::encode
