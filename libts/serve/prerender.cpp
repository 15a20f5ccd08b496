// The background queue of prerender.hpp: one thread, items in order.
#include "serve/prerender.hpp"

#include "core/log.hpp"

#include <exception>

namespace ts::serve {

void Prerenderer::start(std::function<void(const std::string &)> work) {
    std::lock_guard g(mutex_);
    if (thread_.joinable())
        return;
    work_ = std::move(work);
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void Prerenderer::enqueue(const std::string &item) {
    {
        std::lock_guard g(mutex_);
        if (!thread_.joinable() || stopping_ || queue_.size() >= 1000)
            return;
        queue_.push_back(item);
    }
    cv_.notify_all();
}

void Prerenderer::stop() {
    {
        std::lock_guard g(mutex_);
        if (!thread_.joinable())
            return;
        stopping_ = true;
        queue_.clear();
    }
    cv_.notify_all();
    thread_.join();
}

void Prerenderer::run() {
    std::unique_lock l(mutex_);
    for (;;) {
        cv_.wait(l, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_)
            return;
        const std::string item = queue_.front();
        queue_.pop_front();
        l.unlock();
        try {
            work_(item);
        } catch (const std::exception &e) {
            // The request that wants it renders it then, and says why if it fails again.
            log::warning("item " + item + ": rendering in the background failed: " + e.what());
        }
        l.lock();
    }
}

} // namespace ts::serve
