#include "rung/tune/completion.hpp"

#include <algorithm>
#include <cmath>

namespace rung {

CompletionCheck::CompletionCheck(CompletionCriteria criteria, Objective objective,
                                 int max_parallel)
    : criteria_(criteria), objective_(std::move(objective)), window_(std::max(10, 2 * max_parallel)) {}

std::optional<EndReason> CompletionCheck::on_report(double value) {
  if (!criteria_.target_objective_value) return std::nullopt;
  const double target = *criteria_.target_objective_value;
  const bool reached =
      objective_.type == ObjectiveType::Maximize ? value >= target : value <= target;
  if (reached) return EndReason::TargetObjectiveMetricValueReached;
  return std::nullopt;
}

std::optional<EndReason> CompletionCheck::on_trial_finished(double value) {
  const double score = objective_.score(value);
  if (!best_score_) {
    best_score_ = score;
    worst_score_ = score;
    not_improving_ = 0;
  } else {
    const double margin = 0.01 * std::abs(*best_score_);
    if (score >= *best_score_ + margin && score > *best_score_) {
      not_improving_ = 0;
    } else {
      ++not_improving_;
    }
    best_score_ = std::max(*best_score_, score);
    worst_score_ = std::min(worst_score_, score);
  }
  best_after_.push_back(*best_score_);

  if (criteria_.max_jobs_not_improving && not_improving_ >= *criteria_.max_jobs_not_improving) {
    return EndReason::BestObjectiveNotImproving;
  }
  const auto n = static_cast<int>(best_after_.size());
  if (criteria_.complete_on_convergence && n >= 2 * window_) {
    const double improvement = best_after_.back() - best_after_[static_cast<std::size_t>(n - 1 - window_)];
    const double spread = *best_score_ - worst_score_;
    if (improvement <= 0.001 * spread) return EndReason::ConvergenceDetected;
  }
  return std::nullopt;
}

}  // namespace rung
