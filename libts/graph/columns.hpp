// Per-column accumulation in bounded memory, for inputs of known or unknown length.
#pragma once

#include <cstdint>
#include <vector>

namespace ts::graph {

// How the values of one slot combine when several samples (or frames) fall in one column.
enum class Combine { min, max, sum };

// Accumulates records of `ops.size()` floats, each at a position (a frame index of the
// input), into `width` pixel columns.
//
// Known length (frames >= 0): position p goes straight to column floor(p * width / frames).
// Unknown length: records go to fine buckets of 2^k frames (k from 0); when the bucket count
// would exceed `limit`, neighbouring buckets are merged in pairs and the bucket size doubles.
// At the end, each bucket goes to the column holding its centre, with the length now known.
// Memory is limit * slots floats whatever the input's length; columns are exact to within
// one bucket, at most 2 * length / limit frames.
class Columns {
  public:
    Columns(int width, std::int64_t frames, std::vector<Combine> ops, std::size_t limit);
    std::size_t slots() const { return ops_.size(); }
    // Adds a record (slots() floats) at frame `position`.
    void add(std::int64_t position, const float *values);
    // The record that position goes to, and in `end` the first position past it that goes
    // elsewhere, so hot loops combine a run of samples without a division per sample. The
    // pointer is valid until the next call.
    float *record_at(std::int64_t position, std::int64_t &end);
    // Call once at the end with the input's length in frames. Gives width * slots() floats;
    // `filled[c]` says whether column c received anything.
    void finish(std::int64_t frames, std::vector<float> &out, std::vector<char> &filled);
    const std::vector<Combine> &ops() const { return ops_; }

  private:
    void reset(float *record) const;
    void combine(float *into, const float *from) const;
    void merge_pairs();

    int width_;
    std::int64_t frames_;
    std::vector<Combine> ops_;
    std::size_t limit_;
    std::int64_t bucket_ = 1; // frames per bucket (unknown length)
    std::vector<float> data_;
    std::vector<char> used_;
};

} // namespace ts::graph
