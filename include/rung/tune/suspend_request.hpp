// The process-wide "suspend this run" flag: SIGUSR1 (Slurm's walltime warning) and SIGTERM
// (preemption) set it to the signal's number from a signal handler; the coordinator and the
// workers poll it. A lock-free atomic, so setting it is async-signal-safe.
#pragma once

#include <atomic>

namespace rung {

static_assert(std::atomic<int>::is_always_lock_free, "the suspend flag must be signal-safe");

// 0 until a suspend is requested, then the number of the signal that asked (or -1 when a
// deadline did).
[[nodiscard]] std::atomic<int>& suspend_request() noexcept;

}  // namespace rung
