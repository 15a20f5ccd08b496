// The ts-gen signal kinds in one table: their parameters, checks, generators and ground truth.
#pragma once

#include "gen/generator.hpp"
#include "gen/noise.hpp"
#include "gen/tones.hpp"

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace ts::gen {

enum class Kind { sine, sweep, noise, silence, clicks, dc, demo };

struct KindInfo {
    Kind kind;
    const char *name;
    const char *summary;    // one line, for help
    const char *definition; // the exact signal, a paragraph for the man page
};

// Every kind, in the order help lists them.
const std::vector<KindInfo> &kinds();
const char *kind_name(Kind kind);
std::optional<Kind> parse_kind(std::string_view name);

struct Params {
    Kind kind = Kind::sine;
    int rate = 44100;
    std::int64_t frames = 44100;
    double amplitude_db = -20.0;  // peak level (sine, sweep, clicks) or RMS level (noise)
    bool amplitude_given = false; // an error for the kinds that have no amplitude
    double frequency = 1000.0;    // sine
    double phase = 0.0;           // sine, degrees
    double from = 20.0;           // sweep
    std::optional<double> to;     // sweep; default 20 kHz, or 0.45 · rate when that is lower
    SweepMode mode = SweepMode::log;
    NoiseColor color = NoiseColor::white;
    std::uint64_t seed = 1;
    double tempo = 120.0; // clicks
    double level = 0.5;   // dc
};

// The sweep's end frequency, with its default resolved.
double sweep_to(const Params &p);

// Throws UsageError for values that are impossible together, such as a frequency at or above
// the Nyquist frequency of the rate, or an amplitude given to silence, dc or the demo.
void check(const Params &p);

std::unique_ptr<Generator> make(const Params &p);

// What the signal is known to contain: {"kind", "duration", "rate", ...} with the kind's own
// facts (see ts-gen(1)); the demo's is demo_truth().
nlohmann::json truth(const Params &p);

// What truth() writes, a man page section.
const char *truth_definition();

} // namespace ts::gen
