// The text outputs of a finished run: trials.csv and summary.json (shaped like SageMaker's
// DescribeHyperParameterTuningJob response). Written through AtomicFile.
// results.h5 lives in the ckpt module (HDF5).
#pragma once

#include <string>

#include "rung/config/atomic_file.hpp"
#include "rung/config/job_config.hpp"
#include "rung/tune/trial.hpp"

namespace rung {

void write_trials_csv(const std::string& path, const JobConfig& job, const RunRecord& run);
void write_summary_json(const std::string& path, const JobConfig& job, const RunRecord& run);


}  // namespace rung
