// Audio files (wav, flac, aiff, ogg) written through libsndfile into an atomic Output.
#pragma once

#include "io/output.hpp"

#include <cstdint>
#include <string>
#include <vector>

typedef struct sf_private_tag SNDFILE;

namespace ts::io {

// True when PATH ends (in any case) with an extension SndfileWriter writes:
// .wav .flac .aiff .aif .ogg.
bool is_sound_file(const std::string &path);

// Writes an audio file, its container chosen by the extension of out's path, into out's
// temporary file; the caller commits out after finish(), so the file appears only when whole.
// Samples: 16-bit PCM by default; with float_samples, 32-bit float in wav and aiff (AIFC) and
// 24-bit PCM in flac, which has no float. Ogg is Vorbis at libsndfile's default quality.
// Integer samples are round(x · 32768) clipped, the inverse of FFmpeg's x / 32768, so a file
// decodes back to the float samples within half a step. A wav whose data may pass 4 GiB (by
// `frames`, or of unknown length: frames < 0) is written as RF64, any other as plain WAV, which
// every reader takes. AIFF cannot hold more than 4 GiB and is then refused.
class SndfileWriter {
  public:
    // frames is the expected length (< 0 unknown); comment (may be empty) goes into the
    // file's comment tag; software names the writer.
    SndfileWriter(Output &out, int rate, int channels, bool float_samples, std::int64_t frames,
                  const std::string &software, const std::string &comment);
    ~SndfileWriter(); // closes without finishing: the output is then not to be committed
    SndfileWriter(const SndfileWriter &) = delete;
    SndfileWriter &operator=(const SndfileWriter &) = delete;

    void write(const float *frames, std::size_t count);
    // Completes the file (headers, last blocks). Errors throw.
    void finish();

  private:
    void fail(const std::string &what);

    Output &out_;
    SNDFILE *file_ = nullptr;
    int channels_;
    int bits_ = 0; // 16 or 24 when samples are converted here; 0 for float and Vorbis
    std::vector<std::int32_t> ints_;
    std::vector<short> shorts_;
};

} // namespace ts::io
