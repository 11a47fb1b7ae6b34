// Curve sources by name, for `rung simulate --curves SOURCE`: "analytic" (the test function
// over the job's space) or "lcbench:<task id>" (tabulated LCBench curves from curves_file).
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

}  // namespace rung
