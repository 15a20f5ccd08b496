// libsndfile output on the descriptor of an atomic Output's temporary file.
#include "io/sndfile_writer.hpp"

#include "core/error.hpp"

#include <sndfile.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace ts::io {
namespace {
std::string extension(const std::string &path) {
    auto slash = path.rfind('/');
    auto dot = path.rfind('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
        return {};
    std::string ext = path.substr(dot + 1);
    for (auto &c : ext)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

// The libsndfile format for an extension and sample choice, and the bits converted here.
int sndfile_format(const std::string &ext, bool float_samples, bool big, int &bits) {
    bits = 0;
    if (ext == "ogg")
        return SF_FORMAT_OGG | SF_FORMAT_VORBIS;
    int container = ext == "wav"    ? (big ? SF_FORMAT_RF64 : SF_FORMAT_WAV)
                    : ext == "flac" ? SF_FORMAT_FLAC
                                    : SF_FORMAT_AIFF;
    if (float_samples && ext != "flac")
        return container | SF_FORMAT_FLOAT;
    bits = float_samples ? 24 : 16;
    return container | (bits == 24 ? SF_FORMAT_PCM_24 : SF_FORMAT_PCM_16);
}

// The same rounding as pcm::float_to_s16 (io sits below pcm, so it is repeated here): x · 2^(b-1)
// to nearest, clipped, NaN as 0.
template <class T> void to_int(const float *in, T *out, std::size_t n, int bits, int shift) {
    const double scale = std::ldexp(1.0, bits - 1);
    for (std::size_t i = 0; i < n; ++i) {
        double v = in[i] * scale;
        v = v != v ? 0.0 : std::clamp(v, -scale, scale - 1.0);
        out[i] = static_cast<T>(static_cast<std::int32_t>(std::lrint(v)) * (1 << shift));
    }
}
} // namespace

bool is_sound_file(const std::string &path) {
    const std::string ext = extension(path);
    return ext == "wav" || ext == "flac" || ext == "aiff" || ext == "aif" || ext == "ogg";
}

SndfileWriter::SndfileWriter(Output &out, int rate, int channels, bool float_samples,
                             std::int64_t frames, const std::string &software,
                             const std::string &comment)
    : out_(out), channels_(channels) {
    if (out.is_stdout())
        throw Error("stdout: audio files are written to a named file (-o FILE.wav)");
    // 4 bytes a sample at most, and room for the header and tags under the 32-bit sizes.
    const bool big = frames < 0 || frames * channels * 4 > 0xFFFFFFFFLL - (1 << 20);
    const std::string ext = extension(out.path());
    if (big && (ext == "aiff" || ext == "aif"))
        throw Error(out.path() + ": too long for AIFF (over 4 GiB of samples); use .wav (RF64) "
                                 "or .flac");
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = channels;
    info.format = sndfile_format(ext, float_samples, big, bits_);
    if (!sf_format_check(&info))
        throw Error(out.path() + ": libsndfile cannot write " + std::to_string(channels) +
                    " channels at " + std::to_string(rate) + " Hz in this format");
    file_ = sf_open_fd(out.fd(), SFM_WRITE, &info, SF_FALSE);
    if (file_ == nullptr)
        throw Error(out.path() + ": cannot write: " + sf_strerror(nullptr));
    // A float wav's PEAK chunk holds the time of writing: leaving it out keeps files identical
    // from run to run. An RF64 file that stays under 4 GiB is turned back into a WAV.
    sf_command(file_, SFC_SET_ADD_PEAK_CHUNK, nullptr, SF_FALSE);
    sf_command(file_, SFC_RF64_AUTO_DOWNGRADE, nullptr, SF_TRUE);
    if (!software.empty())
        sf_set_string(file_, SF_STR_SOFTWARE, software.c_str());
    if (!comment.empty())
        sf_set_string(file_, SF_STR_COMMENT, comment.c_str());
}

SndfileWriter::~SndfileWriter() {
    if (file_ != nullptr)
        sf_close(file_);
}

void SndfileWriter::fail(const std::string &what) {
    std::string why = sf_strerror(file_);
    sf_close(file_);
    file_ = nullptr;
    throw Error(out_.path() + ": " + what + ": " + why);
}

void SndfileWriter::write(const float *frames, std::size_t count) {
    const auto n = static_cast<sf_count_t>(count);
    const std::size_t samples = count * static_cast<std::size_t>(channels_);
    sf_count_t done = 0;
    if (bits_ == 16) {
        shorts_.resize(samples);
        to_int(frames, shorts_.data(), samples, 16, 0);
        done = sf_writef_short(file_, shorts_.data(), n);
    } else if (bits_ == 24) {
        // libsndfile takes 24-bit samples in the top bits of an int.
        ints_.resize(samples);
        to_int(frames, ints_.data(), samples, 24, 8);
        done = sf_writef_int(file_, ints_.data(), n);
    } else {
        done = sf_writef_float(file_, frames, n);
    }
    if (done != n)
        fail("write failed");
}

void SndfileWriter::finish() {
    sf_write_sync(file_);
    int status = sf_close(file_);
    file_ = nullptr;
    if (status != 0)
        throw Error(out_.path() + ": write failed: " + sf_error_number(status));
}

} // namespace ts::io
