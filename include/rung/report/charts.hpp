// The report's charts, each drawn from a RunHistory as one SVG element. Large runs are
// sampled or aggregated so a 10,000-trial report stays small and quick to render; each
// chart's note says what was left out and how.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "rung/config/search_space.hpp"
#include "rung/report/run_history.hpp"

namespace rung::report {

struct Chart {
  std::string id;  // stable, for the page's anchors and the tests' counts
  std::string title;
  std::string svg;
  std::string note;  // what the chart shows and, for large runs, how it was sampled
};

struct ChartLimits {
  std::size_t max_curves = 300;           // learning curves drawn one by one
  std::size_t max_scatter_points = 1000;  // per hyperparameter scatter
  std::size_t max_parallel_lines = 400;   // parallel coordinates
  std::size_t max_timeline_rows = 64;     // workers in the Gantt chart
};

// Which trials to draw when there are more than `limit`: the best third by objective, then
// an even stride over the rest in start order (deterministic, so a report is reproducible).
// Indices into history.trials, ascending; with require_objective, only trials that have one.
[[nodiscard]] std::vector<std::size_t> sample_trials(const RunHistory& history, std::size_t limit,
                                                     bool require_objective);

[[nodiscard]] Chart best_over_time_chart(const RunHistory& history);
[[nodiscard]] Chart best_over_epochs_chart(const RunHistory& history);
[[nodiscard]] Chart learning_curves_chart(const RunHistory& history, const ChartLimits& limits);
[[nodiscard]] Chart rung_occupancy_chart(const RunHistory& history);
// One scatter per hyperparameter. `ranges` (from job.yaml) decides log axes and category
// order; without it, a positive numeric hyperparameter spanning two decades gets a log axis.
[[nodiscard]] std::vector<Chart> hyperparameter_charts(const RunHistory& history,
                                                       const std::vector<ParamRange>& ranges,
                                                       const ChartLimits& limits);
[[nodiscard]] Chart parallel_coordinates_chart(const RunHistory& history,
                                               const std::vector<ParamRange>& ranges,
                                               const ChartLimits& limits);

// Busy time per worker over the job's wall time (0 .. history.elapsed_s).
struct WorkerUtilization {
  int worker = -1;
  double train_s = 0.0;
  double validate_s = 0.0;
  double checkpoint_s = 0.0;
  double recompute_s = 0.0;    // epochs a resumed run trained again
  double busy_fraction = 0.0;  // (train + validate + checkpoint + recompute) / elapsed
};
[[nodiscard]] std::vector<WorkerUtilization> worker_utilization(const RunHistory& history);
// Busy time of all workers over workers x elapsed; 0 when nothing ran.
[[nodiscard]] double overall_utilization(const std::vector<WorkerUtilization>& workers);

[[nodiscard]] Chart worker_timeline_chart(const RunHistory& history, const ChartLimits& limits);

}  // namespace rung::report
