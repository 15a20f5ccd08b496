// waveform: min/max peaks per bucket of samples, for drawing and for audiowaveform data.
#include "analyze/analyzers.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace ts::analyze {
namespace {

using f4 = float __attribute__((vector_size(16)));

inline f4 load4(const float *p) {
    f4 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

class Waveform : public Analyzer {
  public:
    Waveform(long samples_per_pixel, double pixels_per_second, bool each)
        : spp_(samples_per_pixel), pps_(pixels_per_second), each_(each) {}

    void setup(Context &ctx) override {
        rate_ = ctx.rate();
        channels_ = ctx.channels();
        series_.spill_to(ctx.spill_file());
        if (pps_ > 0) {
            // As audiowaveform's --pixels-per-second: rate / pps, rounded down.
            const double spp = std::floor(rate_ / pps_);
            char text[32];
            auto end = std::to_chars(text, text + sizeof text, pps_).ptr;
            const std::string given = "-p waveform.pixels_per_second=" + std::string(text, end);
            if (spp < 1)
                throw UsageError(given + ": more than the sample rate (" + std::to_string(rate_) +
                                 " Hz), less than one sample per pixel");
            if (spp > 1e8)
                throw UsageError(given + ": more than 1e8 samples per pixel at " +
                                 std::to_string(rate_) + " Hz");
            spp_ = static_cast<long>(spp);
        }
        rows_ = each_ ? channels_ : 1;
        lo_.assign(static_cast<std::size_t>(rows_), INFINITY);
        hi_.assign(static_cast<std::size_t>(rows_), -INFINITY);
        ctx.on_blocks([this](const float *x, std::size_t n, int ch) { push(x, n, ch); });
    }

    std::vector<result::Result> finish(std::int64_t) override {
        if (count_ > 0)
            emit();
        result::Result r = framewise("", rate_, static_cast<int>(spp_), static_cast<int>(spp_));
        r.width = 2 * static_cast<std::size_t>(rows_);
        series_.into(r);
        nlohmann::json columns = nlohmann::json::array();
        for (int c = 0; c < rows_; ++c) {
            std::string suffix = each_ ? std::to_string(c) : "";
            columns.push_back("min" + suffix);
            columns.push_back("max" + suffix);
        }
        r.extra["columns"] = columns;
        return only(std::move(r));
    }

  private:
    void push(const float *x, std::size_t n, int ch) {
        const std::size_t c_n = static_cast<std::size_t>(ch);
        std::size_t i = 0;
        while (i < n) {
            const std::size_t take = std::min(n - i, static_cast<std::size_t>(spp_ - count_));
            const float *p = x + i * c_n;
            if (c_n == 1) {
                extremes(p, take, 1, lo_[0], hi_[0]);
            } else if (c_n == 2) {
                if (each_) {
                    extremes(p, take, 2, lo_[0], hi_[0]);
                    extremes(p + 1, take, 2, lo_[1], hi_[1]);
                } else {
                    mixed2(p, take);
                }
            } else if (each_) {
                for (std::size_t c = 0; c < c_n; ++c)
                    extremes(p + c, take, c_n, lo_[c], hi_[c]);
            } else {
                // The exact mean in double: the sum of float samples is exact, so for 16-bit
                // sources trunc(32768 * mean) is audiowaveform's integer (sum of int16) / C.
                const double div = static_cast<double>(ch);
                double lo = lo_[0], hi = hi_[0];
                for (std::size_t f = 0; f < take; ++f) {
                    double s = 0;
                    for (std::size_t c = 0; c < c_n; ++c)
                        s += static_cast<double>(p[f * c_n + c]);
                    const double v = s / div;
                    lo = v < lo ? v : lo;
                    hi = v > hi ? v : hi;
                }
                lo_[0] = lo;
                hi_[0] = hi;
            }
            count_ += static_cast<long>(take);
            i += take;
            if (count_ == spp_)
                emit();
        }
    }

    // Extremes of p[0], p[stride], ... (n of them) into lo, hi; four at a time for the
    // common one and two channels (GCC/Clang vectors: the auto-vectorizer leaves min/max
    // reductions scalar without -ffast-math).
    static void extremes(const float *p, std::size_t n, std::size_t stride, double &lo,
                         double &hi) {
        float l = static_cast<float>(lo), h = static_cast<float>(hi);
        std::size_t f = 0;
        if (stride <= 2) {
            f4 vl = f4{} + l, vh = f4{} + h;
            // With stride 2 the second load reaches one sample past the fourth frame's.
            const std::size_t reach = stride == 2 ? 5 : 4;
            for (; f + reach <= n; f += 4) {
                f4 v = load4(p + f * stride);
                if (stride == 2) // every other sample: this channel's two of four
                    v = __builtin_shufflevector(v, load4(p + f * stride + 4), 0, 2, 4, 6);
                vl = v < vl ? v : vl;
                vh = v > vh ? v : vh;
            }
            l = std::min(std::min(vl[0], vl[1]), std::min(vl[2], vl[3]));
            h = std::max(std::max(vh[0], vh[1]), std::max(vh[2], vh[3]));
        }
        for (; f < n; ++f) {
            l = std::min(l, p[f * stride]);
            h = std::max(h, p[f * stride]);
        }
        lo = l, hi = h;
    }

    // Extremes of the mean of two interleaved channels. (a + b) / 2 is exact in float for
    // integer PCM up to 24 bits (a sum of two 24-bit values fits float's 24-bit mantissa).
    void mixed2(const float *p, std::size_t n) {
        f4 vl = f4{} + static_cast<float>(lo_[0]), vh = f4{} + static_cast<float>(hi_[0]);
        std::size_t f = 0;
        for (; f + 4 <= n; f += 4) {
            const f4 a = load4(p + 2 * f), b = load4(p + 2 * f + 4);
            const f4 v = (__builtin_shufflevector(a, b, 0, 2, 4, 6) +
                          __builtin_shufflevector(a, b, 1, 3, 5, 7)) *
                         0.5f;
            vl = v < vl ? v : vl;
            vh = v > vh ? v : vh;
        }
        float l = std::min(std::min(vl[0], vl[1]), std::min(vl[2], vl[3]));
        float h = std::max(std::max(vh[0], vh[1]), std::max(vh[2], vh[3]));
        for (; f < n; ++f) {
            const float v = (p[2 * f] + p[2 * f + 1]) * 0.5f;
            l = std::min(l, v);
            h = std::max(h, v);
        }
        lo_[0] = l, hi_[0] = h;
    }

    void emit() {
        for (int c = 0; c < rows_; ++c) {
            series_.push_back(static_cast<float>(lo_[static_cast<std::size_t>(c)]));
            series_.push_back(static_cast<float>(hi_[static_cast<std::size_t>(c)]));
        }
        std::fill(lo_.begin(), lo_.end(), INFINITY);
        std::fill(hi_.begin(), hi_.end(), -INFINITY);
        count_ = 0;
    }

    long spp_;
    double pps_;
    bool each_;
    int rate_ = 0, channels_ = 1, rows_ = 1;
    long count_ = 0;
    std::vector<double> lo_, hi_;
    result::SeriesBuffer series_;
};

} // namespace

Definition waveform_definition() {
    Definition d;
    d.id = "waveform";
    d.name = "Waveform peaks";
    d.description =
        "The smallest and largest sample in each bucket of samples_per_pixel samples (or "
        "floor(rate / pixels_per_second) when that is set, as audiowaveform's "
        "--pixels-per-second), for drawing waveforms and for audiowaveform data files. Bucket "
        "i covers the samples [i * spp, (i + 1) * spp); unlike the other framewise results, "
        "the last, partial bucket is included, so every sample is covered (as "
        "audiowaveform does): an input of N samples gives ceil(N / spp) buckets, and "
        "frames.block = frames.step = spp. channels=mixed: one min/max pair per bucket, of "
        "the exact mean of the channels; channels=each: a pair per input channel, rows "
        "[min0, max0, min1, max1, ...] (data.columns names them).\n\n"
        "audiowaveform data (.dat, .json) from these, by the rules of its "
        "WaveformGenerator, WaveformBuffer and SndFileAudioFileReader. Header: version 1 for "
        "one channel, else 2 followed by a channels field; flags bit 0 set for 8-bit data; "
        "the sample rate; samples per pixel; length = the number of buckets, the partial "
        "last one included. Then min and max for each channel of each bucket, "
        "little-endian int16 or int8. 16-bit values: audiowaveform reads 16-bit PCM as the "
        "int16 samples s = 32768 * x, so with channels=each the value is 32768 * v, an "
        "integer for a 16-bit source. Its mono output from several channels is the sum of "
        "the channels' int16 samples divided by the channel count in C integer division "
        "(truncated toward zero); mixed values here are the exact mean, so trunc(32768 * v) "
        "reproduces it. Other sources it quantizes first: 24-bit PCM to floor(32768 * x) "
        "(libsndfile), float to trunc(32767 * x); apply the same to v with channels=each, "
        "while a mixed value may then differ by one unit, as it quantizes each channel "
        "before averaging. 8-bit values are the 16-bit value / 256 in C integer division "
        "(truncated toward zero, so -255..255 give 0), as int8, in .dat and .json alike. "
        "audiowaveform refuses fewer than 2 samples per pixel.";
    d.params = {
        {"samples_per_pixel",
         ParamType::integer,
         "256",
         1,
         1e8,
         {},
         "samples per bucket (ignored when pixels_per_second is set)"},
        {"pixels_per_second",
         ParamType::number,
         "0",
         0,
         1e7,
         {},
         "buckets per second: samples per bucket = floor(rate / pixels_per_second); 0 uses "
         "samples_per_pixel"},
        {"channels",
         ParamType::choice,
         "mixed",
         0,
         0,
         {"mixed", "each"},
         "mixed: one min/max pair of the mean of the channels; each: a pair per channel"},
    };
    d.outputs = {
        {"", "Waveform peaks", "", result::TimeMode::framewise, result::DataMode::value,
         "Buckets x (2 * rows) matrix of [min, max] sample values in -1..1 (full scale), "
         "rows = 1 (channels=mixed) or the input's channels (channels=each), the last "
         "bucket partial; data.columns names the columns. An empty input gives no bucket."},
    };
    d.all_channels = true;
    d.make = [](const Params &p, const std::vector<std::string> &) {
        return std::make_unique<Waveform>(p.integer("samples_per_pixel"),
                                          p.number("pixels_per_second"),
                                          p.text("channels") == "each");
    };
    return d;
}

} // namespace ts::analyze
