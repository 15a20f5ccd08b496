// silence: "silence" / "sound" segments from the level of short frames against a threshold.
#include "analyze/analyzers.hpp"

#include <algorithm>
#include <cmath>

namespace ts::analyze {
namespace {

class Silence : public Analyzer {
  public:
    Silence(double threshold, double min_duration, double frame)
        : threshold_(threshold), min_duration_(min_duration), frame_seconds_(frame) {}

    void setup(Context &ctx) override {
        rate_ = ctx.rate();
        channels_ = ctx.channels();
        frame_ = std::max<std::int64_t>(1, std::llround(frame_seconds_ * rate_));
        // Mean square below this is silent; 10^(threshold/10), compared without a log.
        limit_ = std::pow(10.0, threshold_ / 10.0);
        sum_.assign(static_cast<std::size_t>(channels_), 0.0);
        ctx.on_blocks(
            [this](const float *x, std::size_t frames, int channels) { add(x, frames, channels); });
    }

    std::vector<result::Result> finish(std::int64_t frames) override {
        if (filled_ > 0)
            close_frame();
        result::Result r = output("");
        // Runs of silent frames shorter than min_duration count as sound; then equal
        // neighbours merge.
        std::vector<std::pair<std::int64_t, bool>> runs; // (start sample, silent)
        std::int64_t at = 0;
        for (std::size_t i = 0; i < run_len_.size(); ++i) {
            bool silent = run_silent_[i];
            const std::int64_t len = std::min(run_len_[i], frames - at);
            if (len <= 0)
                break;
            if (silent && static_cast<double>(len) < min_duration_ * rate_)
                silent = false;
            if (runs.empty() || runs.back().second != silent)
                runs.push_back({at, silent});
            at += len;
        }
        for (std::size_t i = 0; i < runs.size(); ++i) {
            const std::int64_t end = i + 1 < runs.size() ? runs[i + 1].first : at;
            r.time.push_back(static_cast<double>(runs[i].first) / rate_);
            r.duration.push_back(static_cast<double>(end - runs[i].first) / rate_);
            r.labels.push_back(runs[i].second ? "silence" : "sound");
        }
        return only(std::move(r));
    }

  private:
    void add(const float *x, std::size_t frames, int channels) {
        std::size_t i = 0;
        while (i < frames) {
            const std::size_t n =
                std::min<std::size_t>(frames - i, static_cast<std::size_t>(frame_ - filled_));
            for (int c = 0; c < channels; ++c) {
                double s = 0;
                const float *p = x + i * static_cast<std::size_t>(channels) + c;
                for (std::size_t j = 0; j < n; ++j) {
                    const double v = p[j * static_cast<std::size_t>(channels)];
                    s += v * v;
                }
                sum_[static_cast<std::size_t>(c)] += s;
            }
            filled_ += static_cast<std::int64_t>(n);
            i += n;
            if (filled_ == frame_)
                close_frame();
        }
    }

    // The frame is silent when every channel's mean square is below the limit.
    void close_frame() {
        double top = 0;
        for (double &s : sum_) {
            top = std::max(top, s / static_cast<double>(filled_));
            s = 0;
        }
        const bool silent = top < limit_;
        if (!run_silent_.empty() && run_silent_.back() == silent)
            run_len_.back() += filled_;
        else {
            run_silent_.push_back(silent);
            run_len_.push_back(filled_);
        }
        filled_ = 0;
    }

    double threshold_, min_duration_, frame_seconds_;
    int rate_ = 0, channels_ = 1;
    std::int64_t frame_ = 1, filled_ = 0;
    double limit_ = 0;
    std::vector<double> sum_;
    // Runs of equal frames: bounded by the number of changes, not the input's length.
    std::vector<bool> run_silent_;
    std::vector<std::int64_t> run_len_;
};

} // namespace

Definition silence_definition() {
    Definition d;
    d.id = "silence";
    d.name = "Silence";
    d.all_channels = true;
    d.description =
        "Silent and sounding parts of the input. Every channel is cut into consecutive, "
        "non-overlapping frames of round(frame * rate) samples (the last one may be shorter); "
        "a frame is silent when the mean square of every channel over it is below "
        "10^(threshold/10), i.e. its RMS level 10 log10(mean(x^2)) is below threshold dBFS on "
        "all channels (a full-scale sine is -3 dBFS; digital zero is -inf). Runs of silent "
        "frames lasting less than min_duration seconds are counted as sound; then adjacent "
        "segments with the same label are merged, so segments alternate and cover the whole "
        "input from 0 to its end. Boundaries fall on frame edges: they are exact to one frame "
        "(10 ms by default).";
    d.params = {
        {"threshold",
         ParamType::number,
         "-60",
         -200,
         0,
         {},
         "level below which a frame is silent, dBFS"},
        {"min_duration",
         ParamType::number,
         "0.5",
         0,
         86400,
         {},
         "shortest silence reported, seconds (shorter silent runs count as sound)"},
        {"frame", ParamType::number, "0.01", 0.0001, 60, {}, "frame length, seconds"},
    };
    d.outputs = {
        {"", "Silence", "", result::TimeMode::segment, result::DataMode::label,
         "Segments (time, duration in seconds) labelled \"silence\" or \"sound\", in order, "
         "covering the input; an empty input gives no segments, an input shorter than "
         "one frame one segment."},
    };
    d.make = [](const Params &p, const std::vector<std::string> &) {
        return std::make_unique<Silence>(p.number("threshold"), p.number("min_duration"),
                                         p.number("frame"));
    };
    return d;
}

} // namespace ts::analyze
