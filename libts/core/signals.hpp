// Interruption by SIGINT/SIGTERM, polled by long loops so outputs are cleaned up on the way out.
#pragma once

namespace ts::signals {

// Installs the handlers (without SA_RESTART, so a blocked read returns EINTR) and ignores
// SIGPIPE so that a closed pipe surfaces as EPIPE on write.
void install();

// The signal number received, or 0.
int received();

// Throws ts::Interrupted when a signal arrived.
void check();

} // namespace ts::signals
