// Schedulers decide when a trial stops, pauses or is promoted ("when"), never what to try
// ("what": that is the Searcher). Pure: events in, decisions out; no MPI, files or clocks.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rung/config/job_config.hpp"

namespace rung {

using TrialId = std::int64_t;

enum class Decision {
  Continue,  // train the next epoch
  Pause,     // checkpoint and free the worker; may be promoted later
  Stop,      // early-stopped: this trial ends here
  Complete,  // reached MaxResource: this trial ends here
};
[[nodiscard]] const char* to_string(Decision d);

// A paused trial chosen to resume, and the epoch it may train up to before the next decision.
struct Promotion {
  TrialId trial = -1;
  int until_epoch = 0;
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // A new trial starts at epoch 0. Returns the epoch of its first milestone.
  virtual int on_start(TrialId trial) = 0;
  // The trial finished `epoch` (1-based) with `score` (higher is better). Never returns
  // Continue at max_resource, and never Stop/Pause before min_resource.
  [[nodiscard]] virtual Decision on_report(TrialId trial, int epoch, double score) = 0;
  // The trial failed or was lost; it leaves the scheduler's books for promotion purposes.
  virtual void on_failed(TrialId trial) = 0;
  // A worker is free: the paused trial to resume, if one may be promoted now.
  [[nodiscard]] virtual std::optional<Promotion> promote() = 0;
  // Rung levels in epochs (for reports and the console); FIFO has just {max_resource}.
  [[nodiscard]] virtual std::vector<int> rungs() const = 0;
  [[nodiscard]] virtual std::string name() const = 0;
};

// The job's scheduler: Hyperband -> HyperbandScheduler (its brackets from rung.asha);
// Random, Grid, Bayesian -> MedianStoppingScheduler with TrainingJobEarlyStoppingType Auto,
// else FIFO (every trial trains to max_resource).
[[nodiscard]] std::unique_ptr<Scheduler> make_scheduler(const JobConfig& job);

}  // namespace rung
