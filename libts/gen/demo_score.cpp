// The demo's score (melody, bass, chords, drums, bar by bar) and the ground truth drawn from it.
#include "gen/demo.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <utility>

namespace ts::gen {
namespace {
constexpr double beat = 60.0 / demo_tempo;
constexpr int beats_per_bar = 4;
constexpr double bar_length = beat * beats_per_bar;
constexpr double note_gap = 0.05;     // between a note's end and the next onset: clear onsets
constexpr double bass_overlap = 0.05; // the bass's release overlaps the next bass note
constexpr double kick_length = 0.30;  // drum sounds, decayed to zero by then
constexpr double snare_length = 0.22;
constexpr double hihat_length = 0.07;
constexpr double onset_merge = 0.030; // onsets closer than this count as one

struct Bar {
    const char *chord;                       // empty: the silent bar
    int root;                                // MIDI note of the bass
    std::vector<std::pair<int, int>> melody; // (MIDI note or 0 for a rest, beats)
};

// A minor with its harmonic-minor leading tone G# (MIDI 68) over the E chords, so that key
// finders can tell it from C major. Bar 10 (20.0 to 22.0 s) is the silent gap.
const std::vector<Bar> &bars() {
    static const std::vector<Bar> b = {
        {"A:min", 45, {{69, 2}, {72, 1}, {76, 1}}},
        {"D:min", 50, {{77, 2}, {76, 1}, {74, 1}}},
        {"E:maj", 40, {{71, 2}, {68, 1}, {71, 1}}},
        {"A:min", 45, {{69, 4}}},
        {"F:maj", 41, {{72, 1}, {69, 1}, {65, 2}}},
        {"D:min", 50, {{74, 2}, {77, 1}, {76, 1}}},
        {"E:maj", 40, {{76, 1}, {74, 1}, {71, 1}, {68, 1}}},
        {"A:min", 45, {{69, 4}}},
        {"A:min", 45, {{76, 2}, {72, 1}, {69, 1}}},
        {"E:maj", 40, {{71, 2}, {68, 1}, {0, 1}}},
        {"", 0, {}},
        {"A:min", 45, {{69, 1}, {71, 1}, {72, 1}, {74, 1}}},
        {"D:min", 50, {{77, 2}, {76, 1}, {74, 1}}},
        {"E:maj", 40, {{76, 1}, {71, 1}, {68, 2}}},
        {"A:min", 45, {{69, 4}}},
    };
    return b;
}

std::vector<DemoEvent> build_score() {
    std::vector<DemoEvent> s;
    for (std::size_t i = 0; i < bars().size(); ++i) {
        const Bar &bar = bars()[i];
        if (bar.chord[0] == '\0')
            continue;
        const double t0 = static_cast<double>(i) * bar_length;
        double t = t0;
        for (auto [midi, beats] : bar.melody) {
            if (midi != 0)
                s.push_back({DemoVoice::lead, t, beats * beat - note_gap, midi});
            t += beats * beat;
        }
        // Bass on beats 1 and 3, legato: each note rings into the next, so that the mix never
        // falls to digital zero outside the gap (trackers such as aubio's treat zeros as a
        // stop). Before a rest, and at the end of the piece, it stops with the melody.
        const bool rest_at_end = bar.melody.back().first == 0;
        const bool last = i + 1 == bars().size() || bars()[i + 1].chord[0] == '\0';
        s.push_back({DemoVoice::bass, t0, 2 * beat + bass_overlap, bar.root});
        s.push_back({DemoVoice::bass, t0 + 2 * beat,
                     rest_at_end ? beat - note_gap : 2 * beat + (last ? -note_gap : bass_overlap),
                     bar.root});
        for (int b = 0; b < beats_per_bar; ++b) {
            const double tb = t0 + b * beat;
            if (b % 2 == 0)
                s.push_back({DemoVoice::kick, tb, kick_length, 0});
            else
                s.push_back({DemoVoice::snare, tb, snare_length, 0});
        }
        for (int e = 0; e < 2 * beats_per_bar; ++e)
            s.push_back({DemoVoice::hihat, t0 + e * beat / 2, hihat_length, 0});
    }
    std::stable_sort(s.begin(), s.end(),
                     [](const DemoEvent &a, const DemoEvent &b) { return a.onset < b.onset; });
    return s;
}

std::vector<DemoChord> build_chords() {
    std::vector<DemoChord> c;
    for (std::size_t i = 0; i < bars().size(); ++i) {
        std::string label = bars()[i].chord[0] == '\0' ? "N" : bars()[i].chord;
        if (!c.empty() && c.back().label == label)
            c.back().duration += bar_length;
        else
            c.push_back({static_cast<double>(i) * bar_length, bar_length, label});
    }
    return c;
}
} // namespace

const std::vector<DemoEvent> &demo_score() {
    static const std::vector<DemoEvent> s = build_score();
    return s;
}

const std::vector<DemoChord> &demo_chords() {
    static const std::vector<DemoChord> c = build_chords();
    return c;
}

double midi_frequency(int midi) {
    return 440.0 * std::pow(2.0, (midi - 69) / 12.0);
}

nlohmann::json demo_truth(int rate, std::int64_t frames) {
    using nlohmann::json;
    const double duration = static_cast<double>(frames) / rate;
    json beats = json::array(), notes = json::array(), silence = json::array();
    json chords = json::array();
    json drums = {{"kick", json::array()}, {"snare", json::array()}, {"hihat", json::array()}};
    std::vector<double> onsets;
    for (double loop = 0; loop < duration; loop += demo_length) {
        for (double t = loop; t < std::min(duration, loop + demo_length); t += beat)
            beats.push_back(t);
        for (const DemoEvent &e : demo_score()) {
            const double t = loop + e.onset;
            if (t >= duration)
                break;
            onsets.push_back(t);
            if (e.voice == DemoVoice::lead)
                notes.push_back({{"onset", t},
                                 {"duration", std::min(e.duration, duration - t)},
                                 {"midi", e.midi},
                                 {"frequency", midi_frequency(e.midi)}});
            else if (e.voice == DemoVoice::kick)
                drums["kick"].push_back(t);
            else if (e.voice == DemoVoice::snare)
                drums["snare"].push_back(t);
            else if (e.voice == DemoVoice::hihat)
                drums["hihat"].push_back(t);
        }
        for (const DemoChord &c : demo_chords()) {
            const double t = loop + c.onset;
            if (t >= duration)
                break;
            chords.push_back({{"onset", t},
                              {"duration", std::min(c.duration, duration - t)},
                              {"label", c.label}});
        }
        // The gap is digital zero from the end of the last sound before it (every sound
        // ends at exactly zero at onset + duration) to demo_silence_to.
        double quiet_from = 0.0;
        for (const DemoEvent &e : demo_score())
            if (e.onset < demo_silence_from)
                quiet_from = std::max(quiet_from, std::min(e.onset + e.duration, demo_silence_from));
        if (loop + quiet_from < duration)
            silence.push_back({loop + quiet_from, std::min(loop + demo_silence_to, duration)});
    }
    std::sort(onsets.begin(), onsets.end());
    json merged = json::array();
    double last = -1.0;
    for (double t : onsets) {
        if (merged.empty() || t - last >= onset_merge) {
            merged.push_back(t);
            last = t;
        }
    }
    return {{"kind", "demo"},     {"duration", duration},
            {"rate", rate},       {"tempo", static_cast<int>(demo_tempo)},
            {"key", "A minor"},   {"beats", beats},
            {"onsets", merged},   {"notes", notes},
            {"silence", silence}, {"chords", chords},
            {"drums", drums}};
}

} // namespace ts::gen
