// A source of decoded audio: interleaved float frames plus the stream's TSPCM header facts.
#pragma once

#include "pcm/raw.hpp"
#include "core/error.hpp"
#include "pcm/header.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <vector>

namespace ts::decode {

class Source {
  public:
    virtual ~Source() = default;
    // rate, channels, frames (-1 when not known before the end), start, source, sha1,
    // tags, history and unknown keys. The format field is always f32le here.
    virtual const pcm::Header &header() const = 0;
    // Up to max_frames interleaved frames into dst; 0 only at the end. Errors (corrupt or
    // truncated input) throw ts::Error naming the input.
    virtual std::size_t read(float *dst, std::size_t max_frames) = 0;
    // For messages: "stdin" or the argument.
    virtual const std::string &name() const = 0;
    // The input file's sha1: header().sha1, or, when it is hashed in the background
    // (OpenOptions::sha1_background), the hash once done (waits for it; throws its error).
    virtual std::string sha1() { return header().sha1; }
    // The sample size of an integer source (PCM, FLAC, ALAC, WavPack, a TSPCM s16le stream)
    // in bits; 0 for float, lossy or unknown sources.
    virtual int bits() const { return 0; }
    // Moves `frames` frames ahead without decoding them, when the source can do so exactly
    // (the frames read next are those a read of `frames` frames would have been followed
    // by): true if done. False leaves the source unchanged, to be read through. Only before
    // the end; the WAV and FLAC readers seek their file.
    virtual bool skip(std::int64_t frames) {
        (void)frames;
        return false;
    }
};

struct OpenOptions {
    pcm::RawInput raw;   // headerless input
    int stream = -1;     // which audio stream of a media file (-1: the best one)
    bool sha1 = true;    // hash a regular file's bytes into the header
    // Hash on a thread of its own while decoding; header().sha1 stays empty and sha1()
    // gives the hash at the end (for tools that write it after the audio: ts-analyze).
    // Files under 1 MiB are hashed at once: starting the thread would cost more.
    bool sha1_background = false;
};

// A source's SHA-1 of its input file, per OpenOptions: none, at once, or on a thread of its
// own (sha1_background; files under 1 MiB are hashed at once all the same: starting the
// thread would cost more).
class FileHash {
  public:
    FileHash() = default;
    ~FileHash(); // an early end: stops the hash and waits for its thread
    FileHash(const FileHash &) = delete;
    FileHash &operator=(const FileHash &) = delete;
    // Hashes `path`, into header_sha1 when done at once.
    void start(const std::string &path, const OpenOptions &options, std::string &header_sha1);
    // The hash: waits for the thread if there is one (and rethrows its error).
    std::string get(const std::string &header_sha1);

  private:
    std::atomic<bool> stop_{false};
    std::future<std::string> hashing_;
};

// A time for messages: "12.345 s".
std::string seconds(double s);

// The error of an input whose audio ends before the frame count its container declares.
Error truncated(const std::string &name, std::int64_t declared, std::int64_t held);

// A container's tag name as a TSPCM tag key: lower case, characters other than [a-z0-9_.-]
// as '_' (every reader names tags so).
std::string tag_key(const std::string &name);

// Whether the native readers (WAV, FLAC) may serve: false when TS_DECODE_NATIVE=0 sends every
// input to FFmpeg.
bool native_readers();

// Opens "-", a path or a URL: a TSPCM stream (recognised by its magic), headerless PCM
// (with options.raw), or anything FFmpeg can demux and decode.
std::unique_ptr<Source> open(const std::string &input, const OpenOptions &options);

// What to do to the audio on the way out.
struct Shape {
    int rate = 0;          // 0: keep; otherwise resample (libswresample, soxr when present)
    int channels = 0;      // 0: keep; 1: the mean of all channels; from 1: copies;
                           // 2 from a surround layout: the ITU downmix
    double start = 0.0;    // seconds to skip, counted at the output rate
    double duration = -1;  // seconds to keep (exactly round(duration * rate) frames)
};

// Wraps a source with mixing, resampling and trimming as asked. Impossible requests
// (--start past the end when the length is known, a channel mapping with no rule) throw.
std::unique_ptr<Source> shape(std::unique_ptr<Source> source, const Shape &shape);

// The 2 x N gains (left row, then right) of the ITU-R BS.775 stereo downmix of these
// speakers (pcm::Speaker), as `ffmpeg -ac 2` mixes them; empty when no speaker is heard.
std::vector<float> stereo_downmix(const std::vector<int> &speakers);

} // namespace ts::decode
