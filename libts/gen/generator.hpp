// The interface every ts-gen signal implements, and the level and length helpers they share.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ts::gen {

// Linear gain of a level in dBFS (0 dBFS is full scale, a sample of ±1.0).
double db_to_gain(double db);

// The frame count of a duration: round(seconds * rate).
std::int64_t frames_for(double seconds, int rate);

// A mono signal of known length, produced block by block. Every kind computes its samples
// from the absolute frame index (or from state carried forward in order), so the samples do
// not depend on the block sizes a caller asks for.
class Generator {
  public:
    explicit Generator(std::int64_t frames) : frames_(frames < 0 ? 0 : frames) {}
    virtual ~Generator() = default;
    Generator(const Generator &) = delete;
    Generator &operator=(const Generator &) = delete;

    std::int64_t frames() const { return frames_; }
    std::int64_t position() const { return pos_; }

    // Writes the next min(count, frames left) samples to dst; returns how many (0 at the end).
    std::size_t generate(float *dst, std::size_t count);

  protected:
    // Fills dst with `count` samples starting at absolute frame `first`; called in order.
    virtual void render(float *dst, std::size_t count, std::int64_t first) = 0;

  private:
    std::int64_t frames_;
    std::int64_t pos_ = 0;
};

// Copies a mono block into every channel of an interleaved buffer.
void spread(const float *mono, float *interleaved, std::size_t frames, int channels);

} // namespace ts::gen
