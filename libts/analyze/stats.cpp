// stats: the figures of `sox X -n stats` (its "Overall" column), over every channel.
//
// sox's stats effect (read in its stats.c) does all its work sample by sample, with a
// branch or two on each. Here that work is split into passes over one channel's block that
// vectorize: sums, extremes, crossings and the bit mask (basic); the 50 ms exponential
// mean square, a chunk at a time (MeanSquare); and, only on blocks that reach the
// channel's extreme, the scan that counts peak samples and their runs (peaks).
#include "analyze/analyzers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace ts::analyze {
namespace {

// One channel's running figures, as sox keeps them per channel ("flow").
struct Channel {
    double sum = 0, sum2 = 0;
    float min = INFINITY, max = -INFINITY;
    std::int64_t min_count = 0, max_count = 0;
    std::int64_t min_run = 0, max_run = 0;
    double min_runs = 0, max_runs = 0; // sums of squared run lengths
    bool in_min_run = false, in_max_run = false;
    double ms = 0; // exponential mean square
    double ms_min = INFINITY, ms_max = -INFINITY;
    std::uint32_t mask = 0; // OR of the samples as sox's 32-bit integers
    std::int64_t crossings = 0;
    bool negative = false; // sign of the last sample
    std::int64_t n = 0;
};

// Vectors of the GCC/Clang extensions: SSE2 on any x86-64, NEON on arm64. The
// auto-vectorizer leaves float min/max and sum reductions scalar without -ffast-math, and
// these loops are the whole cost of this analyzer.
using f4 = float __attribute__((vector_size(16)));
using d2 = double __attribute__((vector_size(16)));
using i4 = std::int32_t __attribute__((vector_size(16)));

inline f4 load4(const float *p) {
    f4 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// sox's integer samples (x * 2^31), four at a time without branches, for the bit mask.
// Samples at or beyond full scale give 0 here; the caller adds what sox's clipped values
// (0x7fffffff, 0x80000000) bring to the mask from the block's extremes. Values are
// truncated where sox rounds, which only matters below 2^-8 (float sources), where it may
// change the lowest bit of a value, in practice not the OR over a whole input.
inline i4 sample_bits(f4 v) {
    const f4 t = v * 2147483648.0f;
    const f4 mag = reinterpret_cast<f4>(reinterpret_cast<i4>(t) & 0x7fffffff);
    const f4 r = reinterpret_cast<f4>(reinterpret_cast<i4>(t) & (mag < 2147483648.0f));
    return __builtin_convertvector(r, i4);
}
inline std::uint32_t sample_bits(float v) {
    const i4 k = sample_bits(f4{v, 0, 0, 0});
    return static_cast<std::uint32_t>(k[0]);
}

// Adds the sums, crossings and bit mask of x[0..n) (n > 0) to c; returns the block's
// smallest and largest sample. A crossing is a change of sign between neighbours, 0
// counting as positive.
std::pair<float, float> basic(Channel &c, const float *x, std::size_t n) {
    // Sums in float over chunks of 64 samples (rounding 1e-7 relative), then in double.
    // Two vectors of each kind per step, few enough to stay in SSE2's 16 registers.
    d2 sum_d{}, sum2_d{};
    f4 lo = f4{} + INFINITY, hi = -lo;
    i4 m{}, zc{};
    std::size_t i = 0;
    for (; i + 64 < n; i += 64) { // < n: the crossings look one sample ahead
        f4 s0{}, s1{}, q0{}, q1{};
        for (std::size_t j = i; j < i + 64; j += 8) {
            const f4 v0 = load4(x + j), v1 = load4(x + j + 4);
            s0 += v0;
            s1 += v1;
            q0 += v0 * v0;
            q1 += v1 * v1;
            const f4 vlo = v0 < v1 ? v0 : v1, vhi = v0 > v1 ? v0 : v1;
            lo = vlo < lo ? vlo : lo;
            hi = vhi > hi ? vhi : hi;
            m |= sample_bits(v0) | sample_bits(v1);
            const f4 u0 = load4(x + j + 1), u1 = load4(x + j + 5);
            zc -= ((v0 < 0.0f) ^ (u0 < 0.0f)) + ((v1 < 0.0f) ^ (u1 < 0.0f)); // -1 each
        }
        const f4 s = s0 + s1, q = q0 + q1;
        sum_d += d2{s[0], s[1]} + d2{s[2], s[3]};
        sum2_d += d2{q[0], q[1]} + d2{q[2], q[3]};
    }
    double sum = sum_d[0] + sum_d[1], sum2 = sum2_d[0] + sum2_d[1];
    float bmin = std::min(std::min(lo[0], lo[1]), std::min(lo[2], lo[3]));
    float bmax = std::max(std::max(hi[0], hi[1]), std::max(hi[2], hi[3]));
    std::uint32_t mask = static_cast<std::uint32_t>(m[0] | m[1] | m[2] | m[3]);
    std::int64_t crossings = static_cast<std::int64_t>(zc[0]) + zc[1] + zc[2] + zc[3];
    for (; i < n; ++i) {
        const float v = x[i];
        sum += v;
        sum2 += static_cast<double>(v) * v;
        bmin = std::min(bmin, v);
        bmax = std::max(bmax, v);
        mask |= sample_bits(v);
        if (i + 1 < n)
            crossings += (v < 0.0f) != (x[i + 1] < 0.0f);
    }
    if (bmax >= 1.0f)
        mask |= 0x7fffffffu; // a sample clipped to the largest 32-bit value
    if (bmin <= -1.0f)
        mask |= 0x80000000u; // -1.0, or clipped to it
    if (c.n > 0)             // with the last sample of the block before
        crossings += (x[0] < 0.0f) != c.negative;
    c.crossings += crossings;
    c.negative = x[n - 1] < 0.0f;
    c.sum += sum;
    c.sum2 += sum2;
    c.mask |= mask;
    return {bmin, bmax};
}

// Counts the samples equal to the channel's extreme and the runs of them, as sox does per
// sample: a run is a stretch of consecutive samples at the extreme; its squared length is
// added when it ends. `lower` picks the minimum, else the maximum.
void peaks(Channel &c, const float *x, std::size_t n, float block_extreme, bool lower) {
    float &ext = lower ? c.min : c.max;
    std::int64_t &count = lower ? c.min_count : c.max_count;
    std::int64_t &run = lower ? c.min_run : c.max_run;
    double &runs = lower ? c.min_runs : c.max_runs;
    bool &in_run = lower ? c.in_min_run : c.in_max_run;
    const bool beyond = lower ? block_extreme < ext : block_extreme > ext;
    if (beyond) {
        // A new extreme: what was counted for the old one no longer matters.
        ext = block_extreme;
        count = 0, run = 0, runs = 0, in_run = false;
    } else if (block_extreme != ext) {
        // No sample here reaches the extreme: a run open at the end of the last block ends.
        if (in_run)
            runs += static_cast<double>(run) * static_cast<double>(run);
        in_run = false;
        return;
    }
    auto one = [&](float v) {
        if (v == ext) {
            ++count;
            run = in_run ? run + 1 : 1;
            in_run = true;
        } else if (in_run) {
            runs += static_cast<double>(run) * static_cast<double>(run);
            in_run = false;
        }
    };
    // Eight samples at a time, one by one only where one of them is at the extreme.
    const f4 e = f4{} + ext;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const i4 eq = (load4(x + i) == e) | (load4(x + i + 4) == e);
        if ((eq[0] | eq[1] | eq[2] | eq[3]) == 0) {
            if (in_run)
                runs += static_cast<double>(run) * static_cast<double>(run);
            in_run = false;
            continue;
        }
        for (std::size_t j = i; j < i + 8; ++j)
            one(x[j]);
    }
    for (; i < n; ++i)
        one(x[i]);
}

// sox's "RMS Pk/Tr" mean square: ms[k] = a ms[k-1] + (1 - a) x[k]^2, a = exp(-1 / (window
// * rate)), its extremes taken over the samples k >= `from` (5 windows in).
//
// One step per sample waits on the last: 8 cycles a sample. Instead, over a chunk of K
// samples the recursion is ms[end] = a^K ms[before] + (1 - a) sum a^(K-1-i) x[i]^2, a dot
// product that vectorizes; and inside the chunk every ms[k] lies between a^K ms[before]
// and ms[before] + (1 - a) sum x[i]^2. Only a chunk whose bounds reach past the extremes
// found so far is stepped through sample by sample; in music that is a few in a thousand.
class MeanSquare {
  public:
    static constexpr std::size_t K = 32;

    MeanSquare(double a, std::int64_t from)
        : a_(a), b_(1.0 - a), a_k_(std::pow(a, K)), from_(from) {
        for (std::size_t i = 0; i < K; ++i)
            w_[i] = static_cast<float>(std::pow(a, static_cast<double>(K - 1 - i)));
        // sum x^2 <= dot / a^(K-1), as the weights are at least a^(K-1); a little more so
        // the float dot product's rounding cannot make the bound too tight.
        ub_ = b_ / std::pow(a, K - 1) * (1 + 1e-5);
    }

    // Runs the recursion over x[0..n) of channel c, whose first sample has index c.n.
    void run(Channel &c, const float *x, std::size_t n) {
        const std::size_t chunks = n / K;
        dots_.resize(chunks);
        for (std::size_t k = 0; k < chunks; ++k)
            dots_[k] = dot(x + k * K);
        double ms = c.ms, lo = c.ms_min, hi = c.ms_max;
        std::int64_t at = c.n;
        for (std::size_t k = 0; k < chunks; ++k, at += K) {
            const double d = dots_[k];
            if (at + static_cast<std::int64_t>(K) <= from_) {
                ms = a_k_ * ms + b_ * d; // not yet tracked
            } else if (at >= from_ && ms + ub_ * d < hi && a_k_ * ms * (1 - 1e-9) > lo) {
                ms = a_k_ * ms + b_ * d; // cannot reach a new extreme
            } else if (at >= from_ && d == 0) {
                // Digital silence: a plain decay, highest first, lowest last.
                hi = std::max(hi, a_ * ms);
                ms *= a_k_;
                lo = std::min(lo, ms);
            } else {
                step(x + k * K, K, at, ms, lo, hi);
            }
        }
        step(x + chunks * K, n - chunks * K, at, ms, lo, hi);
        c.ms = ms, c.ms_min = lo, c.ms_max = hi;
    }

  private:
    // sum w[i] x[i]^2 over one chunk, in float: its rounding (1e-6 relative) is far below
    // the 0.01 dB sox prints.
    float dot(const float *x) const {
        f4 acc0{}, acc1{};
        for (std::size_t i = 0; i < K; i += 8) {
            const f4 v0 = load4(x + i), v1 = load4(x + i + 4);
            acc0 += load4(w_ + i) * (v0 * v0);
            acc1 += load4(w_ + i + 4) * (v1 * v1);
        }
        const f4 acc = acc0 + acc1;
        return (acc[0] + acc[1]) + (acc[2] + acc[3]);
    }

    // Sample by sample, as sox.
    void step(const float *x, std::size_t n, std::int64_t at, double &ms, double &lo,
              double &hi) const {
        for (std::size_t i = 0; i < n; ++i) {
            const double d = x[i];
            ms = ms * a_ + b_ * (d * d);
            if (at + static_cast<std::int64_t>(i) >= from_) {
                lo = std::min(lo, ms);
                hi = std::max(hi, ms);
            }
        }
    }

    double a_, b_, a_k_, ub_;
    std::int64_t from_;
    float w_[K];
    std::vector<float> dots_;
};

// sox's float-to-sample conversion: x * 2^31, rounded half away from zero, clipped.
std::int64_t sox_sample(double x) {
    double d = x * 2147483648.0;
    if (d >= 2147483647.0)
        return 2147483647;
    if (d <= -2147483648.0)
        return -2147483648LL;
    return static_cast<std::int64_t>(d < 0 ? d - 0.5 : d + 0.5);
}

// sox 14.4.2's "Bit-depth" figures (as Debian 12's sox prints them): {bits spanned by the
// range of values, bits down to the lowest one set in any sample}.
std::pair<int, int> bit_depth(std::uint32_t mask, double min, double max) {
    int result = 32;
    for (; result && !(mask & 1); --result, mask >>= 1) {
    }
    const int precision = result;
    std::uint32_t m = static_cast<std::uint32_t>(sox_sample(max));
    if (min < 0)
        m |= ~(static_cast<std::uint32_t>(sox_sample(min)) << 1);
    for (; result && !(m & 0x80000000u); --result, m <<= 1) {
    }
    return {result, precision};
}

double db(double linear) {
    return linear > 0 ? 20.0 * std::log10(linear) : NAN;
}

class Stats : public Analyzer {
  public:
    Stats(double window, std::vector<std::string> outputs)
        : window_(window), outputs_(std::move(outputs)) {}

    void setup(Context &ctx) override {
        rate_ = ctx.rate();
        channels_.resize(static_cast<std::size_t>(ctx.channels()));
        const double a = std::exp(-1.0 / window_ / rate_);
        // sox: tc_samples = 5 * window * rate + .5, truncated.
        const auto from = static_cast<std::int64_t>(5 * window_ * rate_ + 0.5);
        ms_.assign(channels_.size(), MeanSquare(a, from));
        from_ = from;
        ctx.on_blocks([this](const float *x, std::size_t n, int ch) { push(x, n, ch); });
    }

    std::vector<result::Result> finish(std::int64_t) override;

  private:
    void push(const float *x, std::size_t n, int ch) {
        if (n == 0)
            return;
        // One channel after the other, each from a contiguous copy (one pass over the
        // interleaved block for all of them).
        const std::size_t cn = channels_.size();
        if (cn > 1) {
            buf_.resize(n * cn);
            float *b = buf_.data();
            if (cn == 2)
                for (std::size_t i = 0; i < n; ++i)
                    b[i] = x[2 * i], b[n + i] = x[2 * i + 1];
            else
                for (std::size_t i = 0; i < n; ++i)
                    for (std::size_t k = 0; k < cn; ++k)
                        b[k * n + i] = x[i * cn + k];
        }
        for (std::size_t k = 0; k < cn; ++k) {
            Channel &c = channels_[k];
            const float *src = cn > 1 ? buf_.data() + k * n : x;
            auto [bmin, bmax] = basic(c, src, n);
            peaks(c, src, n, bmin, true);
            peaks(c, src, n, bmax, false);
            ms_[k].run(c, src, n);
            c.n += static_cast<std::int64_t>(n);
        }
        (void)ch;
    }

    double window_;
    std::vector<std::string> outputs_;
    int rate_ = 0;
    std::int64_t from_ = 0;
    std::vector<Channel> channels_;
    std::vector<MeanSquare> ms_;
    std::vector<float> buf_;
};

std::vector<result::Result> Stats::finish(std::int64_t) {
    const std::int64_t n = channels_.empty() ? 0 : channels_[0].n;
    const double count = static_cast<double>(n) * static_cast<double>(channels_.size());
    double min = INFINITY, max = -INFINITY, sum2 = 0, dc = 0, ms_min = INFINITY, ms_max = 0;
    double runs = 0, peak_samples = 0;
    std::uint32_t mask = 0;
    std::int64_t crossings = 0;
    for (Channel &c : channels_) {
        min = std::min(min, static_cast<double>(c.min));
        max = std::max(max, static_cast<double>(c.max));
        sum2 += c.sum2;
        if (std::fabs(c.sum) > std::fabs(dc))
            dc = c.sum;   // sox's overall DC offset is the channel mean farthest from 0
        if (c.n <= from_) // too short for one value: sox uses the mean square
            c.ms_min = c.ms_max = c.n ? c.sum2 / static_cast<double>(c.n) : NAN;
        ms_min = std::min(ms_min, c.ms_min);
        ms_max = std::max(ms_max, c.ms_max);
        runs += c.min_runs + c.max_runs;
        if (c.in_min_run)
            runs += static_cast<double>(c.min_run) * static_cast<double>(c.min_run);
        if (c.in_max_run)
            runs += static_cast<double>(c.max_run) * static_cast<double>(c.max_run);
        peak_samples += static_cast<double>(c.min_count + c.max_count);
        mask |= c.mask;
        crossings += c.crossings;
    }
    const bool empty = n == 0;
    const double peak = std::max(-min, max);
    const double rms = empty ? NAN : std::sqrt(sum2 / count);
    std::vector<result::Result> out;
    for (const auto &id : outputs_) {
        result::Result r = output(id);
        r.scalar = true;
        double v = NAN;
        if (id == "dc_offset")
            v = empty ? NAN : dc / static_cast<double>(n);
        else if (id == "min_level")
            v = empty ? NAN : min;
        else if (id == "max_level")
            v = empty ? NAN : max;
        else if (id == "peak_level")
            v = empty ? NAN : db(peak);
        else if (id == "rms_level")
            v = db(rms);
        else if (id == "rms_peak")
            v = empty ? NAN : db(std::sqrt(ms_max));
        else if (id == "rms_trough")
            v = empty ? NAN : db(std::sqrt(ms_min));
        else if (id == "crest_factor")
            v = empty ? NAN : sum2 > 0 ? peak / rms : 1.0;
        else if (id == "flat_factor")
            v = empty ? NAN : db(runs / peak_samples);
        else if (id == "peak_count")
            v = peak_samples / static_cast<double>(channels_.size());
        else if (id == "bit_depth") {
            auto [bits, precision] = empty ? std::pair<int, int>{0, 0} : bit_depth(mask, min, max);
            r.scalar = false;
            r.value = {static_cast<double>(bits), static_cast<double>(precision)};
            out.push_back(std::move(r));
            continue;
        } else if (id == "zero_crossings")
            v = static_cast<double>(crossings);
        else if (id == "samples")
            v = static_cast<double>(n);
        else if (id == "length")
            v = static_cast<double>(n) / rate_;
        r.value = {v};
        out.push_back(std::move(r));
    }
    return out;
}

} // namespace

Definition stats_definition() {
    using result::TimeMode, result::DataMode;
    const auto g = TimeMode::global;
    const auto v = DataMode::value;
    Definition d;
    d.id = "stats";
    d.name = "Sample statistics (sox stats)";
    d.description =
        "The figures of sox's stats effect (`sox X -n stats`), as its Overall column prints "
        "them: over every channel, each channel's figures kept apart and then combined as "
        "sox combines them (said per output). Levels are relative to full scale (a sample "
        "of 1.0); dB figures are 20 log10 of a linear amplitude, and null where sox prints "
        "-inf (digital silence). An empty input gives null figures and zero counts. The "
        "figures match sox 14.4.2 to its printed precision on 16-bit inputs, which both "
        "read exactly; from float inputs sox first rounds each sample to 32 bits.";
    d.params = {
        {"window",
         ParamType::number,
         "0.05",
         0.01,
         10,
         {},
         "time constant of the RMS peak and trough mean square, in seconds (sox stats -w)"},
    };
    d.outputs = {
        {"dc_offset", "DC offset", "", g, v,
         "the mean of the channel whose mean is farthest from 0 (sox's Overall DC offset, "
         "linear; dc gives the mean over all channels, in %)"},
        {"min_level", "Minimum level", "", g, v, "the smallest sample of any channel, linear"},
        {"max_level", "Maximum level", "", g, v, "the largest sample of any channel, linear"},
        {"peak_level", "Peak level", "dBFS", g, v,
         "20 log10 max(-min_level, max_level); null for digital silence"},
        {"rms_level", "RMS level", "dBFS", g, v,
         "10 log10 of the mean square of all samples of all channels; null for digital "
         "silence"},
        {"rms_peak", "RMS peak level", "dBFS", g, v,
         "the highest short-term RMS of any channel, in dB: sox's exponentially weighted "
         "mean square ms[k] = a ms[k-1] + (1 - a) x[k]^2 with a = exp(-1 / (window * rate)) "
         "(a 50 ms time constant by default, not a rectangular window), taken from sample "
         "floor(5 * window * rate + 0.5) on; for an input no longer than that, the "
         "channel's mean square (as sox); null for digital silence"},
        {"rms_trough", "RMS trough level", "dBFS", g, v,
         "the lowest short-term RMS of any channel, in dB, as rms_peak; null for digital "
         "silence"},
        {"crest_factor", "Crest factor", "", g, v,
         "peak / RMS over all channels, linear (a sine: 1.414, a square wave: 1); 1 for "
         "digital silence, as sox. sox prints it only per channel for several channels; for "
         "one channel this is its figure"},
        {"flat_factor", "Flat factor", "dB", g, v,
         "20 log10 of (sum of the squared lengths of the runs of consecutive samples at a "
         "channel's own minimum or maximum) / (the number of such samples), summed over the "
         "channels: 0 when no two peak samples touch, higher for clipped or square signals "
         "(sox's flat factor)"},
        {"peak_count", "Peak count", "", g, v,
         "the number of samples at their channel's minimum or maximum, averaged over the "
         "channels (sox's Pk count, which it prints to 3 significant figures)"},
        {"bit_depth", "Bit depth", "", g, v,
         "[bits, precision] as sox 14.4.2 prints \"bits/precision\": precision is the number "
         "of bits down to the lowest bit set in any sample as a 32-bit integer (16 for a "
         "16-bit source), bits the number of those the range min_level..max_level spans"},
        {"zero_crossings", "Zero crossings", "", g, v,
         "changes of sign between neighbouring samples (0 counting as positive), counted "
         "per channel and summed over the channels (not a sox figure)"},
        {"samples", "Samples", "", g, v, "the input's length in samples per channel (frames)"},
        {"length", "Length", "s", g, v, "samples / rate, in seconds"},
    };
    d.all_channels = true;
    d.make = [](const Params &p, const std::vector<std::string> &outputs) {
        return std::make_unique<Stats>(p.number("window"), outputs);
    };
    return d;
}

} // namespace ts::analyze
