// Framewise series kept out of memory: values appended to an unlinked temporary file (in
// TMPDIR) as an analyzer makes them, and read back in blocks by the writers, so a result's
// size is paid in disk, not in memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ts::result {

struct Result;

// One unlinked temporary file of float32 values (native order), opened at the first append,
// shared by every series of a run, closed when the last result using it is freed.
class SpillFile {
  public:
    SpillFile() = default;
    ~SpillFile();
    SpillFile(const SpillFile &) = delete;
    SpillFile &operator=(const SpillFile &) = delete;
    // Appends n values and returns their byte offset. An Error when the file cannot be
    // made or written (a full TMPDIR: "No space left on device", naming the folder).
    std::uint64_t append(const float *v, std::size_t n);
    void read(std::uint64_t offset, float *out, std::size_t n) const;

  private:
    void open();
    int fd_ = -1;
    std::uint64_t end_ = 0;
    std::string dir_;
};

// A series' values in a spill file: (byte offset, value count) extents, in order.
struct Spilled {
    std::shared_ptr<SpillFile> file;
    std::vector<std::pair<std::uint64_t, std::size_t>> extents;
    std::size_t size = 0;
};

// Where an analyzer puts a framewise series as it makes it: in memory, or, once given a spill
// file, in memory up to `limit` values at a time and the rest in the file.
class SeriesBuffer {
  public:
    static constexpr std::size_t limit = 16384; // 64 KiB of values
    void spill_to(std::shared_ptr<SpillFile> file) { file_ = std::move(file); }
    // n more values at the end, zero, contiguous (one frame's row): filled by the caller
    // before the next call.
    float *grow(std::size_t n);
    void push_back(float v) { *grow(1) = v; }
    void reserve(std::size_t n) { tail_.reserve(n); } // in memory: sized once, never copied
    std::size_t size() const { return spilled_.size + tail_.size(); }
    // Moves the values into r: r.series when nothing was spilled, else r.spilled.
    void into(Result &r);

  private:
    void flush();
    std::vector<float> tail_;
    std::shared_ptr<SpillFile> file_;
    Spilled spilled_;
};

// Calls fn(values, first, n) over a result's series in order, from memory or from its spill
// file, in blocks of at most `block` values (whole rows when block is a multiple of width).
using SeriesBlockFn = std::function<void(const float *values, std::size_t first, std::size_t n)>;
void for_each_block(const Result &r, std::size_t block, const SeriesBlockFn &fn);

// Reads a spilled series back into r.series (for writers that need it whole).
void load_series(Result &r);

} // namespace ts::result
