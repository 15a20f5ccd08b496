// Decoding ahead on a thread: a producer fills blocks, read() empties them in order.
#include "graph/prefetch.hpp"

#include <algorithm>

namespace ts::graph {

Prefetch::Prefetch(std::unique_ptr<decode::Source> in, std::size_t block, std::size_t depth)
    : in_(std::move(in)), block_(std::max<std::size_t>(block, 1)),
      depth_(std::max<std::size_t>(depth, 1)),
      channels_(static_cast<std::size_t>(std::max(in_->header().channels, 1))) {
    thread_ = std::thread([this] { run(); });
}

Prefetch::~Prefetch() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    emptied_.notify_all();
    thread_.join();
}

void Prefetch::run() {
    try {
        for (;;) {
            Block b;
            {
                std::unique_lock lock(mutex_);
                emptied_.wait(lock, [&] { return stop_ || queue_.size() < depth_; });
                if (stop_)
                    return;
                if (!spare_.empty()) {
                    b.samples = std::move(spare_.back());
                    spare_.pop_back();
                }
            }
            b.samples.resize(block_ * channels_);
            b.frames = in_->read(b.samples.data(), block_);
            std::lock_guard lock(mutex_);
            if (b.frames == 0) {
                end_ = true;
                filled_.notify_one();
                return;
            }
            queue_.push_back(std::move(b));
            filled_.notify_one();
        }
    } catch (...) {
        std::lock_guard lock(mutex_);
        error_ = std::current_exception();
        end_ = true;
        filled_.notify_one();
    }
}

// One block per call at most, so a reader asking for `block` frames gets the very reads the
// source gave (the same block boundaries as reading it directly).
std::size_t Prefetch::read(float *dst, std::size_t max_frames) {
    if (max_frames == 0)
        return 0;
    if (used_ == current_.frames) { // the next block, waiting for it if need be
        std::unique_lock lock(mutex_);
        if (!current_.samples.empty())
            spare_.push_back(std::move(current_.samples));
        current_ = Block();
        used_ = 0;
        filled_.wait(lock, [&] { return !queue_.empty() || end_; });
        if (queue_.empty()) {
            if (error_)
                std::rethrow_exception(std::exchange(error_, nullptr));
            return 0;
        }
        current_ = std::move(queue_.front());
        queue_.pop_front();
        lock.unlock();
        emptied_.notify_one();
    }
    const std::size_t n = std::min(max_frames, current_.frames - used_);
    std::copy_n(current_.samples.data() + used_ * channels_, n * channels_, dst);
    used_ += n;
    return n;
}

} // namespace ts::graph
