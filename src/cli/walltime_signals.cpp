#include "walltime_signals.hpp"

#include <csignal>

#include "rung/config/error.hpp"
#include "rung/tune/suspend_request.hpp"

namespace rung::cli {
namespace {

void on_walltime_signal(int signal) {
  // Async-signal-safe: one store to a lock-free atomic, nothing else.
  suspend_request().store(signal);
}

}  // namespace

void install_walltime_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_walltime_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (const int signal : {SIGUSR1, SIGTERM}) {
    if (sigaction(signal, &action, nullptr) != 0) {
      throw Error("cannot install the handler for signal " + std::to_string(signal));
    }
  }
}

}  // namespace rung::cli
