// The demo's instruments, synthesized sample by sample from the time since each onset.
#include "gen/demo.hpp"

#include "gen/noise.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace ts::gen {
namespace {
constexpr double two_pi = 2.0 * std::numbers::pi;

// Mix levels, chosen so that the lead dominates and the whole piece peaks at about -4 dBFS.
constexpr double lead_gain = 0.26;
constexpr double bass_gain = 0.05;
constexpr double kick_gain = 0.30;
constexpr double snare_gain = 0.16;
constexpr double hihat_gain = 0.10;

// A linear ramp from 1 down to 0 over the last `fade` seconds of a sound of length `length`,
// so that every sound ends exactly at zero.
double tail(double t, double length, double fade) {
    return std::clamp((length - t) / fade, 0.0, 1.0);
}

// A sine whose pitch falls from 150 Hz to 45 Hz; the phase is the exact integral.
double kick(double t, double length) {
    constexpr double f_end = 45.0, f_drop = 105.0, tau_f = 0.03, tau_a = 0.09;
    double cycles = f_end * t + f_drop * tau_f * -std::expm1(-t / tau_f);
    return std::sin(two_pi * cycles) * std::exp(-t / tau_a) * tail(t, length, 0.02);
}

// A short tone under a burst of noise.
double snare(double t, double length, std::int64_t n, std::uint64_t seed) {
    double tone = 0.5 * std::sin(two_pi * 190.0 * t) * std::exp(-t / 0.04);
    double noise = 0.8 * hash_uniform(seed + static_cast<std::uint64_t>(n)) * std::exp(-t / 0.06);
    return (tone + noise) * tail(t, length, 0.02);
}

// Noise through a second difference (a gentle highpass), computed from the index alone.
double hihat(double t, double length, std::int64_t n, std::uint64_t seed) {
    auto h = [&](std::int64_t k) {
        return k < 0 ? 0.0 : hash_uniform(seed + static_cast<std::uint64_t>(k));
    };
    double hp = (h(n) - 2.0 * h(n - 1) + h(n - 2)) / 4.0;
    return hp * std::exp(-t / 0.015) * tail(t, length, 0.01);
}

// Harmonics k·f with amplitude k^-1.5 up to 0.45·rate: a mellow tone whose fundamental is the
// strongest partial, easy for pitch trackers. sin(kθ) comes from the Chebyshev recurrence.
double lead(double t, double length, double f, int rate) {
    double env = t < 0.008 ? t / 0.008 : 0.7 + 0.3 * std::exp(-(t - 0.008) / 0.15);
    env *= tail(t, length, 0.04);
    const double theta = two_pi * f * t;
    const double c2 = 2.0 * std::cos(theta);
    double prev = 0.0, cur = std::sin(theta), sum = 0.0;
    static constexpr double amp[] = {1.0, 0.3536, 0.1925, 0.125, 0.0894, 0.068, 0.054, 0.0442};
    for (int k = 1; k <= 8 && k * f < 0.45 * rate; ++k) {
        sum += amp[k - 1] * cur;
        double next = c2 * cur - prev;
        prev = cur;
        cur = next;
    }
    return sum * env;
}

double bass(double t, double length, double f) {
    double env = std::min(t / 0.01, 1.0) * (0.8 + 0.2 * std::exp(-t / 0.2)) * tail(t, length, 0.05);
    const double theta = two_pi * f * t;
    return (std::sin(theta) + 0.25 * std::sin(2.0 * theta)) * env;
}
} // namespace

Demo::Demo(int rate, std::int64_t frames)
    : Generator(frames), rate_(rate), piece_frames_(frames_for(demo_length, rate)) {
    std::uint64_t seed = 0;
    for (const DemoEvent &e : demo_score()) {
        seed += 0x100000000ULL; // each drum hit its own stretch of noise
        events_.push_back({e.voice, frames_for(e.onset, rate), frames_for(e.duration, rate),
                           e.midi ? midi_frequency(e.midi) : 0.0, seed});
    }
    std::stable_sort(events_.begin(), events_.end(),
                     [](const Placed &a, const Placed &b) { return a.start < b.start; });
    // A loop keeps its first pass (30 s of samples, a fixed size whatever the duration) and
    // copies it afterwards: a copy is far faster than synthesis.
    // Above 192 kHz the pass would take more memory than it is worth, and is synthesized again.
    if (frames > piece_frames_ && rate <= 192000)
        cache_.reserve(static_cast<std::size_t>(piece_frames_));
}

void Demo::render(float *dst, std::size_t count, std::int64_t first) {
    const bool cached = cache_.capacity() > 0;
    while (count > 0) {
        const std::int64_t local = first % piece_frames_;
        const auto n = static_cast<std::size_t>(
            std::min<std::int64_t>(static_cast<std::int64_t>(count), piece_frames_ - local));
        if (cached && first >= piece_frames_) {
            std::copy_n(cache_.begin() + local, n, dst);
        } else {
            render_piece(dst, n, local);
            if (cached && first < piece_frames_)
                cache_.insert(cache_.end(), dst, dst + n);
        }
        dst += n;
        first += static_cast<std::int64_t>(n);
        count -= n;
    }
}

void Demo::render_piece(float *dst, std::size_t count, std::int64_t first) const {
    std::fill(dst, dst + count, 0.0f);
    const std::int64_t end = first + static_cast<std::int64_t>(count);
    for (const Placed &e : events_) {
        if (e.start >= end)
            break;
        if (e.start + e.length <= first)
            continue;
        const std::int64_t from = std::max(first, e.start);
        const std::int64_t to = std::min(end, e.start + e.length);
        render_event(e, dst + (from - first), from - e.start, static_cast<std::size_t>(to - from));
    }
    // Every sound has ended before the gap by construction; this makes the zeros exact.
    const std::int64_t gap_from = std::max(first, frames_for(demo_silence_from, rate_));
    const std::int64_t gap_to = std::min(end, frames_for(demo_silence_to, rate_));
    if (gap_from < gap_to)
        std::fill(dst + (gap_from - first), dst + (gap_to - first), 0.0f);
}

void Demo::render_event(const Placed &e, float *dst, std::int64_t offset, std::size_t count) const {
    const double length = static_cast<double>(e.length) / rate_;
    // One loop per voice, so the choice of voice is made once per event, not per sample.
    auto add = [&](double gain, auto voice) {
        for (std::size_t i = 0; i < count; ++i) {
            const std::int64_t n = offset + static_cast<std::int64_t>(i);
            dst[i] += static_cast<float>(gain * voice(static_cast<double>(n) / rate_, n));
        }
    };
    switch (e.voice) {
    case DemoVoice::kick:
        add(kick_gain, [&](double t, std::int64_t) { return kick(t, length); });
        break;
    case DemoVoice::snare:
        add(snare_gain, [&](double t, std::int64_t n) { return snare(t, length, n, e.seed); });
        break;
    case DemoVoice::hihat:
        add(hihat_gain, [&](double t, std::int64_t n) { return hihat(t, length, n, e.seed); });
        break;
    case DemoVoice::lead:
        add(lead_gain, [&](double t, std::int64_t) { return lead(t, length, e.frequency, rate_); });
        break;
    case DemoVoice::bass:
        add(bass_gain, [&](double t, std::int64_t) { return bass(t, length, e.frequency); });
        break;
    }
}

} // namespace ts::gen
