// The worker loop: what every rank >= 1 (or every worker thread of a single-rank run) does.
// It announces itself, then trains whatever the coordinator assigns, one epoch at a time,
// obeying the decision after each epoch. Exceptions never leave a trial: a failing trial is
// reported to the coordinator and the worker takes the next assignment.
#pragma once

#include <string>

#include "rung/comm/transport.hpp"
#include "rung/config/job_config.hpp"
#include "rung/train/command_trainer.hpp"

namespace rung {

struct WorkerContext {
  std::string checkpoint_dir;  // OUT/checkpoints
  std::string host;
  std::string device = "cpu";
  CommandSetup command;  // rung.model command only
};

// Path of trial `name`'s checkpoint in `checkpoint_dir`.
[[nodiscard]] std::string checkpoint_path(const std::string& checkpoint_dir,
                                          const std::string& trial_name);

// Returns when the coordinator sends Shutdown.
void run_worker(WorkerTransport& transport, const JobConfig& job, const WorkerContext& context);

}  // namespace rung
