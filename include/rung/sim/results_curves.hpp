// A finished run's results.h5 as a curve source (`--curves results:<path>`): every trial that
// trained to the run's full budget becomes a table row (its hyperparameters, its per-epoch
// metrics, its epoch times train_s + eval_s), and proposals map to the nearest row exactly as
// for LCBench (LcbenchCurves). Trials paused or stopped early have no full curve and are
// left out, so a run with early stopping leaves a table biased towards its better trials.
#pragma once

#include <memory>
#include <string>

#include "rung/ckpt/curve_table_file.hpp"
#include "rung/ckpt/results_file.hpp"
#include "rung/config/search_space.hpp"
#include "rung/sim/lcbench_curves.hpp"

namespace rung {

// The full-budget trials of `results` as a curve table: the budget is the most epochs any
// trial trained; hyperparameter columns that are not numbers are dropped. Throws InputError
// naming `path` when no trial trained to that budget.
[[nodiscard]] CurveTable curve_table_from_results(const ResultsTable& results,
                                                  const std::string& path);

// Reads `path` and builds the source named "results:<path>". Throws CheckpointError for an
// unreadable file, InputError as LcbenchCurves does (a range not among the run's
// hyperparameters, a categorical range, no row inside the space).
[[nodiscard]] std::unique_ptr<LcbenchCurves> make_results_curves(const std::string& path,
                                                                 const SearchSpace& space);

}  // namespace rung
