// A click track: one short decaying burst on every beat, the first at t = 0.
#pragma once

#include "gen/generator.hpp"

#include <vector>

namespace ts::gen {

// Beat k starts at frame round(k · 60 · rate / tempo). Each click is a 2 kHz cosine (rate/4
// when that is lower) under an exponential decay of 1.5 ms time constant, 10 ms long (or half a
// beat when shorter): its first sample is its peak, `amplitude`, so the onset is a step
// that onset detectors place on the exact frame.
class Clicks : public Generator {
  public:
    Clicks(int rate, std::int64_t frames, double tempo, double amplitude);

    // The first frame of beat k.
    std::int64_t beat_frame(std::int64_t k) const;

  protected:
    void render(float *dst, std::size_t count, std::int64_t first) override;

  private:
    int rate_;
    double tempo_;
    double frequency_;
    std::vector<float> click_;
};

} // namespace ts::gen
