#include "rung/sched/scheduler.hpp"

#include "rung/sched/asha_scheduler.hpp"
#include "rung/sched/hyperband_scheduler.hpp"
#include "rung/sched/median_stopping_scheduler.hpp"

namespace rung {

const char* to_string(Decision d) {
  switch (d) {
    case Decision::Continue:
      return "Continue";
    case Decision::Pause:
      return "Pause";
    case Decision::Stop:
      return "Stop";
    case Decision::Complete:
      return "Complete";
  }
  return "Unknown";
}

// Hyperband: ASHA with Hyperband's brackets (asha.brackets; 1 = single-bracket ASHA), its
// bracket draws seeded by scheduler_seed(job.seed). Random, Grid and Bayesian: the median
// stopping rule when TrainingJobEarlyStoppingType is Auto, else FIFO. Hyperband stops trials
// itself, so early_stopping does not apply to it (SageMaker requires Off there; config checks).
std::unique_ptr<Scheduler> make_scheduler(const JobConfig& job) {
  if (job.strategy == Strategy::Hyperband) {
    return std::make_unique<HyperbandScheduler>(job.min_resource, job.max_resource, job.asha,
                                                scheduler_seed(job.seed));
  }
  if (job.early_stopping == EarlyStopping::Auto) {
    return std::make_unique<MedianStoppingScheduler>(job.min_resource, job.max_resource,
                                                     job.median_stopping);
  }
  return std::make_unique<FifoScheduler>(job.max_resource);
}

}  // namespace rung
