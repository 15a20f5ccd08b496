// Signal handling: a flag set by the handler, polled by the work loops.
#include "core/signals.hpp"

#include "core/error.hpp"

#include <csignal>

namespace ts::signals {
namespace {
volatile std::sig_atomic_t g_signal = 0; // the one piece of process state a handler may touch

void on_signal(int sig) { g_signal = sig; }
} // namespace

void install() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

int received() { return g_signal; }

void check() {
    if (g_signal != 0)
        throw Interrupted();
}

} // namespace ts::signals
