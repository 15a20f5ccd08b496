// Encoding interleaved float frames into an io::Output with FFmpeg's encoders and muxers,
// which live in the media module (ff_encoder.cpp): ts-transcode starts without loading them.
#pragma once

#include "encode/format.hpp"
#include "io/output.hpp"
#include "pcm/header.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace ts::encode {

struct Settings {
    const Format *format = nullptr;
    int bitrate = 0;               // bits/s; 0: the format's default (CBR when given)
    std::optional<double> quality; // VBR quality on the codec's own scale
    int bits = 0;                  // lossless sample size: 16, 24 or 32 (float, wav); 0: default
    pcm::KeyValues tags;           // written into the container
    // The input's length in frames at the encoder's rate, when known before the end (-1: not
    // known): an mp3 on a pipe then gets the frame count and end padding in its LAME header.
    std::int64_t frames = -1;
    // The integer sample size of the (shaped) source, 0 for float or lossy: a lossy encoder
    // that takes 16-bit samples (libmp3lame, libopus) gets a 16-bit source's samples as
    // they are, as ffmpeg gives them (libmp3lame is faster so than with float).
    int source_bits = 0;
};

// The sample rate the format's encoder will take for audio at `rate`: rate itself when
// supported, else the nearest supported rate above it (or the highest).
int supported_rate(const Format &format, int rate);

// Checks a request against the format before any output is made: usage errors (exit 2)
// for --quality or --bitrate where the codec takes none, values out of range, a bit depth
// the container does not hold, too many channels, or a stream the format cannot write.
void check(const Settings &settings, int channels, bool streaming);

class Encoder {
  public:
    // `name` names the output in messages. The output must be seekable unless the format
    // is streamable (check() says so first).
    Encoder(io::Output &out, const Settings &settings, int rate, int channels,
            const std::string &name);
    ~Encoder();
    Encoder(const Encoder &) = delete;
    Encoder &operator=(const Encoder &) = delete;

    void write(const float *frames, std::size_t count);
    // Flushes the encoder and writes the trailer; the caller then commits the output.
    void finish();

    std::int64_t frames_written() const;
    // For --verbose: "libmp3lame VBR q2 at 44100 Hz, 2 channels".
    std::string describe() const;

  private:
    void *impl_; // the module's FfEncoder
};

} // namespace ts::encode
