// Signal handling: a flag set by the handler, polled by the work loops.
#include "core/signals.hpp"

#include "core/error.hpp"

#include <atomic>
#include <csignal>

namespace ts::signals {
namespace {
// The one piece of process state a handler may touch; atomic (lock-free, so async-signal
// safe) because tools read it from several threads (ts-transcode's decoding thread).
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

void on_signal(int sig) { g_signal.store(sig, std::memory_order_relaxed); }
} // namespace

void install() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    // Past a file-size limit (ulimit -f) a write then fails with EFBIG, which the writers
    // report and clean up after, instead of the process dying with no word and its
    // temporary file left behind.
    std::signal(SIGXFSZ, SIG_IGN);
}

int received() { return g_signal.load(std::memory_order_relaxed); }

void check() {
    if (g_signal.load(std::memory_order_relaxed) != 0)
        throw Interrupted();
}

} // namespace ts::signals
