// Curve sources by name, for `rung simulate --curves SOURCE`: "analytic" (the test function
// over the job's space), "lcbench:<task id>" (YAHPO Gym's LCBench surrogate for that task, or
// the task's tabulated curves when a table file is named) or "results:<path>" (a finished
// run's results.h5: its full-budget trials become the table).
// `rung run` uses the same sources for its instant trainers (rung.model analytic / lcbench).
#pragma once

#include <memory>
#include <string>

#include "rung/config/job_config.hpp"
#include "rung/sim/curve_source.hpp"

namespace rung {

// `curves_file`: an LCBench table (curves.h5) that lcbench:<task> reads instead of evaluating
// the surrogate; empty for the surrogate. Throws InputError for an unknown source or task
// (listing LCBench's), CheckpointError for an unreadable table or surrogate.
[[nodiscard]] std::unique_ptr<CurveSource> make_curve_source(const std::string& spec,
                                                             const JobConfig& job,
                                                             const std::string& curves_file);

// The job's curve source when none is given on the command line: rung.curves, else
// lcbench:189905 for model lcbench, else analytic.
[[nodiscard]] std::string default_curve_spec(const JobConfig& job);

// The LCBench table to use when no --curves-file is given: $RUNG_LCBENCH_CURVES, else none
// (empty: lcbench:<task> is the surrogate). No other place is searched: rung ships no table.
[[nodiscard]] std::string default_lcbench_curves_file();

}  // namespace rung
