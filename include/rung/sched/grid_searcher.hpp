// SageMaker's Grid strategy: every combination of the categorical ranges' values, each exactly
// once, in a fixed order, then nothing. Used for Strategy Grid.
//
// Order: SearchSpace::grid_point's, an odometer over the ranges in the order they are listed,
// the first range turning slowest and the last fastest, each through its Values in the order
// written. Ranges {a: [x, y], b: [1, 2, 3]} give (x,1) (x,2) (x,3) (y,1) (y,2) (y,3).
// Every combination is proposed once whatever becomes of its trial: a failed or stopped trial
// is not retried (SageMaker's Grid does not retry either), and suggest() returns nullopt from
// then on once the grid is used up. The job's MaxNumberOfTrainingJobs, when smaller than the
// grid, runs the first N combinations.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "rung/config/search_space.hpp"
#include "rung/sched/searcher.hpp"

namespace rung {

class GridSearcher final : public Searcher {
 public:
  // Throws ConfigError (path "HyperParameterTuningJobConfig.ParameterRanges") when a range is
  // not categorical or there is none: config validation refuses such a Grid job before, this
  // is the searcher's own guard.
  explicit GridSearcher(SearchSpace space);

  [[nodiscard]] std::optional<HyperParameters> suggest(TrialId trial) override;
  void observe(TrialId, int, double) override {}
  void on_trial_end(TrialId, TrialEnd) override {}
  [[nodiscard]] std::string name() const override { return "Grid"; }

  // The number of combinations (SearchSpace::grid_size(), saturating at UINT64_MAX).
  [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
  // How many combinations suggest() has given so far.
  [[nodiscard]] std::uint64_t proposed() const noexcept { return next_; }

 private:
  SearchSpace space_;
  std::uint64_t size_ = 0;
  std::uint64_t next_ = 0;
};

}  // namespace rung
