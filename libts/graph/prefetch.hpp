// A source decoded ahead on a thread of its own, so that ts-graph's drawing computation
// (peaks, STFT frames) runs on one core while the decoding runs on another.
#pragma once

#include "decode/source.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace ts::graph {

// Reads `in` on a thread into a bounded queue of blocks (`depth` blocks of `block` frames at
// most: memory stays bounded), handed out by read() in order. An error of the decoder (or an
// interruption) is thrown by the read() that reaches it. The destructor stops the thread.
class Prefetch : public decode::Source {
  public:
    explicit Prefetch(std::unique_ptr<decode::Source> in, std::size_t block = 8192,
                      std::size_t depth = 8);
    ~Prefetch() override;
    Prefetch(const Prefetch &) = delete;
    Prefetch &operator=(const Prefetch &) = delete;

    // The header is complete when a source is opened, and not changed by reading.
    const pcm::Header &header() const override { return in_->header(); }
    const std::string &name() const override { return in_->name(); }
    int bits() const override { return in_->bits(); }
    std::size_t read(float *dst, std::size_t max_frames) override;

  private:
    struct Block {
        std::vector<float> samples;
        std::size_t frames = 0;
    };
    void run();

    std::unique_ptr<decode::Source> in_;
    const std::size_t block_, depth_, channels_;
    std::mutex mutex_;
    std::condition_variable filled_, emptied_;
    std::deque<Block> queue_;
    std::vector<std::vector<float>> spare_; // buffers handed back, reused
    bool end_ = false, stop_ = false;
    std::exception_ptr error_;
    Block current_;
    std::size_t used_ = 0; // frames of current_ already read
    std::thread thread_;
};

} // namespace ts::graph
