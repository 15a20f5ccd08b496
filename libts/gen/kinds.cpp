// The kinds table: parameter checks, the generator of each kind, and its ground truth.
#include "gen/kinds.hpp"

#include "core/error.hpp"
#include "gen/clicks.hpp"
#include "gen/demo.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <string>

namespace ts::gen {
namespace {
std::string hz(double f) {
    std::string s = std::to_string(f);
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.')
        s.pop_back();
    return s + " Hz";
}

void below_nyquist(const char *option, double f, int rate) {
    if (f >= rate / 2.0)
        throw UsageError(std::string(option) + " " + hz(f) + " is not below the Nyquist " +
                         "frequency " + hz(rate / 2.0) + " of --rate " + std::to_string(rate));
}
} // namespace

const std::vector<KindInfo> &kinds() {
    static const std::vector<KindInfo> k = {
        {Kind::sine, "sine", "a pure tone",
         "sine: x = a*sin(2*pi*f*t + phase), with t = n/rate for frame n, f = --frequency "
         "(below rate/2), phase = --phase in degrees and a = 10^(amplitude/20). --amplitude is "
         "the peak level; the RMS level is 3.01 dB lower (a sine at -20 dBFS has an RMS of "
         "-23.01 dBFS)."},
        {Kind::sweep, "sweep", "a sine sweep, logarithmic or linear",
         "sweep: a sine whose instantaneous frequency goes from --from at t = 0 to --to at "
         "t = T, the duration: f(t) = from*(to/from)^(t/T) with --mode log (the same time for "
         "every octave), from + (to - from)*t/T with --mode lin. The phase is the exact integral "
         "of f(t), starting at 0. --amplitude is the peak level. --to defaults to 20000 Hz, or "
         "0.45*rate when that is lower; both ends must be below rate/2."},
        {Kind::noise, "noise", "seeded white or pink noise",
         "noise: here --amplitude is the RMS level r. White noise is uniform in "
         "[-r*sqrt(3), r*sqrt(3)], so its peaks are 4.77 dB above r. Pink noise is the same "
         "white noise through Paul Kellet's refined filter (-3 dB per octave, within 0.05 dB, "
         "above rate/4800), scaled by the filter's exact power gain to the same RMS; its "
         "peaks reach about 13 dB above r. The random numbers come from PCG32 seeded with "
         "--seed, so a seed gives the same samples on every machine."},
        {Kind::silence, "silence", "digital silence", "silence: every sample is 0."},
        {Kind::clicks, "clicks", "a click track at a given tempo",
         "clicks: beat k starts at frame round(k*60*rate/tempo), the first at t = 0. A click "
         "is a 2 kHz cosine (rate/4 when that is lower) decaying with a 1.5 ms time constant, "
         "cut after 10 ms (or half a beat): its first sample is its peak, --amplitude, so onset "
         "detectors and beat trackers place it on the beat's own frame."},
        {Kind::dc, "dc", "a constant value",
         "dc: every sample equals --level, from -1 to 1 (--amplitude does not apply)."},
        {Kind::demo, "demo", "a 30 s synthesized piece with known beats, notes, key and silence",
         "demo: 30 s of music at 120 BPM in A minor. Drums: kick on beats 1 and 3, snare on 2 "
         "and 4, hi-hat on every eighth. A monophonic lead, the loudest part of the mix "
         "(harmonic partials of amplitude k^-1.5), plays notes of one beat or longer with a "
         "50 ms gap before the next onset, including the leading tone G# over the E major "
         "chords; a quiet bass plays the chord roots (Am Dm E Am | F Dm E Am | Am E - | Am Dm "
         "E Am, one chord a bar). Every instrument stops for a gap of digital zero from 20.0 s "
         "to 22.0 s. The mix peaks at about -4 dBFS and --amplitude does not apply. Without "
         "--duration the piece lasts 30 s; a --duration cuts it short or plays it in a loop."},
    };
    return k;
}

const char *kind_name(Kind kind) {
    for (const auto &k : kinds())
        if (k.kind == kind)
            return k.name;
    return "?";
}

const char *truth_definition() {
    return "--truth FILE writes a JSON object on one line, atomically like -o. Every kind gives "
           "kind, duration (seconds) and rate; sine adds frequency, phase, peak_db and rms_db; "
           "sweep from, to, mode and peak_db; noise color, seed and rms_db; silence the span "
           "[[0, duration]] as silence; clicks tempo, beats and onsets (seconds) and peak_db; "
           "dc level.\n\n"
           "The demo gives tempo (120); beats, every 0.5 s from 0 (the count goes on through "
           "the gap); onsets, every note and drum onset, sorted, onsets closer than 30 ms merged "
           "into the first; notes, the lead's notes as {onset, duration, midi, frequency}, a "
           "note sounding until onset + duration, release included; key (\"A minor\"); "
           "silence, the spans of digital zero longer than a second as [start, end]: [19.82, "
           "22.0] (every instrument stops at 20.0; the last hihat before it ends at 19.82); chords, {onset, duration, label} in MIREX syntax (\"A:min\", \"E:maj\", "
           "\"N\" over the gap); drums, the kick, snare and hihat onset times. A looped demo "
           "repeats them all every 30 s.";
}

std::optional<Kind> parse_kind(std::string_view name) {
    for (const auto &k : kinds())
        if (name == k.name)
            return k.kind;
    return std::nullopt;
}

double sweep_to(const Params &p) {
    return p.to ? *p.to : std::min(20000.0, 0.45 * p.rate);
}

void check(const Params &p) {
    if (p.amplitude_given &&
        (p.kind == Kind::silence || p.kind == Kind::dc || p.kind == Kind::demo))
        throw UsageError(std::string("--amplitude does not apply to ") + kind_name(p.kind));
    if (p.kind == Kind::sine)
        below_nyquist("--frequency", p.frequency, p.rate);
    if (p.kind == Kind::sweep) {
        below_nyquist("--from", p.from, p.rate);
        below_nyquist("--to", sweep_to(p), p.rate);
        if (p.mode == SweepMode::log && (p.from <= 0 || sweep_to(p) <= 0))
            throw UsageError("a log sweep needs --from and --to above 0 Hz");
    }
}

std::unique_ptr<Generator> make(const Params &p) {
    const double a = db_to_gain(p.amplitude_db);
    switch (p.kind) {
    case Kind::sine:
        return std::make_unique<Sine>(p.rate, p.frames, p.frequency, p.phase, a);
    case Kind::sweep:
        return std::make_unique<Sweep>(p.rate, p.frames, p.from, sweep_to(p), p.mode, a);
    case Kind::noise:
        return std::make_unique<Noise>(p.frames, p.color, p.seed, a);
    case Kind::silence:
        return std::make_unique<Constant>(p.frames, 0.0);
    case Kind::clicks:
        return std::make_unique<Clicks>(p.rate, p.frames, p.tempo, a);
    case Kind::dc:
        return std::make_unique<Constant>(p.frames, p.level);
    case Kind::demo:
        return std::make_unique<Demo>(p.rate, p.frames);
    }
    return nullptr;
}

nlohmann::json truth(const Params &p) {
    using nlohmann::json;
    if (p.kind == Kind::demo)
        return demo_truth(p.rate, p.frames);
    const double duration = static_cast<double>(p.frames) / p.rate;
    json t = {{"kind", kind_name(p.kind)}, {"duration", duration}, {"rate", p.rate}};
    switch (p.kind) {
    case Kind::sine:
        t["frequency"] = p.frequency;
        t["phase"] = p.phase;
        t["peak_db"] = p.amplitude_db;
        t["rms_db"] = p.amplitude_db - 20.0 * std::log10(std::sqrt(2.0));
        break;
    case Kind::sweep:
        t["from"] = p.from;
        t["to"] = sweep_to(p);
        t["mode"] = p.mode == SweepMode::log ? "log" : "lin";
        t["peak_db"] = p.amplitude_db;
        break;
    case Kind::noise:
        t["color"] = p.color == NoiseColor::white ? "white" : "pink";
        t["seed"] = p.seed;
        t["rms_db"] = p.amplitude_db;
        break;
    case Kind::silence:
        t["silence"] = duration > 0 ? json::array({json::array({0.0, duration})}) : json::array();
        break;
    case Kind::clicks: {
        json beats = json::array();
        const double period = 60.0 / p.tempo;
        for (std::int64_t k = 0; static_cast<double>(k) * period < duration; ++k)
            beats.push_back(static_cast<double>(k) * period);
        t["tempo"] = p.tempo;
        t["beats"] = beats;
        t["onsets"] = beats;
        t["peak_db"] = p.amplitude_db;
        break;
    }
    case Kind::dc:
        t["level"] = p.level;
        break;
    case Kind::demo:
        break;
    }
    return t;
}

} // namespace ts::gen
