#include "rung/sim/results_curves.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "rung/config/error.hpp"

namespace rung {
namespace {

// The hyperparameter as a number, or NaN when its text is not one ("relu", "").
double as_number(const std::string& text) {
  if (text.empty()) return std::numeric_limits<double>::quiet_NaN();
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  return end != nullptr && *end == '\0' ? v : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

CurveTable curve_table_from_results(const ResultsTable& results, const std::string& path) {
  const std::size_t trials = results.trial_names.size();
  std::int64_t budget = 0;
  for (std::int64_t e : results.trial_epochs) budget = std::max(budget, e);
  std::vector<std::size_t> kept;  // trial indices, in order
  for (std::size_t i = 0; i < trials; ++i) {
    if (budget > 0 && results.trial_epochs[i] == budget && results.trial_status[i] != "Failed") {
      kept.push_back(i);
    }
  }
  if (kept.empty()) {
    throw InputError("results file " + path + " has no trial trained to its full budget of " +
                     std::to_string(budget) + " epochs to use as curves");
  }

  CurveTable table;
  table.task = path;
  table.num_configs = static_cast<int>(kept.size());
  table.num_epochs = static_cast<int>(budget);
  // Numeric hyperparameter columns only: the nearest-row mapping works in the unit cube.
  std::vector<std::vector<double>> columns;
  for (const auto& [name, texts] : results.hyperparameters) {
    std::vector<double> column;
    bool is_numeric = true;
    for (std::size_t i : kept) {
      column.push_back(as_number(texts.at(i)));
      is_numeric = is_numeric && !std::isnan(column.back());
    }
    if (!is_numeric) continue;
    table.config_names.push_back(name);
    columns.push_back(std::move(column));
  }
  table.configs.reserve(kept.size() * columns.size());
  for (std::size_t row = 0; row < kept.size(); ++row) {
    for (const auto& column : columns) table.configs.push_back(column[row]);
  }

  // Per-epoch rows -> (kept row, epoch) cells; an epoch trained twice (never, in a rung run)
  // keeps its last report.
  const std::size_t e = static_cast<std::size_t>(budget);
  std::vector<std::ptrdiff_t> row_of(trials, -1);
  for (std::size_t row = 0; row < kept.size(); ++row) row_of[kept[row]] = static_cast<std::ptrdiff_t>(row);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const auto& [name, values] : results.epoch_metrics) table.metrics[name].assign(kept.size() * e, nan);
  std::vector<double> seconds(kept.size() * e, 0.0);
  for (std::size_t k = 0; k < results.epoch_trial.size(); ++k) {
    const auto trial = static_cast<std::size_t>(results.epoch_trial[k]);
    const std::int64_t epoch = results.epoch_number[k];
    if (trial >= trials || row_of[trial] < 0 || epoch < 1 || epoch > budget) continue;
    const std::size_t at = static_cast<std::size_t>(row_of[trial]) * e + static_cast<std::size_t>(epoch - 1);
    for (const auto& [name, values] : results.epoch_metrics) table.metrics[name][at] = values[k];
    const double train = k < results.epoch_train_s.size() ? results.epoch_train_s[k] : 0.0;
    const double eval = k < results.epoch_eval_s.size() ? results.epoch_eval_s[k] : 0.0;
    seconds[at] = train + eval;
  }
  // LcbenchCurves takes cumulative times (and forces each step to be >= 0.01 s).
  table.cumulative_time_s.resize(seconds.size());
  for (std::size_t row = 0; row < kept.size(); ++row) {
    double sum = 0.0;
    for (std::size_t k = 0; k < e; ++k) {
      sum += seconds[row * e + k];
      table.cumulative_time_s[row * e + k] = sum;
    }
  }
  return table;
}

std::unique_ptr<LcbenchCurves> make_results_curves(const std::string& path,
                                                   const SearchSpace& space) {
  return std::make_unique<LcbenchCurves>(curve_table_from_results(read_results_h5(path), path),
                                         space, "results:" + path);
}

}  // namespace rung
