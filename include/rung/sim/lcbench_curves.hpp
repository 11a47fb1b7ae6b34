// A table of learning curves as a CurveSource: LCBench's, tabulated from YAHPO Gym's surrogate
// (a curves.h5 of configurations x 52 epochs per task, given with --curves-file; without one,
// lcbench:<task> evaluates the surrogate itself, rung/sim/lcbench_surrogate_curves.hpp), or a
// finished run's (rung/sim/results_curves.hpp). LCBench's numbers are surrogate predictions,
// not measured runs; results built on them should say so and cite YAHPO Gym.
//
// A proposal is mapped to the nearest tabulated configuration: Euclidean distance in the
// job's unit cube (SearchSpace::encode, so log-scaled ranges are compared in log space).
// Rows outside the job's ranges are dropped (they could never be proposed). Bias: the
// objective becomes piecewise constant over the Voronoi cells of 2,000 points in 7-D, so
// (a) random search samples table rows with probability proportional to their cell's
// volume, favouring isolated rows over crowded ones; (b) two nearby proposals often get the
// very same curve, and a model-based searcher's fine moves do nothing; (c) no searcher can
// beat the table's best row, which is what the "best" of a task means here.
// Epoch time is the step of the cumulative time, forced increasing (t_e >= t_{e-1} + 0.01 s)
// because a few tabulated steps are <= 0.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "rung/ckpt/curve_table_file.hpp"
#include "rung/config/search_space.hpp"
#include "rung/sim/curve_source.hpp"

namespace rung {

class LcbenchCurves final : public CurveSource {
 public:
  // Throws InputError when a range of `space` is not a column of the table, or is
  // categorical, or when no row lies inside the space. `source_name` names the source in
  // name() and messages (empty: "lcbench:<task>"); other tables (a run's results.h5, see
  // rung/sim/results_curves.hpp) reuse the same nearest-row mapping under their own name.
  LcbenchCurves(const CurveTable& table, SearchSpace space, std::string source_name = "");

  [[nodiscard]] std::map<std::string, double> metrics_at(const HyperParameters& hp,
                                                         int epoch) const override;
  [[nodiscard]] double epoch_seconds(const HyperParameters& hp, int epoch) const override;
  [[nodiscard]] int max_epochs() const override { return num_epochs_; }
  [[nodiscard]] std::string name() const override { return name_; }

  // The table row a configuration maps to, and the best final value of `metric` (in the
  // table's own name, e.g. val_accuracy) over the rows inside the space.
  [[nodiscard]] int nearest_row(const HyperParameters& hp) const;
  [[nodiscard]] double best_final(const std::string& metric) const;
  [[nodiscard]] std::size_t rows_in_space() const noexcept { return rows_.size(); }

 private:
  SearchSpace space_;
  std::string task_;
  std::string name_;
  int num_epochs_ = 0;
  std::vector<int> rows_;                 // table rows inside the space
  std::vector<std::vector<double>> unit_; // their encodings, parallel to rows_
  // rung's metric name -> (table row x epoch), for the rows kept
  std::map<std::string, std::vector<double>> metrics_;
  std::map<std::string, std::string> table_names_;  // table name -> rung's name
  std::vector<double> cumulative_s_;
  mutable std::unordered_map<std::string, int> cache_;  // encoded proposal -> row index
};

// "val_accuracy" -> "validation:accuracy", "test_cross_entropy" -> "test:loss", ...
[[nodiscard]] std::string lcbench_metric_name(const std::string& table_name);

}  // namespace rung
