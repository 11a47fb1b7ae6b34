#include "rung/tune/completion.hpp"

#include <gtest/gtest.h>

namespace rung {
namespace {

Objective maximize() { return Objective{ObjectiveType::Maximize, "validation:accuracy"}; }
Objective minimize() { return Objective{ObjectiveType::Minimize, "validation:loss"}; }

TEST(CompletionCheck, target_is_reached_from_the_right_side_for_each_objective_type) {
  CompletionCriteria c;
  c.target_objective_value = 0.9;
  CompletionCheck max_check(c, maximize(), 2);
  EXPECT_FALSE(max_check.on_report(0.89));
  EXPECT_EQ(max_check.on_report(0.9), EndReason::TargetObjectiveMetricValueReached);
  c.target_objective_value = 0.2;
  CompletionCheck min_check(c, minimize(), 2);
  EXPECT_FALSE(min_check.on_report(0.25));
  EXPECT_EQ(min_check.on_report(0.19), EndReason::TargetObjectiveMetricValueReached);
}

TEST(CompletionCheck, no_criteria_never_end_a_job) {
  CompletionCheck check(CompletionCriteria{}, maximize(), 2);
  for (int i = 0; i < 100; ++i) {
    EXPECT_FALSE(check.on_report(0.5));
    EXPECT_FALSE(check.on_trial_finished(0.5));
  }
}

TEST(CompletionCheck, not_improving_counts_trials_that_beat_the_best_by_less_than_one_percent) {
  CompletionCriteria c;
  c.max_jobs_not_improving = 3;
  CompletionCheck check(c, maximize(), 2);
  EXPECT_FALSE(check.on_trial_finished(0.80));   // first: the best
  EXPECT_FALSE(check.on_trial_finished(0.805));  // +0.6%: not an improvement (1)
  EXPECT_FALSE(check.on_trial_finished(0.90));   // +11.8%: improves, count resets
  EXPECT_EQ(check.trials_not_improving(), 0);
  EXPECT_FALSE(check.on_trial_finished(0.50));  // 1
  EXPECT_FALSE(check.on_trial_finished(0.905));  // 2 (+0.6%)
  EXPECT_EQ(check.on_trial_finished(0.70), EndReason::BestObjectiveNotImproving);  // 3
}

TEST(CompletionCheck, convergence_needs_two_windows_then_a_flat_best) {
  CompletionCriteria c;
  c.complete_on_convergence = true;
  CompletionCheck check(c, minimize(), 2);  // W = max(10, 4) = 10
  ASSERT_EQ(check.convergence_window(), 10);
  // Improving steadily for 20 trials: no convergence.
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(check.on_trial_finished(1.0 - 0.04 * i)) << i;
  // Then 9 trials that do not improve the best: still inside the window.
  for (int i = 0; i < 9; ++i) EXPECT_FALSE(check.on_trial_finished(0.9)) << i;
  // The 10th flat trial: the best moved 0 over the last 10 finished trials.
  EXPECT_EQ(check.on_trial_finished(0.9), EndReason::ConvergenceDetected);
}

}  // namespace
}  // namespace rung
