// Deterministic tones: a sine, a sine sweep, and constant signals (silence, DC).
#pragma once

#include "gen/generator.hpp"

namespace ts::gen {

// x[n] = a · sin(2π·f·n/rate + φ).
class Sine : public Generator {
  public:
    Sine(int rate, std::int64_t frames, double frequency, double phase_degrees, double amplitude);

  protected:
    void render(float *dst, std::size_t count, std::int64_t first) override;

  private:
    int rate_;
    double frequency_;
    double phase_; // radians
    double amplitude_;
};

enum class SweepMode { log, lin };

// A sine whose instantaneous frequency goes from `from` at t = 0 to `to` at t = T (the
// duration, frames/rate): exponentially (f0·(f1/f0)^(t/T)) or linearly. The phase is the exact
// integral of that frequency, starting at 0.
class Sweep : public Generator {
  public:
    Sweep(int rate, std::int64_t frames, double from, double to, SweepMode mode, double amplitude);

  protected:
    void render(float *dst, std::size_t count, std::int64_t first) override;

  private:
    int rate_;
    double from_;
    double to_;
    SweepMode mode_;
    double amplitude_;
    double length_; // T in seconds
};

// Every sample equal to `level`: silence (0) or DC.
class Constant : public Generator {
  public:
    Constant(std::int64_t frames, double level) : Generator(frames), level_(level) {}

  protected:
    void render(float *dst, std::size_t count, std::int64_t first) override;

  private:
    double level_;
};

} // namespace ts::gen
