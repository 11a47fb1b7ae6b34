// Curve sources by name, for `rung simulate --curves SOURCE`: "analytic" (the test function
// over the job's space), "lcbench:<task id>" (tabulated LCBench curves from curves_file) or
// "results:<path>" (a finished run's results.h5: its full-budget trials become the table).
// `rung run` uses the same sources for its instant trainers (rung.model analytic / lcbench).
#pragma once

#include <memory>
#include <string>

#include "rung/config/job_config.hpp"
#include "rung/sim/curve_source.hpp"

namespace rung {

// Throws InputError for an unknown source, CheckpointError for an unreadable table.
[[nodiscard]] std::unique_ptr<CurveSource> make_curve_source(const std::string& spec,
                                                             const JobConfig& job,
                                                             const std::string& curves_file);

// The job's curve source when none is given on the command line: rung.curves, else
// lcbench:189905 for model lcbench, else analytic.
[[nodiscard]] std::string default_curve_spec(const JobConfig& job);

// Where the LCBench table is when no path is given: $RUNG_LCBENCH_CURVES, else the team's
// shared data folder beside the checkout (../shared) or inside it (shared/), seen from the
// working directory.
[[nodiscard]] std::string default_lcbench_curves_file();

}  // namespace rung
