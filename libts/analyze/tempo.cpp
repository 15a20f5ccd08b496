// tempo: the global tempo and a local tempo curve from the autocorrelation of an onset
// detection function, and beat times from dynamic programming over it (Ellis 2007).
#include "analyze/analyzers.hpp"
#include "analyze/stft_params.hpp"
#include "core/error.hpp"
#include "dsp/onset.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

namespace ts::analyze {
namespace {

// As in the onsets analyzer: a frame's time for an event is its start plus n_fft/2.
constexpr double event_lag = 0.5;
constexpr double prior_octaves = 1.0; // width (sigma) of the log-Gaussian tempo prior

struct Settings {
    StftShape shape;
    dsp::OdfMethod method = dsp::OdfMethod::specflux;
    double min_bpm = 40, max_bpm = 240, start_bpm = 120, tightness = 100;
    double curve_window = 8;
    int curve_step = 8;
    double half_ratio = 1.8, third_ratio = 2.0; // metrical level: 0 turns a test off
};

// Autocorrelation over lags 0 .. max_lag of e = (x - mean) * scale, on the whole array.
std::vector<double> autocorrelation(const std::vector<float> &x, double mean, double scale,
                                    std::size_t max_lag) {
    std::vector<double> r(max_lag + 1, 0.0);
    const std::size_t n = x.size();
    const auto m = static_cast<float>(mean);
    for (std::size_t l = 0; l <= max_lag && l < n; ++l) {
        double s = 0.0;
        for (std::size_t i = l; i < n; ++i)
            s += static_cast<double>(x[i] - m) * (x[i - l] - m);
        r[l] = s * scale * scale;
    }
    return r;
}

// The tempo estimator's rule, shared by the global value and the curve: the lag L in
// [lo, hi] maximising TPS2(L) = TPS(L) + 0.5 TPS(2L) + 0.25 (TPS(2L-1) + TPS(2L+1)), where
// TPS(L) = W(L) r(L) and W is the log-Gaussian prior around start_bpm; then refined by a
// parabola through TPS2 at L-1, L, L+1. Returns 0 when no lag has r(L) > 0.
class LagPicker {
  public:
    LagPicker(double frame_rate, const Settings &s) {
        lo_ = std::max<std::size_t>(
            1, static_cast<std::size_t>(std::floor(60.0 * frame_rate / s.max_bpm)));
        hi_ = std::max(lo_ + 1, static_cast<std::size_t>(std::ceil(60.0 * frame_rate / s.min_bpm)));
        const double l0 = 60.0 * frame_rate / s.start_bpm;
        weight_.resize(max_lag() + 1);
        for (std::size_t l = 1; l < weight_.size(); ++l) {
            const double o = std::log2(static_cast<double>(l) / l0) / prior_octaves;
            weight_[l] = std::exp(-0.5 * o * o);
        }
    }
    std::size_t max_lag() const { return 2 * hi_ + 2; }
    std::size_t lowest() const { return lo_; }

    double pick(const std::vector<double> &raw) const {
        // r smoothed over lags by a Gaussian of sigma 1 lag: a period that is not a whole
        // number of frames splits its peak over two lags, which would favour its double.
        std::vector<double> &r = smooth_;
        r.assign(raw.size(), 0.0);
        for (std::size_t l = 0; l < raw.size(); ++l)
            for (int j = -2; j <= 2; ++j) {
                const auto m = static_cast<std::ptrdiff_t>(l) + j;
                if (m >= 0 && m < static_cast<std::ptrdiff_t>(raw.size()))
                    r[l] += kernel[j + 2] * raw[static_cast<std::size_t>(m)];
            }
        auto tps = [&](std::size_t l) { return l < r.size() ? weight_[l] * r[l] : 0.0; };
        auto tps2 = [&](std::size_t l) {
            return tps(l) + 0.5 * tps(2 * l) + 0.25 * (tps(2 * l - 1) + tps(2 * l + 1));
        };
        std::size_t best = 0;
        double best_v = 0.0;
        for (std::size_t l = lo_; l <= hi_; ++l) {
            if (r[l] <= 0.0)
                continue;
            const double v = tps2(l);
            if (best == 0 || v > best_v)
                best = l, best_v = v;
        }
        if (best == 0)
            return 0.0;
        if (best > lo_ && best < hi_) {
            const double a = tps2(best - 1), b = best_v, c = tps2(best + 1);
            const double den = a - 2 * b + c;
            if (den < 0)
                return static_cast<double>(best) + std::clamp(0.5 * (a - c) / den, -0.5, 0.5);
        }
        return static_cast<double>(best);
    }

  private:
    static constexpr double kernel[5] = {0.0545, 0.2442, 0.4026, 0.2442, 0.0545};
    std::size_t lo_, hi_;
    std::vector<double> weight_;
    mutable std::vector<double> smooth_;
};

// The beat tracker's local score: the envelope times scale, smoothed by a Gaussian of sigma
// = period / 32 frames (librosa).
std::vector<double> local_score(const std::vector<float> &env, double scale, double period) {
    const std::size_t n = env.size();
    const double sigma = std::max(period / 32.0, 0.5);
    const int half = static_cast<int>(std::ceil(3 * sigma));
    std::vector<double> kernel(static_cast<std::size_t>(2 * half + 1));
    for (int j = -half; j <= half; ++j)
        kernel[static_cast<std::size_t>(j + half)] = std::exp(-0.5 * (j / sigma) * (j / sigma));
    std::vector<double> local(n, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (int j = -half; j <= half; ++j) {
            const auto k = static_cast<std::ptrdiff_t>(i) + j;
            if (k >= 0 && k < static_cast<std::ptrdiff_t>(n))
                local[i] += kernel[static_cast<std::size_t>(j + half)] * scale *
                            env[static_cast<std::size_t>(k)];
        }
    return local;
}

// The metrical evidence of a beat sequence for the level m times slower: the beats split
// into m phases (beat k in phase k mod m), the mean local score of the strongest phase over
// the mean of the other phases' means. Near 1 when every beat is as strong as the others;
// well above 1 when every m-th beat carries the accents, i.e. when the beats are a
// subdivision of the real beat. 0 with fewer than 2 beats in a phase.
double phase_ratio(const std::vector<double> &local, const std::vector<std::size_t> &beats,
                   std::size_t m) {
    if (beats.size() < 2 * m)
        return 0.0;
    std::vector<double> sum(m, 0.0);
    std::vector<int> count(m, 0);
    for (std::size_t k = 0; k < beats.size(); ++k)
        sum[k % m] += local[beats[k]], ++count[k % m];
    double top = -1, rest = 0;
    std::size_t arg = 0;
    for (std::size_t i = 0; i < m; ++i) {
        sum[i] /= count[i];
        if (sum[i] > top)
            top = sum[i], arg = i;
    }
    for (std::size_t i = 0; i < m; ++i)
        if (i != arg)
            rest += sum[i];
    rest /= static_cast<double>(m - 1);
    return rest > 0 ? top / rest : (top > 0 ? std::numeric_limits<double>::infinity() : 0.0);
}

// Ellis 2007's dynamic programme over the onset envelope: the frames of the best chain of
// beats about `period` frames apart.
std::vector<std::size_t> track_beats(const std::vector<float> &env, double scale, double period,
                                     double tightness) {
    const std::size_t n = env.size();
    const std::vector<double> local = local_score(env, scale, period);
    const double max_local = *std::max_element(local.begin(), local.end());
    if (max_local <= 0)
        return {};

    std::vector<double> score(n);
    std::vector<std::int32_t> back(n, -1); // frames < 2^31: 289 days at 86 frames/s
    const auto from = static_cast<std::ptrdiff_t>(std::round(2 * period));
    const auto to =
        std::max<std::ptrdiff_t>(1, static_cast<std::ptrdiff_t>(std::round(period / 2)));
    // The transition cost by distance: tightness * ln(d / period)^2.
    std::vector<double> cost(static_cast<std::size_t>(from) + 1, 0.0);
    for (std::size_t d = 1; d < cost.size(); ++d) {
        const double l = std::log(static_cast<double>(d) / period);
        cost[d] = tightness * l * l;
    }
    bool started = false;
    for (std::size_t i = 0; i < n; ++i) {
        double best = -std::numeric_limits<double>::infinity();
        std::int64_t arg = -1;
        const auto ii = static_cast<std::ptrdiff_t>(i);
        for (std::ptrdiff_t j = std::max<std::ptrdiff_t>(0, ii - from); j <= ii - to; ++j) {
            const double v =
                score[static_cast<std::size_t>(j)] - cost[static_cast<std::size_t>(ii - j)];
            if (v > best)
                best = v, arg = j;
        }
        // A chain starts at the first real onset (librosa's rule): before it, no backlinks.
        if (!started && local[i] >= 0.01 * max_local)
            started = true;
        score[i] = local[i] + (arg >= 0 ? best : 0.0);
        back[i] = started ? static_cast<std::int32_t>(arg) : -1;
    }

    // The last beat: the best score within the last period (Ellis 2007).
    std::int64_t last = static_cast<std::int64_t>(n) - 1;
    const auto tail = static_cast<std::size_t>(std::max(1.0, std::round(period)));
    for (std::size_t i = n - std::min(n, tail); i < n; ++i)
        if (score[i] > score[static_cast<std::size_t>(last)])
            last = static_cast<std::int64_t>(i);
    std::vector<std::size_t> beats;
    for (std::int64_t b = last; b >= 0; b = back[static_cast<std::size_t>(b)])
        beats.push_back(static_cast<std::size_t>(b));
    std::reverse(beats.begin(), beats.end());

    // Trim weak beats at both ends (librosa): local score at most half the RMS over beats.
    double ms = 0;
    for (std::size_t b : beats)
        ms += local[b] * local[b];
    const double cut =
        beats.empty() ? 0.0 : 0.5 * std::sqrt(ms / static_cast<double>(beats.size()));
    std::size_t a = 0, e = beats.size();
    while (a < e && local[beats[a]] <= cut)
        ++a;
    while (e > a && local[beats[e - 1]] <= cut)
        --e;
    return {beats.begin() + static_cast<std::ptrdiff_t>(a),
            beats.begin() + static_cast<std::ptrdiff_t>(e)};
}

class Tempo : public Analyzer {
  public:
    Tempo(Settings s, std::vector<std::string> outputs) : s_(s), outputs_(std::move(outputs)) {}

    void setup(Context &ctx) override {
        rate_ = ctx.rate();
        odf_fn_.emplace(s_.method, s_.shape.bins(), static_cast<float>(s_.shape.gain));
        ctx.on_spectrum(s_.shape.n_fft, s_.shape.step, s_.shape.window,
                        [this](const Spectrum &sp, std::int64_t) {
                            odf_.push_back(odf_fn_->next(sp.magnitude, sp.bins));
                        });
    }

    std::vector<result::Result> finish(std::int64_t) override {
        const double frame_rate = static_cast<double>(rate_) / s_.shape.step;
        const LagPicker picker(frame_rate, s_);
        // Beyond the ODF (4 bytes per frame), finish() holds 20 bytes per frame for the beat
        // tracker (local score, cumulative score, backlink) until it returns.
        const std::size_t n = odf_.size();
        double mean = 0, var = 0;
        for (float v : odf_)
            mean += v;
        mean = n ? mean / static_cast<double>(n) : 0.0;
        for (float v : odf_)
            var += (v - mean) * (v - mean);
        const double sd = n > 1 ? std::sqrt(var / static_cast<double>(n - 1)) : 0.0;

        double bpm = std::numeric_limits<double>::quiet_NaN(), confidence = 0;
        std::string reason;
        std::vector<std::size_t> beats;
        if (n < 2 * picker.lowest() + 2) {
            reason = "the input is too short: it needs two beat periods at max_bpm";
        } else if (!(sd > 0)) {
            reason = "no onsets (silent or steady input)";
        } else {
            const auto r = autocorrelation(odf_, mean, 1.0 / sd, picker.max_lag());
            const double lag = picker.pick(r);
            if (lag <= 0) {
                reason = "no periodicity between min_bpm and max_bpm";
            } else {
                const auto li = static_cast<std::size_t>(std::lround(lag));
                confidence = std::clamp(r[li] / r[0], 0.0, 1.0);
                // The DP runs on the ODF over its standard deviation (librosa): unit scale,
                // so that tightness weighs alike whatever the method, and no negative scores.
                double period = lag;
                beats = track_beats(odf_, 1.0 / sd, period, s_.tightness);
                // The metrical level: while every 2nd (or 3rd) beat carries clearly more
                // onset strength than the others, the beats found are a subdivision of the
                // real beat; the slower level is taken, and the beats are tracked again.
                for (int round = 0; round < 3; ++round) {
                    const std::vector<double> local = local_score(odf_, 1.0 / sd, period);
                    std::size_t m = 0;
                    if (s_.third_ratio > 0 && phase_ratio(local, beats, 3) >= s_.third_ratio)
                        m = 3;
                    else if (s_.half_ratio > 0 && phase_ratio(local, beats, 2) >= s_.half_ratio)
                        m = 2;
                    if (m == 0 ||
                        60.0 * frame_rate / (period * static_cast<double>(m)) < s_.min_bpm)
                        break;
                    period *= static_cast<double>(m);
                    beats = track_beats(odf_, 1.0 / sd, period, s_.tightness);
                }
                bpm = 60.0 * frame_rate / period;
                const auto pi = static_cast<std::size_t>(std::lround(period));
                if (pi != li && pi < r.size())
                    confidence = std::clamp(r[pi] / r[0], 0.0, 1.0);
                // Refined by the beats: 60 over the mean of the inter-beat intervals within
                // 15% of their median (so a gap in the beats does not count).
                if (beats.size() >= 3) {
                    std::vector<double> ibi;
                    for (std::size_t k = 1; k < beats.size(); ++k)
                        ibi.push_back(static_cast<double>(beats[k] - beats[k - 1]));
                    std::vector<double> sorted = ibi;
                    std::nth_element(sorted.begin(),
                                     sorted.begin() +
                                         static_cast<std::ptrdiff_t>(sorted.size() / 2),
                                     sorted.end());
                    const double med = sorted[sorted.size() / 2];
                    double sum = 0;
                    int count = 0;
                    for (double d : ibi)
                        if (std::abs(d - med) <= 0.15 * med)
                            sum += d, ++count;
                    if (count > 0)
                        bpm = 60.0 * frame_rate * count / sum;
                }
            }
        }

        std::vector<result::Result> out;
        for (const auto &id : outputs_) {
            if (id == "bpm") {
                result::Result r = output("bpm");
                r.scalar = true;
                r.value = {bpm};
                r.extra["confidence"] = confidence;
                if (!reason.empty())
                    r.extra["reason"] = reason;
                out.push_back(std::move(r));
            } else if (id == "curve") {
                out.push_back(curve(frame_rate, picker));
            } else if (id == "beats") {
                result::Result r = output("beats");
                for (std::size_t b : beats)
                    r.time.push_back(
                        (static_cast<double>(b) * s_.shape.step + event_lag * s_.shape.n_fft) /
                        rate_);
                out.push_back(std::move(r));
            }
        }
        return out;
    }

  private:
    // The local tempo over windows of K ODF frames every curve_step frames: the same rule
    // as the global tempo on the window's autocorrelation, kept up to date as the window
    // slides (one product added and one removed per lag and frame).
    result::Result curve(double frame_rate, const LagPicker &picker) const {
        const auto k =
            static_cast<std::size_t>(std::max(1.0, std::round(s_.curve_window * frame_rate)));
        const auto cs = static_cast<std::size_t>(s_.curve_step);
        result::Result r = framewise(
            "curve", rate_,
            static_cast<int>((k - 1) * static_cast<std::size_t>(s_.shape.step)) + s_.shape.n_fft,
            s_.curve_step * s_.shape.step);
        const std::size_t n = odf_.size();
        if (n < k)
            return r;
        const std::size_t max_lag = std::min(picker.max_lag(), k - 1);
        std::vector<double> raw(max_lag + 1, 0.0), centred(picker.max_lag() + 1, 0.0);
        double sum = 0;
        std::size_t active = 0; // frames of the window with o > 0: exact, unlike the sums
        // Window [t-k+1, t]: raw[l] = sum over i in the window, i-l in the window, of o_i o_{i-l}.
        for (std::size_t t = 0; t < n; ++t) {
            const double o = odf_[t];
            sum += o;
            active += o > 0 ? 1 : 0;
            for (std::size_t l = 0; l <= max_lag && l <= t; ++l)
                raw[l] += o * odf_[t - l];
            if (t >= k) {
                const std::size_t old = t - k; // leaves the window
                sum -= odf_[old];
                active -= odf_[old] > 0 ? 1 : 0;
                for (std::size_t l = 0; l <= max_lag; ++l)
                    raw[l] -= static_cast<double>(odf_[old + l]) * odf_[old];
            }
            if (t + 1 < k || (t + 1 - k) % cs != 0)
                continue;
            // Mean removal: r(l) - (k - l) mu^2.
            const double mu = sum / static_cast<double>(k);
            for (std::size_t l = 0; l <= max_lag; ++l)
                centred[l] = raw[l] - static_cast<double>(k - l) * mu * mu;
            const double lag = active > 0 && centred[0] > 0 ? picker.pick(centred) : 0.0;
            r.series.push_back(lag > 0 ? static_cast<float>(60.0 * frame_rate / lag)
                                       : std::numeric_limits<float>::quiet_NaN());
        }
        return r;
    }

    Settings s_;
    std::vector<std::string> outputs_;
    int rate_ = 0;
    std::optional<dsp::OnsetFunction> odf_fn_;
    std::vector<float> odf_;
};

} // namespace

Definition tempo_definition() {
    using result::DataMode;
    using result::TimeMode;
    Definition d;
    d.id = "tempo";
    d.name = "Tempo and beats";
    d.description =
        "Tempo and beats after Ellis 2007 (as librosa's beat_track), from an onset detection "
        "function o(t) computed per STFT frame as in the onsets analyzer (method, default "
        "specflux; frame rate F = rate / step). Global tempo: the autocorrelation r(L) = "
        "sum_t e(t) e(t-L) of e = (o - mean o) / std o over the whole input, smoothed over "
        "lags by the Gaussian (0.0545, 0.2442, 0.4026, 0.2442, 0.0545); TPS(L) = W(L) r(L) with "
        "the log-Gaussian prior W(L) = exp(-0.5 log2(L / L0)^2), L0 = 60 F / start_bpm (sigma "
        "one octave); TPS2(L) = TPS(L) + 0.5 TPS(2L) + 0.25 (TPS(2L-1) + TPS(2L+1)) (Ellis's "
        "duple enhancement, which favours the faster of two metrical levels that both fit); "
        "the period P is the lag in [floor(60 F / max_bpm), ceil(60 F / min_bpm)] maximising "
        "TPS2, refined by a parabola through its neighbours. Beats: dynamic programming over "
        "the local score s = o / std(o) smoothed by a Gaussian of sigma P/32 frames: C(t) = "
        "s(t) + max over u in [t - round(2P), t - round(P/2)] of (C(u) - tightness * ln((t - "
        "u) / P)^2), no predecessor before the first frame with s >= 0.01 max s; the last "
        "beat is the best C within the last P frames, the others follow the backlinks; beats "
        "at either end whose s is at most half the RMS of s over all beats are dropped "
        "(librosa's trim). A beat's time is its frame's start plus n_fft/2, as for onsets. "
        "Metrical level: the beats are split into 3 phases (beat k in phase k mod 3) and the "
        "mean s of the strongest phase is divided by the mean of the other two phases' means; "
        "when that ratio is at least third_ratio (default 2) every third beat carries the "
        "accents and the beats found are a subdivision (the eighth notes of a 6/8): the "
        "period becomes 3P and the beats are tracked again; else the same with 2 phases and "
        "half_ratio (default 1.8) doubles the period. This repeats (at most 3 times) while "
        "the slower tempo stays at or above min_bpm. Both ratios were chosen on the tuning "
        "half of bench/accuracy's corpus, where the prior alone doubled or tripled 8 of 48 "
        "slow tempi (50-80 BPM); 0 turns a test off. "
        "The tempo is then 60 / the mean of the inter-beat intervals that lie within 15% of "
        "their median (60 F / P with fewer than 3 beats). Measured on ts-gen click tracks: "
        "50 to 200 BPM within 0.05%; above about 210 BPM the prior prefers the half tempo "
        "(220 gives 110: raise start_bpm or min_bpm). Defaults as aubiotrack's: n_fft "
        "1024, step 512 (11.6 ms at 44.1 kHz). " +
        std::string(stft_words());
    d.params = stft_param_specs(1024, 512);
    d.params.push_back({"method", ParamType::choice, "specflux", 0, 0, dsp::odf_method_names(),
                        "the onset detection function of the onset envelope (see onsets)"});
    d.params.push_back({"min_bpm",
                        ParamType::number,
                        "40",
                        1,
                        1000,
                        {},
                        "the slowest tempo considered, beats per minute"});
    d.params.push_back({"max_bpm",
                        ParamType::number,
                        "240",
                        1,
                        1000,
                        {},
                        "the fastest tempo considered, beats per minute (> min_bpm)"});
    d.params.push_back({"start_bpm",
                        ParamType::number,
                        "120",
                        1,
                        1000,
                        {},
                        "the centre of the tempo prior, beats per minute"});
    d.params.push_back({"tightness",
                        ParamType::number,
                        "100",
                        0,
                        100000,
                        {},
                        "beat tracking: how strictly beats keep the tempo (Ellis's alpha)"});
    d.params.push_back({"half_ratio",
                        ParamType::number,
                        "1.8",
                        0,
                        1000,
                        {},
                        "metrical level: halve the tempo when every 2nd beat is this many "
                        "times stronger than the others (0: never)"});
    d.params.push_back({"third_ratio",
                        ParamType::number,
                        "2",
                        0,
                        1000,
                        {},
                        "metrical level: divide the tempo by 3 when every 3rd beat is this "
                        "many times stronger than the others (0: never)"});
    d.params.push_back({"curve_window",
                        ParamType::number,
                        "8",
                        0.5,
                        600,
                        {},
                        "tempo curve: the span of each local estimate, seconds"});
    d.params.push_back({"curve_step",
                        ParamType::integer,
                        "8",
                        1,
                        100000,
                        {},
                        "tempo curve: STFT steps between local estimates"});
    d.outputs = {
        {"bpm", "Tempo", "bpm", TimeMode::global, DataMode::value,
         "the global tempo, beats per minute; data.confidence = r(P) / r(0) of the unsmoothed "
         "autocorrelation at the chosen lag, in 0..1 (near 1 for a steady click track). "
         "null, with data.reason and confidence 0, when the input is shorter than two "
         "periods at max_bpm, when o is constant (silence, a steady tone), or when no lag in "
         "range correlates positively"},
        {"curve", "Tempo curve", "bpm", TimeMode::framewise, DataMode::value,
         "local tempo: the global rule (TPS2 with the same prior and range, without the beat "
         "refinement) on the autocorrelation of o over windows of K = round(curve_window * "
         "F) frames every curve_step frames, mean removed as r(L) - (K - L) mu^2, mu the "
         "window's mean; frame j covers STFT frames j*curve_step .. j*curve_step + K - 1, "
         "so block = (K-1)*step + n_fft samples and step = curve_step*step; null where the "
         "window holds no onsets; empty for an input shorter than one window"},
        {"beats", "Beats", "s", TimeMode::event, DataMode::value,
         "beat times in seconds, from the beat tracker (an output of tempo, so its id is "
         "tempo.beats); none when the tempo is null"},
    };
    d.make = [](const Params &p, const std::vector<std::string> &outputs) {
        Settings s;
        s.shape = stft_shape("tempo", p);
        s.method = *dsp::parse_odf_method(p.text("method"));
        s.min_bpm = p.number("min_bpm");
        s.max_bpm = p.number("max_bpm");
        s.start_bpm = p.number("start_bpm");
        s.tightness = p.number("tightness");
        s.curve_window = p.number("curve_window");
        s.curve_step = static_cast<int>(p.integer("curve_step"));
        s.half_ratio = p.number("half_ratio");
        s.third_ratio = p.number("third_ratio");
        if (s.min_bpm >= s.max_bpm)
            throw UsageError("-p tempo.min_bpm must be below tempo.max_bpm (" +
                             p.json()["min_bpm"].dump() + " >= " + p.json()["max_bpm"].dump() +
                             ")");
        if (static_cast<std::int64_t>(s.curve_step) * s.shape.step >
            std::numeric_limits<int>::max())
            throw UsageError("-p tempo.curve_step: curve_step * step must be below 2^31 samples");
        return std::make_unique<Tempo>(s, outputs);
    };
    return d;
}

} // namespace ts::analyze
