// The median stopping rule (Golovin et al., 2017, "Google Vizier"), which SageMaker runs for
// TrainingJobEarlyStoppingType: Auto with the Random, Grid and Bayesian strategies. Every trial
// trains toward MaxResource and is judged after each epoch; it never pauses.
//
// The rule, after trial T reports its score at epoch e (scores are higher-is-better):
//  - e >= MaxResource: Complete.
//  - e < max(grace_epochs, MinResource): Continue (never stopped before either).
//  - Otherwise, over the *other* trials that have reported epoch e: each one's running average
//    at e is the mean of its scores at epochs 1..e (the epochs it reported). If at least
//    max(min_trials, 1) other trials have one and T's score at e is strictly below their
//    median, Stop; else Continue. (SageMaker: "worse than the median value of running
//    averages of the objective metric for previous training jobs up to the same epoch".)
// Choices where the rule is loose:
//  - T is compared by its current score at e, not its best so far (SageMaker's wording; Vizier
//    uses the best so far). Equal to the median goes on.
//  - "Other trials" are all trials that reached e, running, finished, stopped or failed:
//    a trial stopped at epoch 4 keeps its running averages at epochs 1..4 and counts at those
//    epochs only. A failed trial's reported scores count too (they were real).
//  - The median of an even count is the mean of the two middle values.
//  - A NaN score counts as -infinity (as in AshaScheduler); a running average that comes out
//    NaN (+inf and -inf mixed) counts as -infinity.
//  - A repeated report of an epoch the trial already reported is not recorded again and gets
//    the decision it got the first time (epochs before its latest were all Continue).
// Cost: O(log n) per report (two heaps per epoch), 8 bytes per (trial, epoch) recorded.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "rung/sched/scheduler.hpp"

namespace rung {

class MedianStoppingScheduler final : public Scheduler {
 public:
  // Throws std::invalid_argument unless 1 <= min_resource <= max_resource.
  MedianStoppingScheduler(int min_resource, int max_resource, MedianStoppingOptions options);

  // Every trial trains toward max_resource; the decisions come after each epoch.
  int on_start(TrialId /*trial*/) override { return max_resource_; }
  [[nodiscard]] Decision on_report(TrialId trial, int epoch, double score) override;
  // Nothing to forget: a failed trial's running averages stay (see above).
  void on_failed(TrialId /*trial*/) override {}
  [[nodiscard]] std::optional<Promotion> promote() override { return std::nullopt; }
  [[nodiscard]] std::vector<int> rungs() const override { return {max_resource_}; }
  // "Median stopping (grace 1 epoch, min 3 trials)"
  [[nodiscard]] std::string name() const override;

  // The median of the running averages recorded at `epoch` (1-based), or nullopt when none is.
  [[nodiscard]] std::optional<double> median_at(int epoch) const;
  // How many trials have a running average at `epoch`.
  [[nodiscard]] std::size_t count_at(int epoch) const;

 private:
  // A running median: `low` holds the smaller half (max on top), `high` the larger half (min
  // on top), low.size() == high.size() or high.size() + 1.
  struct RunningMedian {
    std::priority_queue<double> low;
    std::priority_queue<double, std::vector<double>, std::greater<double>> high;
    void insert(double x);
    [[nodiscard]] std::size_t size() const { return low.size() + high.size(); }
    [[nodiscard]] double median() const;  // needs size() > 0
  };
  struct Progress {
    int last_epoch = 0;  // the latest epoch reported
    std::size_t reported = 0;
    double sum = 0.0;
    Decision last = Decision::Continue;
  };

  int min_resource_;
  int max_resource_;
  MedianStoppingOptions options_;
  std::vector<RunningMedian> by_epoch_;  // by_epoch_[e - 1], e = 1 .. max_resource
  std::map<TrialId, Progress> trials_;
};

}  // namespace rung
