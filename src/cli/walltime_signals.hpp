// SIGUSR1 (Slurm's `--signal=USR1@lead` before the walltime) and SIGTERM (preemption, scancel)
// suspend a run instead of killing it: the handlers only set rung::suspend_request(), which
// the coordinator and the workers poll. Installed on every rank before MPI starts.
#pragma once

namespace rung::cli {

// Installs the handlers for SIGUSR1 and SIGTERM (SA_RESTART, so blocking calls go on).
void install_walltime_signal_handlers();

}  // namespace rung::cli
