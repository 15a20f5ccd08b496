// The demo piece: 30 s of synthesized music at 120 BPM in A minor, with its ground truth.
#pragma once

#include "gen/generator.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ts::gen {

constexpr double demo_length = 30.0; // seconds; a longer output plays the piece in a loop
constexpr double demo_tempo = 120.0;
constexpr double demo_silence_from = 20.0; // every instrument stops: digital zero
constexpr double demo_silence_to = 22.0;

enum class DemoVoice { kick, snare, hihat, lead, bass };

// One note or drum hit of the score. Its sound starts at `onset` and has reached exactly zero
// at onset + duration (notes include their release). Drums have midi 0.
struct DemoEvent {
    DemoVoice voice;
    double onset;
    double duration;
    int midi;
};

struct DemoChord {
    double onset;
    double duration;
    std::string label; // Harte syntax as in MIREX: "A:min", "E:maj", "N" for none
};

// The 30 s score, sorted by onset, and its chords.
const std::vector<DemoEvent> &demo_score();
const std::vector<DemoChord> &demo_chords();

// Equal temperament, A4 (MIDI 69) = 440 Hz.
double midi_frequency(int midi);

// The demo rendered at `rate`, `frames` long: cut short, or looped every 30 s.
class Demo : public Generator {
  public:
    Demo(int rate, std::int64_t frames);

  protected:
    void render(float *dst, std::size_t count, std::int64_t first) override;

  private:
    struct Placed {
        DemoVoice voice;
        std::int64_t start;  // frame in the piece
        std::int64_t length; // frames
        double frequency;
        std::uint64_t seed; // noise of the drum voices
    };
    void render_piece(float *dst, std::size_t count, std::int64_t first) const;
    void render_event(const Placed &e, float *dst, std::int64_t offset, std::size_t count) const;

    int rate_;
    std::int64_t piece_frames_;
    std::vector<Placed> events_; // sorted by start
    std::vector<float> cache_;   // the first pass of a loop
};

// The ground truth of the first `frames` frames of the demo at `rate`, looped like the audio:
// {"kind", "duration", "rate", "tempo", "key", "beats", "onsets", "notes", "silence",
// "chords", "drums"} as documented in ts-gen(1).
nlohmann::json demo_truth(int rate, std::int64_t frames);

} // namespace ts::gen
