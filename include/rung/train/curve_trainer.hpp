// An instant trainer for real runs that train nothing: rung.model analytic or lcbench makes
// every epoch a lookup in the job's curve source (no computation, no sleep), so `rung run`
// drives the real coordinator, transport, journal and checkpoints at message speed. Used by
// the coordinator benchmark (bench/coordinator) and the MPI tests.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "rung/config/hyperparameters.hpp"
#include "rung/config/job_config.hpp"
#include "rung/sim/curve_source.hpp"
#include "rung/train/trainer.hpp"

namespace rung {

// A curve source shared by every trainer of a process. Sources may cache lookups
// (LcbenchCurves, LcbenchSurrogateCurves), so calls go through `mutex`: in-process workers
// are threads.
struct SharedCurves {
  std::unique_ptr<const CurveSource> source;
  std::mutex mutex;
};

// True for the models an instant trainer serves ("analytic", "lcbench").
[[nodiscard]] bool is_curve_model(const std::string& model);

// The process's curve source for `job` (default_curve_spec(job): lcbench:<task> is the
// LCBench surrogate rung ships, or the table $RUNG_LCBENCH_CURVES names), built on first use
// and then reused. Throws InputError or CheckpointError as make_curve_source does, and
// InputError when the source has fewer epochs than MaxResource.
[[nodiscard]] std::shared_ptr<SharedCurves> shared_curves(const JobConfig& job);

class CurveTrainer final : public Trainer {
 public:
  CurveTrainer(std::shared_ptr<SharedCurves> curves, HyperParameters hp);

  // The next epoch's metrics from the curve. train_time_s is the curve's epoch duration (what
  // the epoch would have taken), not the wall time spent, which is about zero.
  [[nodiscard]] EpochResult train_epoch() override;
  [[nodiscard]] int epoch() const override { return epoch_; }
  // The checkpoint holds the epoch count and the source's name: nothing else is state.
  void save_checkpoint(const std::string& path) const override;
  void load_checkpoint(const std::string& path) override;

 private:
  std::shared_ptr<SharedCurves> curves_;
  HyperParameters hp_;
  std::string source_name_;
  int epoch_ = 0;
};

}  // namespace rung
