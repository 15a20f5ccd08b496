// loudness: ITU-R BS.1770-4 / EBU R128 loudness (integrated, momentary, short-term), EBU Tech
// 3342 loudness range and BS.1770-4 Annex 2 true peak, over every channel.
#include "analyze/analyzers.hpp"

#include "dsp/loudness_filters.hpp"
#include "dsp/true_peak.hpp"
#include "pcm/layout.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

namespace ts::analyze {
namespace {

constexpr double absolute_gate = -70.0;   // LUFS, BS.1770-4 and Tech 3342
constexpr double lra_relative_gate = -20; // LU, Tech 3342
constexpr int momentary_hops = 4;         // 400 ms in 100 ms hops
constexpr int short_term_hops = 30;       // 3 s
// BS.1770's K-weighting shelf sits at 1.7 kHz and rises to 4 kHz: below 8 kHz (a 4 kHz
// band) it is not defined, and a filter designed there is no K-weighting at all.
constexpr int min_rate = 8000;

// BS.1770-4 channel weights by loudspeaker, as FFmpeg's ebur128 filter applies them: 1.41
// (+1.5 dB) on every back and side channel (and their height and direct counterparts), the
// LFEs left out, 1.0 for the rest. `speakers` is empty when the layout is unknown: then 1.0
// for every channel.
std::vector<double> channel_weights(int channels, const std::vector<int> &speakers) {
    std::vector<double> w(static_cast<std::size_t>(channels), 1.0);
    if (static_cast<int>(speakers.size()) != channels)
        return w;
    for (std::size_t c = 0; c < w.size(); ++c) {
        switch (speakers[c]) {
        case pcm::LFE: case pcm::LFE2: w[c] = 0.0; break;
        case pcm::BL: case pcm::BC: case pcm::BR: case pcm::TBL: case pcm::TBC: case pcm::TBR:
        case pcm::SL: case pcm::SR: case pcm::SDL: case pcm::SDR: w[c] = 1.41; break;
        default: break;
        }
    }
    return w;
}

double lufs(double mean_square) {
    return -0.691 + 10.0 * std::log10(mean_square);
}
double mean_square_of(double loudness) {
    return std::pow(10.0, (loudness + 0.691) / 10.0);
}

// Power mean of the block energies above `gate` (a mean square); nullopt when none is.
std::optional<double> gated_mean(const std::vector<double> &z, double gate) {
    double sum = 0;
    std::size_t n = 0;
    for (double v : z)
        if (v > gate)
            sum += v, ++n;
    if (n == 0)
        return std::nullopt;
    return sum / static_cast<double>(n);
}

class Loudness : public Analyzer {
  public:
    Loudness(const Params &p, std::vector<std::string> outputs)
        : outputs_(std::move(outputs)), true_peak_on_(p.boolean("true_peak")),
          gate_(p.number("gate")) {}

    bool wants(const char *id) const {
        return std::find(outputs_.begin(), outputs_.end(), id) != outputs_.end();
    }

    void setup(Context &ctx) override {
        rate_ = ctx.rate();
        channels_ = ctx.channels();
        hop_ = std::max<std::int64_t>(1, std::llround(0.1 * rate_));
        // Each channel alone (mix "each") is weighed as a front channel.
        const pcm::Header &h = ctx.stream_header();
        weights_ = channel_weights(
            channels_, h.channels == channels_ ? pcm::stream_speakers(h) : std::vector<int>{});
        need_energy_ = rate_ >= min_rate && (wants("integrated") || wants("range") ||
                                             wants("momentary") || wants("short_term"));
        if (need_energy_) {
            const auto kw = dsp::k_weighting(rate_);
            filters_.assign(static_cast<std::size_t>(channels_), dsp::KFilter(kw));
            sums_.assign(static_cast<std::size_t>(channels_), 0.0);
            for (std::size_t c = 0; c < weights_.size(); ++c)
                if (weights_[c] != 0) // the LFE is not even filtered
                    active_.push_back(c);
        }
        if (true_peak_on_ && wants("true_peak"))
            true_peak_.emplace(rate_, channels_);
        ctx.on_blocks([this](const float *x, std::size_t n, int ch) { feed(x, n, ch); });
    }

    std::vector<result::Result> finish(std::int64_t) override {
        if (true_peak_)
            true_peak_->flush();
        std::vector<result::Result> out;
        for (const auto &id : outputs_) {
            if (id == "integrated")
                out.push_back(integrated());
            else if (id == "range")
                out.push_back(range());
            else if (id == "true_peak")
                out.push_back(true_peak());
            else if (id == "momentary")
                out.push_back(curve(id, momentary_hops));
            else if (id == "short_term")
                out.push_back(curve(id, short_term_hops));
        }
        return out;
    }

  private:
    // K-weights every channel and closes a 100 ms hop each time one fills: its energy is the
    // channel-weighted sum of the squared K-weighted samples.
    void feed(const float *x, std::size_t n, int ch) {
        if (true_peak_)
            true_peak_->process(x, n);
        if (!need_energy_)
            return;
        std::size_t i = 0;
        while (i < n) {
            const std::size_t take =
                std::min<std::size_t>(n - i, static_cast<std::size_t>(hop_ - filled_));
            const std::size_t stride = static_cast<std::size_t>(ch);
            const float *frame = x + i * stride;
            std::size_t a = 0;
            for (; a + 1 < active_.size(); a += 2) {
                const std::size_t c = active_[a], d = active_[a + 1];
                dsp::KFilter::process_pair(filters_[c], filters_[d], frame + c, frame + d, stride,
                                           take, sums_[c], sums_[d]);
            }
            if (a < active_.size())
                sums_[active_[a]] += filters_[active_[a]].process(frame + active_[a], stride, take);
            filled_ += static_cast<std::int64_t>(take);
            i += take;
            if (filled_ == hop_) {
                double e = 0;
                for (std::size_t c = 0; c < sums_.size(); ++c)
                    e += weights_[c] * sums_[c];
                hops_.push_back(e);
                std::fill(sums_.begin(), sums_.end(), 0.0);
                filled_ = 0;
            }
        }
    }

    // Mean-square energies of the windows of `len` hops, one every hop.
    std::vector<double> windows(int len) const {
        std::vector<double> z;
        const std::size_t w = static_cast<std::size_t>(len);
        if (hops_.size() < w)
            return z;
        const double scale = 1.0 / (static_cast<double>(hop_) * len);
        z.reserve(hops_.size() - w + 1);
        for (std::size_t j = 0; j + w <= hops_.size(); ++j) {
            double s = 0;
            for (std::size_t k = 0; k < w; ++k)
                s += hops_[j + k];
            z.push_back(s * scale);
        }
        return z;
    }

    result::Result null_global(const std::string &id, const std::string &why) const {
        result::Result r = output(id);
        r.scalar = true;
        r.value = {NAN};
        r.description = description_of(id) + " Null here: " + why + ".";
        return r;
    }

    std::string too_low() const {
        return "the input's rate, " + std::to_string(rate_) + " Hz, is below " +
               std::to_string(min_rate) + " Hz, where BS.1770's K-weighting is not defined "
               "(resample it: ts-decode --rate 48000)";
    }

    result::Result integrated() const {
        if (rate_ < min_rate)
            return null_global("integrated", too_low());
        const auto z = windows(momentary_hops);
        if (z.empty())
            return null_global("integrated", "the input is shorter than one 400 ms block");
        const double abs_gate = mean_square_of(absolute_gate);
        const auto above = gated_mean(z, abs_gate);
        if (!above)
            return null_global("integrated", "no 400 ms block is above the absolute gate of "
                                             "-70 LUFS (silence)");
        const double rel_gate = *above * std::pow(10.0, gate_ / 10.0);
        const auto gated = gated_mean(z, std::max(abs_gate, rel_gate));
        if (!gated) // only possible with gate=0 on a perfectly steady signal
            return null_global("integrated", "no block is above the relative gate");
        result::Result r = output("integrated");
        r.scalar = true;
        r.value = {lufs(*gated)};
        return r;
    }

    // Tech 3342: short-term values gated at -70 LUFS and at 20 LU below the power mean of
    // those, then the spread between the 10th and the 95th percentiles.
    result::Result range() const {
        if (rate_ < min_rate)
            return null_global("range", too_low());
        const auto z = windows(short_term_hops);
        if (z.empty())
            return null_global("range", "the input is shorter than one 3 s window");
        const double abs_gate = mean_square_of(absolute_gate);
        const auto above = gated_mean(z, abs_gate);
        if (!above)
            return null_global("range", "no 3 s window is above the absolute gate of -70 LUFS "
                                        "(silence)");
        const double gate = std::max(abs_gate, *above * std::pow(10.0, lra_relative_gate / 10.0));
        std::vector<double> kept;
        for (double v : z)
            if (v > gate)
                kept.push_back(v);
        if (kept.empty()) // every window equal to the relative gate's mean: nothing above it
            return null_global("range", "no 3 s window is above the relative gate");
        std::sort(kept.begin(), kept.end());
        const double last = static_cast<double>(kept.size() - 1);
        const double low = kept[static_cast<std::size_t>(std::llround(last * 0.10))];
        const double high = kept[static_cast<std::size_t>(std::llround(last * 0.95))];
        result::Result r = output("range");
        r.scalar = true;
        r.value = {10.0 * std::log10(high / low)}; // = lufs(high) - lufs(low)
        return r;
    }

    result::Result true_peak() const {
        if (!true_peak_)
            return null_global("true_peak", "not measured (parameter true_peak=false)");
        const float p = true_peak_->peak();
        if (p <= 0)
            return null_global("true_peak", "digital silence (-inf)");
        result::Result r = output("true_peak");
        r.scalar = true;
        r.value = {20.0 * std::log10(static_cast<double>(p))};
        return r;
    }

    result::Result curve(const std::string &id, int len) const {
        result::Result r =
            framewise(id, rate_, static_cast<int>(hop_ * len), static_cast<int>(hop_));
        for (double z : windows(len))
            r.series.push_back(z > 0 ? static_cast<float>(lufs(z)) : NAN);
        if (rate_ < min_rate)
            r.description = description_of(id) + " Empty here: " + too_low() + ".";
        return r;
    }

    static std::string description_of(const std::string &id);

    std::vector<std::string> outputs_;
    bool true_peak_on_;
    double gate_;
    int rate_ = 0, channels_ = 0;
    std::int64_t hop_ = 1, filled_ = 0;
    bool need_energy_ = false;
    std::vector<double> weights_;
    std::vector<std::size_t> active_; // channels with a non-zero weight, filtered in pairs
    std::vector<dsp::KFilter> filters_;
    std::vector<double> sums_; // this hop's sum of squares, per channel
    std::vector<double> hops_; // weighted energy of each whole 100 ms hop
    std::optional<dsp::TruePeak> true_peak_;
};

const char *integrated_text =
    "Integrated (programme) loudness per ITU-R BS.1770-4 and EBU R128: every channel is "
    "K-weighted (a +4 dB high shelf above ~1.7 kHz, then a high-pass at ~38 Hz, designed for "
    "the input's rate from the analog prototypes of the standard's 48 kHz coefficients; below "
    "48 kHz the shelf is fitted to the 48 kHz filter's response, within 0.023 dB at 8 kHz "
    "and 0.002 dB from 16 kHz), the mean squares are summed with the channel weights by "
    "loudspeaker (the stream's layout key, else FFmpeg's default layout for the channel "
    "count: 5.0, 5.1, 6.1, 7.1 ...): 1.41 for every back and side channel, the LFE "
    "excluded, 1 for the others (so mono is not counted as dual mono, and with mix each "
    "every channel is weighed 1), and the loudness of a block is -0.691 + 10 log10 of that "
    "sum. Blocks of 400 ms every 100 ms (75 % overlap); those above the absolute gate of -70 "
    "LUFS give a power mean, blocks more than `gate` LU (default -10) below it are dropped "
    "too, and the result is the loudness of the power mean of the blocks kept. A 1 kHz sine "
    "with peaks at -23 dBFS in both channels of a stereo file reads -23.0 LUFS. Null when "
    "no block passes the gates (silence), the input is shorter than 400 ms, or its rate is "
    "below 8000 Hz, where the K-weighting is not defined (the momentary and short-term "
    "series are then empty, and only the true peak is measured).";
const char *range_text =
    "Loudness range (LRA) per EBU Tech 3342: the short-term loudness (3 s windows every "
    "100 ms, K-weighted as for integrated) of the windows above the absolute gate of -70 "
    "LUFS and above a relative gate 20 LU below their power mean; LRA is the 95th minus the "
    "10th percentile of those values (sorted values at the indices round((n-1)*0.10) and "
    "round((n-1)*0.95)), in LU. 0 for a steady signal; null when the input is shorter than "
    "3 s, no window passes the gates (silence), or the rate is below 8000 Hz.";
const char *true_peak_text =
    "True peak per ITU-R BS.1770-4 Annex 2, in dBTP: the largest absolute value over all "
    "channels (LFE included) of the signal oversampled 4x below 96 kHz, 2x from 96 kHz and "
    "not at all from 192 kHz on (always seen at 192 kHz or more), with a polyphase "
    "Kaiser-windowed sinc interpolator (24 taps per phase, beta 6, cutoff at the input's "
    "Nyquist frequency; within 0.01 dB for sines up to 0.4 times the rate). The samples "
    "themselves are included, so it is never below the sample peak; the signal is taken as "
    "silent before its first and after its last sample, as a converter would play it. Null "
    "for digital silence, and when the parameter true_peak is false (the oversampling, the "
    "costly part, is then skipped).";
const char *momentary_text =
    "Momentary loudness (EBU R128): the loudness of 400 ms windows, one every 100 ms, "
    "K-weighted and channel-weighted as for integrated, ungated. Frame i covers [0.1 i, 0.1 "
    "i + 0.4) s (frames.step and frames.block give the exact samples: a hop is round(rate/10) "
    "samples and a window 4 hops), its time is its start; only whole windows count, so the "
    "first value covers the first 400 ms and an input of N samples gives floor(N/hop) - 3 "
    "values. A window of digital silence (-inf) is null.";
const char *short_term_text =
    "Short-term loudness (EBU R128): the loudness of 3 s windows, one every 100 ms, "
    "K-weighted and channel-weighted as for integrated, ungated. Frame i covers [0.1 i, 0.1 "
    "i + 3) s (a window is 30 hops of round(rate/10) samples), its time is its start; only "
    "whole windows count, so an input of N samples gives floor(N/hop) - 29 values and none "
    "under 3 s. A window of digital silence (-inf) is null.";

std::string Loudness::description_of(const std::string &id) {
    if (id == "integrated")
        return integrated_text;
    if (id == "range")
        return range_text;
    if (id == "true_peak")
        return true_peak_text;
    if (id == "momentary")
        return momentary_text;
    return short_term_text;
}

} // namespace

Definition loudness_definition() {
    Definition d;
    d.id = "loudness";
    d.name = "Loudness";
    d.description =
        "Loudness per ITU-R BS.1770-4 and EBU R128: integrated loudness, loudness range (EBU "
        "Tech 3342), true peak, and the momentary and short-term curves, over every channel "
        "with the standard's channel weights. Agrees with ffmpeg's ebur128 filter and "
        "libebur128 within 0.1 LU. Works at any sample rate: the K-weighting is designed for "
        "the input's rate rather than resampling it.";
    d.params = {
        {"true_peak",
         ParamType::boolean,
         "true",
         0,
         0,
         {},
         "measure the true peak (4x oversampling below 96 kHz); false skips it, the costly "
         "part, and true_peak is then null"},
        {"gate",
         ParamType::number,
         "-10",
         -40,
         0,
         {},
         "relative gate of the integrated loudness, in LU below the power mean of the blocks "
         "above -70 LUFS (BS.1770-4 and R128: -10)"},
    };
    d.outputs = {
        {"integrated", "Integrated loudness", "LUFS", result::TimeMode::global,
         result::DataMode::value, integrated_text},
        {"range", "Loudness range", "LU", result::TimeMode::global, result::DataMode::value,
         range_text},
        {"true_peak", "True peak", "dBTP", result::TimeMode::global, result::DataMode::value,
         true_peak_text},
        {"momentary", "Momentary loudness", "LUFS", result::TimeMode::framewise,
         result::DataMode::value, momentary_text},
        {"short_term", "Short-term loudness", "LUFS", result::TimeMode::framewise,
         result::DataMode::value, short_term_text},
    };
    d.all_channels = true;
    d.make = [](const Params &p, const std::vector<std::string> &outputs) {
        return std::make_unique<Loudness>(p, outputs);
    };
    return d;
}

} // namespace ts::analyze
