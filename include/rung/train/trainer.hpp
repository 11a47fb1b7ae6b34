// A trainer trains one trial's model epoch by epoch and checkpoints it exactly. One per
// trial; the worker loop builds it from the trial's hyperparameters.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "rung/config/hyperparameters.hpp"
#include "rung/config/job_config.hpp"

namespace rung {

struct EpochResult {
  std::map<std::string, double> metrics;  // "validation:accuracy", "validation:loss", "train:loss"
  double train_time_s = 0.0;
  double eval_time_s = 0.0;
};

class Trainer {
 public:
  virtual ~Trainer() = default;
  // Trains one more epoch and evaluates. Throws TrialError on a NaN/inf loss.
  [[nodiscard]] virtual EpochResult train_epoch() = 0;
  // Epochs trained so far (restored by load()).
  [[nodiscard]] virtual int epoch() const = 0;
  // Writes the full state (parameters, buffers, optimizer state, epoch, RNG state,
  // hyperparameters) to `path` atomically: a temporary name, then a rename.
  virtual void save_checkpoint(const std::string& path) const = 0;
  // Restores from a checkpoint written by save_checkpoint for the same hyperparameters.
  // Throws CheckpointError naming the file on a missing, truncated or foreign file.
  virtual void load_checkpoint(const std::string& path) = 0;
  // The scheduler paused the trial here: checkpoint it to `path`. Trainers whose trial runs
  // outside this process (the command trainer) also let that run go.
  virtual void pause(const std::string& path) { save_checkpoint(path); }
  // The trial ends here: `completed` (it reached MaxResource) or stopped. Throws TrialError
  // when a trial that runs outside this process does not finish cleanly.
  virtual void finish(bool completed) { (void)completed; }
};

// Builds the trainer for `spec.model`. `hp` holds tuned and static hyperparameters together.
// Throws InputError for an unknown model or a hyperparameter it cannot use.
[[nodiscard]] std::unique_ptr<Trainer> make_trainer(const TrainingSpec& spec,
                                                    const HyperParameters& hp,
                                                    std::uint64_t seed);
// As above for job.training.model, and also for the curve models (analytic, lcbench), whose
// instant trainers need the job's search space and objective (rung/train/curve_trainer.hpp).
[[nodiscard]] std::unique_ptr<Trainer> make_trainer(const JobConfig& job,
                                                    const HyperParameters& hp,
                                                    std::uint64_t seed);

}  // namespace rung
