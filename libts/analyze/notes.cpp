// notes: note events (onset, duration, MIDI pitch) of a monophonic melody, by segmenting its
// own pitch track (as the pitch analyzer) at pitch changes and at energy onsets.
#include "analyze/analyzers.hpp"
#include "analyze/pitch_params.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

namespace ts::analyze {
namespace {

constexpr double onset_span = 0.05; // seconds back an energy rise is measured over

struct Frame {
    float midi;  // fractional MIDI pitch; NaN when unvoiced
    float level; // dB: 10 log10(mean square)
    float confidence;
};

struct Note {
    std::int64_t first, last; // frames, inclusive
    double midi;              // median of its frames
    double confidence;        // mean of its frames
};

double median(std::vector<float> v) {
    const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end());
    double m = *mid;
    if (v.size() % 2 == 0)
        m = (m + *std::max_element(v.begin(), mid)) / 2.0;
    return m;
}

class Notes : public Analyzer {
  public:
    Notes(PitchShape shape, const Params &p)
        : shape_(shape), min_duration_(p.number("min_duration")), split_(p.number("split")),
          onset_db_(p.number("onset_db")) {}
    void setup(Context &ctx) override {
        rate_ = ctx.rate();
        shape_.make_tracker(tracker_, rate_);
        ctx.on_frames(shape_.block, shape_.step, [this](const float *x, std::int64_t) {
            const dsp::PitchFrame f = tracker_->track(x);
            frames_.push_back(
                {f.voiced ? static_cast<float>(69.0 + 12.0 * std::log2(f.f0 / 440.0)) : NAN,
                 static_cast<float>(10.0 * std::log10(static_cast<double>(f.power) + 1e-20)),
                 f.confidence});
        });
    }
    std::vector<result::Result> finish(std::int64_t) override {
        std::vector<float> midi(frames_.size());
        for (std::size_t i = 0; i < frames_.size(); ++i)
            midi[i] = frames_[i].midi;
        running_median(midi, shape_.median_radius(rate_), [](float m) { return !std::isnan(m); });
        for (std::size_t i = 0; i < frames_.size(); ++i)
            frames_[i].midi = midi[i];
        result::Result r = output("");
        const double step = static_cast<double>(shape_.step) / rate_;
        const double centre = shape_.block / 2.0 / rate_;
        for (const Note &n : segment()) {
            const double duration = static_cast<double>(n.last - n.first + 1) * step;
            if (duration < min_duration_)
                continue;
            r.time.push_back(static_cast<double>(n.first) * step + centre);
            r.duration.push_back(duration);
            r.value.push_back(std::round(n.midi));
            r.confidence.push_back(n.confidence);
        }
        return only(std::move(r));
    }

  private:
    // Energy onsets: frames whose level is onset_db or more above the lowest level of the
    // frames in the previous onset_span seconds, the first frame of each such rise.
    std::vector<bool> onsets() const {
        const std::size_t n = frames_.size();
        std::vector<bool> on(n, false);
        if (onset_db_ <= 0)
            return on;
        const auto back = static_cast<std::size_t>(
            std::max(1L, std::lround(onset_span * rate_ / shape_.step)));
        bool rising = false;
        for (std::size_t i = 1; i < n; ++i) {
            float low = frames_[i - 1].level;
            for (std::size_t j = i > back ? i - back : 0; j < i; ++j)
                low = std::min(low, frames_[j].level);
            const bool rise = frames_[i].level - low >= onset_db_;
            on[i] = rise && !rising;
            rising = rise;
        }
        return on;
    }

    std::vector<Note> segment() const {
        const auto on = onsets();
        const std::size_t n = frames_.size();
        // The longest excursion a note bridges: shorter than min_duration.
        const auto bridge = static_cast<std::size_t>(
            std::max(0.0, std::ceil(min_duration_ * rate_ / shape_.step) - 1));
        std::vector<Note> notes;
        std::vector<float> pitches; // of the open note
        std::size_t first = 0, last = 0;
        double conf = 0;
        bool open = false;
        auto close = [&] {
            if (open)
                notes.push_back(
                    {static_cast<std::int64_t>(first), static_cast<std::int64_t>(last),
                     median(pitches), conf / static_cast<double>(pitches.size())});
            open = false;
            pitches.clear();
            conf = 0;
        };
        auto add = [&](std::size_t i) {
            if (!open) {
                open = true;
                first = i;
            }
            last = i;
            pitches.push_back(frames_[i].midi);
            conf += frames_[i].confidence;
        };
        auto on_pitch = [&](std::size_t i, double ref) {
            return !std::isnan(frames_[i].midi) && std::abs(frames_[i].midi - ref) < split_;
        };
        std::size_t i = 0;
        while (i < n) {
            if (!open) {
                if (!std::isnan(frames_[i].midi))
                    add(i);
                ++i;
                continue;
            }
            // The note's pitch so far: the median of its last 32 frames.
            const std::size_t keep = std::min<std::size_t>(pitches.size(), 32);
            const double ref = median(std::vector<float>(
                pitches.end() - static_cast<std::ptrdiff_t>(keep), pitches.end()));
            if (on_pitch(i, ref) && !on[i]) {
                add(i);
                ++i;
                continue;
            }
            if (on[i]) { // an energy onset starts a new note
                close();
                continue;
            }
            // An excursion (unvoiced, or off the note's pitch): bridged when the pitch comes
            // back within `bridge` frames with no energy onset on the way.
            std::size_t j = i + 1;
            while (j < n && j <= i + bridge && !on[j] && !on_pitch(j, ref))
                ++j;
            if (j < n && j <= i + bridge && !on[j]) {
                i = j;
                continue;
            }
            close();
        }
        close();
        return notes;
    }

    PitchShape shape_;
    double min_duration_, split_, onset_db_;
    int rate_ = 0;
    std::optional<dsp::PitchTracker> tracker_;
    std::vector<Frame> frames_;
};

} // namespace

Definition notes_definition() {
    Definition d;
    d.id = "notes";
    d.name = "Notes";
    d.description =
        std::string(
            "Note events of a monophonic melody: a pitch track computed as the pitch analyzer "
            "does (same parameters, described below), cut into notes. Each voiced frame has "
            "the pitch m = 69 + 12 log2(f0/440) (MIDI, fractional) and each frame the level "
            "L = 10 log10(mean x^2) dB. An energy onset is a frame whose L is at least "
            "onset_db above the lowest L of the frames in the previous 50 ms, the frame "
            "before it not being one (the first frame of each rise). A note opens at a "
            "voiced frame; its reference pitch is the median m of its last 32 frames. A "
            "voiced frame within `split` semitones of it, with no energy onset, extends the "
            "note. An energy onset ends the note and opens the next one there (at the next "
            "voiced frame). Any "
            "other frame (unvoiced, or `split` or more off the note) starts an excursion: "
            "when a frame within `split` of the reference follows within the frames of "
            "min_duration (exclusive) with no energy onset on the way, the excursion is "
            "bridged (a drum hit or a stray frame) and left out of the note's pitch; else the "
            "note ends at its last frame on pitch and the next note opens at the excursion's "
            "first voiced frame. So a note repeated at the same pitch is split by the dip and "
            "rise of level between the two, or by what sounds in between, when it lasts "
            "min_duration or more. Notes shorter than min_duration are dropped. Tuned and "
            "tested with yinfft (on the demo piece, yin takes the bass in the gaps before "
            "the lead's notes for their first frames and its onsets come late). ") +
        pitch_words();
    d.params = pitch_param_specs(256, "0");
    d.params.push_back({"split",
                        ParamType::number,
                        "1",
                        0.1,
                        12,
                        {},
                        "pitch change that starts a new note, semitones"});
    d.params.push_back({"onset_db",
                        ParamType::number,
                        "6",
                        0,
                        60,
                        {},
                        "rise of the level that starts a new note, dB (0: pitch changes only)"});
    d.params.push_back({"min_duration",
                        ParamType::number,
                        "0.05",
                        0,
                        60,
                        {},
                        "shortest note kept, seconds"});
    d.outputs = {
        {"", "Notes", "MIDI", result::TimeMode::segment, result::DataMode::value,
         "One segment per note: time = the centre of its first frame (first*step + block/2) "
         "/ rate, duration = its frames x step / rate, value = the nearest integer to its "
         "median MIDI pitch (69 = A4 = 440 Hz), confidence = the mean confidence of its "
         "frames. An input shorter than one block, or without voiced frames, gives none."},
    };
    d.make = [](const Params &p, const std::vector<std::string> &) {
        return std::make_unique<Notes>(pitch_shape("notes", p), p);
    };
    return d;
}

} // namespace ts::analyze
