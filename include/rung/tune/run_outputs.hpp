// The text outputs of a finished run: trials.csv and summary.json (shaped like SageMaker's
// DescribeHyperParameterTuningJob response). Written to a temporary name, then renamed.
// results.h5 lives in the ckpt module (HDF5).
#pragma once

#include <string>

#include "rung/config/job_config.hpp"
#include "rung/tune/trial.hpp"

namespace rung {

void write_trials_csv(const std::string& path, const JobConfig& job, const RunRecord& run);
void write_summary_json(const std::string& path, const JobConfig& job, const RunRecord& run);

// Writes `content` to path + ".tmp", flushes, renames to `path`. Throws Error on failure.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace rung
