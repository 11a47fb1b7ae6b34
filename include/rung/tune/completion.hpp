// When a tuning job may end before it has run every trial: SageMaker's
// TuningJobCompletionCriteria (target value, best objective not improving, convergence).
// Pure: the coordinator feeds it objective values; it answers with a reason to end.
// ResourceLimits.MaxRuntimeInSeconds is the coordinator's own (it needs the clock).
#pragma once

#include <optional>
#include <vector>

#include "rung/config/job_config.hpp"
#include "rung/tune/trial.hpp"

namespace rung {

class CompletionCheck {
 public:
  CompletionCheck(CompletionCriteria criteria, Objective objective, int max_parallel);

  // The objective reached `value` at some epoch of a running trial. TargetObjectiveMetricValue
  // is checked against every report, so a job ends as soon as any trial reaches it.
  [[nodiscard]] std::optional<EndReason> on_report(double value);

  // A trial ended (Completed or Stopped) with final objective `value`. Failed trials are not
  // reported here: they neither improve nor fail to improve the best.
  //  - BestObjectiveNotImproving: a finished trial improves the best if its objective beats
  //    the best so far by at least 1% of |best| (SageMaker's "by 1% or greater"); the job
  //    ends once MaxNumberOfTrainingJobsNotImproving finished trials in a row did not.
  //  - ConvergenceDetected: with W = max(10, 2 x MaxParallelTrainingJobs), after at least 2W
  //    finished trials, the best objective improved by at most 0.1% of the spread of
  //    finished objectives (best - worst) over the last W finished trials.
  [[nodiscard]] std::optional<EndReason> on_trial_finished(double value);

  [[nodiscard]] int trials_not_improving() const noexcept { return not_improving_; }
  [[nodiscard]] int convergence_window() const noexcept { return window_; }

 private:
  CompletionCriteria criteria_;
  Objective objective_;
  int window_;
  std::optional<double> best_score_;   // higher is better
  int not_improving_ = 0;
  std::vector<double> best_after_;     // best score after each finished trial
  double worst_score_ = 0.0;
};

}  // namespace rung
