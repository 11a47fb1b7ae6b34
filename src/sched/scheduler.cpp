#include "rung/sched/scheduler.hpp"

#include "rung/sched/asha_scheduler.hpp"

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

std::unique_ptr<Scheduler> make_scheduler(const JobConfig& job) {
  if (job.strategy == Strategy::Hyperband) {
    return std::make_unique<AshaScheduler>(job.min_resource, job.max_resource, job.asha);
  }
  return std::make_unique<FifoScheduler>(job.max_resource);
}

}  // namespace rung
