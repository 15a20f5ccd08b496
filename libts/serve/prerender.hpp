// Work done for an item in the background, after the request that made it was answered: the
// peaks a player asks for first, rendered once an upload or an import is accepted, so that
// the first view of a long recording does not wait for its decoding.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace ts::serve {

class Prerenderer {
  public:
    Prerenderer() = default;
    ~Prerenderer() { stop(); }
    Prerenderer(const Prerenderer &) = delete;
    Prerenderer &operator=(const Prerenderer &) = delete;

    // Starts the one background thread, which calls work(item id) for each id queued, in
    // order. Until started, enqueue keeps nothing.
    void start(std::function<void(const std::string &)> work);
    // Queues an item (at most 1000 waiting: beyond, the item is rendered on first request).
    void enqueue(const std::string &item);
    // Ends the thread once the item in hand is done; what is still queued is dropped.
    void stop();

  private:
    void run();

    std::function<void(const std::string &)> work_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::string> queue_;
    bool stopping_ = false;
    std::thread thread_;
};

} // namespace ts::serve
