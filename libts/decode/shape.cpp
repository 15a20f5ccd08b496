// Mixing, resampling and trimming stages wrapped around any source.
#include "decode/source.hpp"

#include "core/error.hpp"
#include "decode/resampler.hpp"
#include "pcm/layout.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ts::decode {
namespace {

// Channel mapping: to mono by the mean of all channels; from mono by copying; from a surround
// layout to stereo by the ITU-R BS.775 downmix (below).
class Mixer : public Source {
  public:
    Mixer(std::unique_ptr<Source> in, int channels, std::vector<float> matrix)
        : in_(std::move(in)), header_(in_->header()), matrix_(std::move(matrix)) {
        from_ = in_->header().channels;
        header_.channels = channels;
        header_.layout = channels == 1 ? "mono" : pcm::default_layout(channels);
    }
    const pcm::Header &header() const override { return header_; }
    std::string sha1() override { return in_->sha1(); }
    int bits() const override { return in_->bits(); }
    const std::string &name() const override { return in_->name(); }
    bool skip(std::int64_t frames) override { return in_->skip(frames); } // frame by frame
    std::size_t read(float *dst, std::size_t max_frames) override {
        buf_.resize(max_frames * static_cast<std::size_t>(from_));
        std::size_t n = in_->read(buf_.data(), max_frames);
        const int to = header_.channels;
        if (!matrix_.empty()) {
            const auto from = static_cast<std::size_t>(from_);
            for (std::size_t i = 0; i < n; ++i) {
                const float *f = buf_.data() + i * from;
                for (int o = 0; o < to; ++o) {
                    const float *m = matrix_.data() + static_cast<std::size_t>(o) * from;
                    float sum = 0.0f;
                    for (std::size_t c = 0; c < from; ++c)
                        sum += m[c] * f[c];
                    dst[i * static_cast<std::size_t>(to) + static_cast<std::size_t>(o)] = sum;
                }
            }
        } else if (to == 1 && from_ == 2) {
            // stereo, the usual case, in a loop the compiler vectorizes (the general one below
            // was a sixth of a spectrogram's time); the same sums, so the same samples
            for (std::size_t i = 0; i < n; ++i)
                dst[i] = (buf_[2 * i] + buf_[2 * i + 1]) * 0.5f;
        } else if (to == 1) {
            const float scale = 1.0f / static_cast<float>(from_);
            for (std::size_t i = 0; i < n; ++i) {
                const float *f = buf_.data() + i * static_cast<std::size_t>(from_);
                float sum = 0.0f;
                for (int c = 0; c < from_; ++c)
                    sum += f[c];
                dst[i] = sum * scale;
            }
        } else { // from mono
            for (std::size_t i = 0; i < n; ++i)
                for (int c = 0; c < to; ++c)
                    dst[i * static_cast<std::size_t>(to) + static_cast<std::size_t>(c)] = buf_[i];
        }
        return n;
    }

  private:
    std::unique_ptr<Source> in_;
    pcm::Header header_;
    int from_;
    std::vector<float> matrix_; // to x from gains, row by row; empty for the mono cases
    std::vector<float> buf_;
};

// Resampling through libswresample, with the output length made exact when the input's
// length is known: round(frames * out / in).
class Resample : public Source {
  public:
    Resample(std::unique_ptr<Source> in, int rate)
        : in_(std::move(in)), header_(in_->header()),
          rs_(in_->header().rate, rate, in_->header().channels) {
        header_.rate = rate;
        if (in_->header().frames >= 0)
            header_.frames = (in_->header().frames * rate + in_->header().rate / 2) /
                             in_->header().rate;
    }
    const pcm::Header &header() const override { return header_; }
    std::string sha1() override { return in_->sha1(); }
    int bits() const override { return in_->bits(); }
    const std::string &name() const override { return in_->name(); }
    std::size_t read(float *dst, std::size_t max_frames) override {
        const auto ch = static_cast<std::size_t>(header_.channels);
        if (header_.frames >= 0)
            max_frames = std::min<std::size_t>(max_frames,
                                               static_cast<std::size_t>(header_.frames - done_));
        std::size_t got = 0;
        while (got < max_frames) {
            if (out_pos_ < out_len_) {
                std::size_t n = std::min(max_frames - got, out_len_ - out_pos_);
                std::copy_n(out_buf_.data() + out_pos_ * ch, n * ch, dst + got * ch);
                out_pos_ += n;
                got += n;
                continue;
            }
            if (drained_) {
                // The resampler may give a frame or two fewer than the exact length.
                if (header_.frames >= 0) {
                    std::int64_t missing = header_.frames - done_ - static_cast<std::int64_t>(got);
                    std::size_t pad = static_cast<std::size_t>(std::min<std::int64_t>(
                        missing, static_cast<std::int64_t>(max_frames - got)));
                    std::fill(dst + got * ch, dst + (got + pad) * ch, 0.0f);
                    got += pad;
                }
                break;
            }
            std::size_t n = 0;
            if (!ended_) {
                in_buf_.resize(block * ch);
                n = in_->read(in_buf_.data(), block);
                ended_ = n == 0;
            }
            // Always room for all the output the input can make: given less, libswresample's
            // soxr engine keeps the unconverted input, and flushing it later crashes (FFmpeg
            // 5.1). The output never runs ahead of fed * out / in.
            fed_ += static_cast<std::int64_t>(n);
            const std::int64_t out_rate = header_.rate, in_rate = in_->header().rate;
            const auto room =
                static_cast<std::size_t>((fed_ * out_rate + in_rate - 1) / in_rate - made_ + 256);
            out_buf_.resize(room * ch);
            out_len_ = ended_ ? rs_.process(nullptr, 0, out_buf_.data(), room)
                              : rs_.process(in_buf_.data(), n, out_buf_.data(), room);
            out_pos_ = 0;
            made_ += static_cast<std::int64_t>(out_len_);
            drained_ = ended_ && out_len_ == 0;
        }
        done_ += static_cast<std::int64_t>(got);
        return got;
    }

  private:
    static constexpr std::size_t block = 4096; // input frames per step
    std::unique_ptr<Source> in_;
    pcm::Header header_;
    Resampler rs_;
    std::vector<float> in_buf_, out_buf_;
    std::size_t out_pos_ = 0, out_len_ = 0; // resampled frames in out_buf_ not yet passed on
    bool ended_ = false, drained_ = false;
    std::int64_t fed_ = 0, made_ = 0, done_ = 0;
};

// Skips `skip` frames, then passes at most `keep` frames (-1: all).
class Trim : public Source {
  public:
    Trim(std::unique_ptr<Source> in, std::int64_t skip, std::int64_t keep, double start)
        : in_(std::move(in)), header_(in_->header()), skip_(skip), keep_(keep), start_(start) {
        const std::int64_t total = in_->header().frames;
        if (total >= 0 && skip > 0 && skip >= total)
            throw Error(in_->name() + ": --start " + seconds(start) + " is past the end (" +
                        seconds(static_cast<double>(total) / header_.rate) + ")");
        std::int64_t left = total >= 0 ? total - skip : -1;
        header_.frames = keep < 0 ? left : (left < 0 ? -1 : std::min(keep, left));
        header_.start = in_->header().start.value_or(0.0) + start;
    }
    const pcm::Header &header() const override { return header_; }
    std::string sha1() override { return in_->sha1(); }
    int bits() const override { return in_->bits(); }
    const std::string &name() const override { return in_->name(); }
    std::size_t read(float *dst, std::size_t max_frames) override {
        const auto ch = static_cast<std::size_t>(header_.channels);
        if (skipped_ == 0 && skip_ > 0 && in_->skip(skip_)) // a seek where the source has one
            skipped_ = skip_;
        while (skipped_ < skip_) {
            std::size_t want = static_cast<std::size_t>(
                std::min<std::int64_t>(skip_ - skipped_, static_cast<std::int64_t>(max_frames)));
            std::size_t n = in_->read(dst, want);
            if (n == 0)
                throw Error(in_->name() + ": --start " + seconds(start_) +
                            " is past the end (" +
                            seconds(static_cast<double>(skipped_) / header_.rate) + ")");
            skipped_ += static_cast<std::int64_t>(n);
        }
        if (keep_ >= 0)
            max_frames = static_cast<std::size_t>(
                std::min<std::int64_t>(static_cast<std::int64_t>(max_frames), keep_ - passed_));
        if (max_frames == 0)
            return 0;
        std::size_t n = in_->read(dst, max_frames);
        passed_ += static_cast<std::int64_t>(n);
        (void)ch;
        return n;
    }

  private:
    std::unique_ptr<Source> in_;
    pcm::Header header_;
    std::int64_t skip_, keep_;
    double start_;
    std::int64_t skipped_ = 0, passed_ = 0;
};

} // namespace

std::vector<float> stereo_downmix(const std::vector<int> &speakers) {
    // ITU-R BS.775 as libswresample builds it for `ffmpeg -ac 2`: fronts as they are, the
    // centre and the surrounds at -3 dB (a back centre at -6 dB to each side), the LFE left
    // out, then every gain divided by the larger row sum, so that no output can clip (what
    // FFmpeg does for integer output).
    using namespace pcm;
    constexpr float h = 0.70710678f;
    const std::size_t n = speakers.size();
    std::vector<float> m(2 * n, 0.0f);
    for (std::size_t c = 0; c < n; ++c) {
        float l = 0, r = 0;
        switch (speakers[c]) {
        case FL: case FLC: case WL: case DL: l = 1; break;
        case FR: case FRC: case WR: case DR: r = 1; break;
        case FC: l = r = h; break;
        case BL: case SL: case SDL: l = h; break;
        case BR: case SR: case SDR: r = h; break;
        case BC: l = r = h * h; break;
        case LFE: case LFE2: break;
        default: break; // heights and the rest: left out, as FFmpeg does
        }
        m[c] = l;
        m[n + c] = r;
    }
    float rows[2] = {0, 0};
    for (std::size_t c = 0; c < n; ++c)
        rows[0] += m[c], rows[1] += m[n + c];
    const float top = std::max(rows[0], rows[1]);
    if (top <= 0)
        return {};
    if (top > 1)
        for (float &g : m)
            g /= top;
    return m;
}

std::unique_ptr<Source> shape(std::unique_ptr<Source> source, const Shape &s) {
    const int from = source->header().channels;
    if (s.channels != 0 && s.channels != from) {
        std::vector<float> matrix;
        if (s.channels == 2 && from > 2) {
            matrix = stereo_downmix(pcm::stream_speakers(source->header()));
            if (matrix.empty())
                throw UsageError(source->name() + ": cannot mix " + std::to_string(from) +
                                 " channels to stereo: their layout is unknown (--mono mixes "
                                 "any channels)");
        } else if (s.channels != 1 && from != 1) {
            throw UsageError("cannot map " + std::to_string(from) + " channels to " +
                             std::to_string(s.channels) +
                             ": only a mix to mono (--mono), a stereo downmix of a surround "
                             "layout (--channels 2) or copies of a mono channel are defined");
        }
        source = std::make_unique<Mixer>(std::move(source), s.channels, std::move(matrix));
    }
    if (s.rate != 0 && s.rate != source->header().rate)
        source = std::make_unique<Resample>(std::move(source), s.rate);
    if (s.start > 0 || s.duration >= 0) {
        const double rate = source->header().rate;
        auto skip = static_cast<std::int64_t>(std::llround(s.start * rate));
        auto keep = s.duration >= 0 ? static_cast<std::int64_t>(std::llround(s.duration * rate))
                                    : std::int64_t{-1};
        source = std::make_unique<Trim>(std::move(source), skip, keep, s.start);
    }
    return source;
}

} // namespace ts::decode
