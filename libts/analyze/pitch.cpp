// pitch: framewise fundamental frequency of the mono signal by YIN or aubio's yinfft, with
// its confidence and voicing.
#include "analyze/analyzers.hpp"
#include "analyze/pitch_params.hpp"

#include <algorithm>
#include <optional>

namespace ts::analyze {
namespace {

class Pitch : public Analyzer {
  public:
    Pitch(PitchShape shape, std::vector<std::string> outputs)
        : shape_(shape), outputs_(std::move(outputs)) {}
    void setup(Context &ctx) override {
        rate_ = ctx.rate();
        shape_.make_tracker(tracker_, rate_);
        ctx.on_frames(shape_.block, shape_.step, [this](const float *x, std::int64_t) {
            const dsp::PitchFrame f = tracker_->track(x);
            f0_.push_back(f.f0);
            confidence_.push_back(f.confidence);
            voiced_.push_back(f.voiced ? 1.0f : 0.0f);
        });
    }
    std::vector<result::Result> finish(std::int64_t) override {
        std::vector<result::Result> out;
        auto add = [&](const char *id, std::vector<float> &series) {
            if (std::find(outputs_.begin(), outputs_.end(), id) == outputs_.end())
                return;
            result::Result r = framewise(id, rate_, shape_.block, shape_.step);
            r.series = std::move(series);
            out.push_back(std::move(r));
        };
        running_median(f0_, shape_.median_radius(rate_), [](float f) { return f > 0.0f; });
        add("f0", f0_);
        add("confidence", confidence_);
        add("voiced", voiced_);
        return out;
    }

  private:
    PitchShape shape_;
    std::vector<std::string> outputs_;
    int rate_ = 0;
    std::optional<dsp::PitchTracker> tracker_;
    std::vector<float> f0_, confidence_, voiced_;
};

} // namespace

Definition pitch_definition() {
    Definition d;
    d.id = "pitch";
    d.name = "Pitch";
    d.description = std::string("Fundamental frequency (f0) of the mono mix-down, frame by "
                                "frame, for monophonic sound (a melody, a voice), with its "
                                "confidence and voicing. ") +
                    pitch_words();
    d.params = pitch_param_specs(256, "0.03");
    d.outputs = {
        {"f0", "Fundamental frequency", "Hz", result::TimeMode::framewise,
         result::DataMode::value,
         "f0 = rate / period in Hz for a voiced frame, 0 for an unvoiced one. An input "
         "shorter than one block gives an empty array."},
        {"confidence", "Pitch confidence", "", result::TimeMode::framewise,
         result::DataMode::value,
         "1 - d'(tau) at the chosen lag, clipped to [0, 1] (aubio's confidence): near 1 for "
         "a clean periodic frame; 0 for a silent one. Given for unvoiced frames too."},
        {"voiced", "Voicing", "", result::TimeMode::framewise, result::DataMode::value,
         "1 for a voiced frame (d'(tau) < threshold, level above silence), else 0."},
    };
    d.make = [](const Params &p, const std::vector<std::string> &outputs) {
        return std::make_unique<Pitch>(pitch_shape("pitch", p), outputs);
    };
    return d;
}

} // namespace ts::analyze
