// A Source that decodes ahead on a thread of its own into a small bounded ring of blocks.
#pragma once

#include "core/error.hpp"
#include "core/signals.hpp"
#include "decode/source.hpp"

#include <pthread.h>
#include <signal.h> // pthread_kill

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ts::decode {

// The producer thread calls the inner source's read() into `depth` blocks of `block_frames`
// frames (memory: depth * block_frames * channels floats, whatever the input's length); the
// consumer's read() copies out of them. The same samples come out, and an error of the inner
// read (corrupt or truncated input, an interruption) is rethrown by read() after the frames
// read before it, as the inner source would have. So decoding and the caller's work (an
// encoder) overlap on two cores.
//
// header(), name() and bits() are the inner source's, taken when wrapped (a header that the
// inner source completes later is not seen). sha1() stops reading ahead (joins the thread)
// and asks the inner source: call it at the end, as its contract says; reading after it goes
// on, on the caller's thread.
//
// Destruction stops the thread and joins it: a producer waiting for room stops at once, one
// inside the inner read() when that read returns. Signals: SIGINT and SIGTERM are normally
// delivered to the main thread, whose waits here poll signals::received() every 100 ms (no
// busy loop: a timed wait on a condition variable) and throw Interrupted; the destructor then
// sends the signal on to the producer so that a read blocked on a quiet pipe returns EINTR.
class ReadAhead : public Source {
  public:
    ReadAhead(std::unique_ptr<Source> in, std::size_t block_frames, int depth)
        : in_(std::move(in)), header_(in_->header()), name_(in_->name()), bits_(in_->bits()),
          block_(std::max<std::size_t>(block_frames, 1)),
          chans_(static_cast<std::size_t>(std::max(header_.channels, 1))),
          slots_(static_cast<std::size_t>(std::max(depth, 2))) {
        for (auto &s : slots_)
            s.data.resize(block_ * chans_);
        thread_ = std::thread([this] { produce(); });
    }
    ~ReadAhead() override { stop(); }
    ReadAhead(const ReadAhead &) = delete;
    ReadAhead &operator=(const ReadAhead &) = delete;

    const pcm::Header &header() const override { return header_; }
    const std::string &name() const override { return name_; }
    int bits() const override { return bits_; }
    std::string sha1() override {
        stop();
        return in_->sha1();
    }

    std::size_t read(float *dst, std::size_t max_frames) override {
        std::size_t got = 0;
        while (got < max_frames) {
            std::unique_lock lk(mu_);
            while (count_ == 0 && !finished_) {
                consumer_waiting_ = true;
                auto r = not_empty_.wait_for(lk, std::chrono::milliseconds(100));
                consumer_waiting_ = false;
                if (r == std::cv_status::timeout && signals::received() != 0) {
                    lk.unlock();
                    signals::check();
                }
            }
            if (count_ == 0) { // the producer is done: its end, its error, or stopped
                if (error_ && got == 0)
                    std::rethrow_exception(error_); // each call again, as a failing source
                if (error_ || !sync_)
                    return got;
                lk.unlock(); // after sha1(): the inner source is ours again
                return got + in_->read(dst + got * chans_, max_frames - got);
            }
            Slot &s = slots_[head_];
            lk.unlock();
            // The front slot is the consumer's until it is released below.
            std::size_t n = std::min(s.frames - s.used, max_frames - got);
            std::memcpy(dst + got * chans_, s.data.data() + s.used * chans_,
                        n * chans_ * sizeof(float));
            s.used += n;
            got += n;
            if (s.used == s.frames) {
                lk.lock();
                head_ = (head_ + 1) % slots_.size();
                --count_;
                const bool wake = producer_waiting_ && count_ <= slots_.size() / 2;
                lk.unlock();
                if (wake)
                    not_full_.notify_one();
            }
        }
        return got;
    }

  private:
    struct Slot {
        std::vector<float> data;
        std::size_t frames = 0;
        std::size_t used = 0;
    };

    void produce() {
        std::exception_ptr error;
        try {
            std::size_t tail = 0;
            for (;;) {
                {
                    // A full ring is refilled once half of it is free: the two threads wake
                    // each other once per depth/2 blocks, not once per block.
                    std::unique_lock lk(mu_);
                    if (count_ == slots_.size()) {
                        producer_waiting_ = true;
                        not_full_.wait(lk, [&] { return stop_ || count_ <= slots_.size() / 2; });
                        producer_waiting_ = false;
                    }
                    if (stop_)
                        break;
                }
                // slots_[tail] is free: the consumer only touches the `count_` slots from head_.
                Slot &s = slots_[tail];
                s.frames = in_->read(s.data.data(), block_);
                s.used = 0;
                if (s.frames == 0)
                    break;
                bool wake;
                {
                    std::lock_guard lk(mu_);
                    ++count_;
                    wake = consumer_waiting_;
                }
                if (wake)
                    not_empty_.notify_one();
                tail = (tail + 1) % slots_.size();
            }
        } catch (...) {
            error = std::current_exception();
        }
        {
            std::lock_guard lk(mu_);
            error_ = error;
            finished_ = true;
        }
        not_empty_.notify_all();
    }

    // Stops the producer and joins it; the blocks it queued stay readable.
    void stop() {
        if (!thread_.joinable())
            return;
        std::unique_lock lk(mu_);
        stop_ = true;
        not_full_.notify_all();
        while (!finished_)
            if (!not_empty_.wait_for(lk, std::chrono::milliseconds(100), [&] { return finished_; }))
                if (int sig = signals::received())
                    pthread_kill(thread_.native_handle(), sig); // a blocked read returns EINTR
        sync_ = !error_;
        lk.unlock();
        thread_.join();
    }

    std::unique_ptr<Source> in_;
    pcm::Header header_;
    std::string name_;
    int bits_;
    std::size_t block_;
    std::size_t chans_;
    std::vector<Slot> slots_;
    std::mutex mu_;
    std::condition_variable not_empty_; // a block queued, or the producer finished
    std::condition_variable not_full_;  // half the ring free, or stop_
    std::size_t head_ = 0;              // the consumer's slot
    std::size_t count_ = 0;             // queued slots, from head_
    bool stop_ = false;
    bool consumer_waiting_ = false; // notify only a thread that waits: no needless futex calls
    bool producer_waiting_ = false;
    bool finished_ = false;
    bool sync_ = false; // joined by sha1() before the end: read() reads the inner source itself
    std::exception_ptr error_;
    std::thread thread_;
};

// Wraps `source` in a ReadAhead (see above). 8 blocks of 8192 frames (512 KiB for stereo): the
// threads wake each other every 32768 frames; 1.5 s at 44.1 kHz of slack between the stages.
inline std::unique_ptr<Source> read_ahead(std::unique_ptr<Source> source,
                                          std::size_t block_frames = 8192, int depth = 8) {
    return std::make_unique<ReadAhead>(std::move(source), block_frames, depth);
}

} // namespace ts::decode
