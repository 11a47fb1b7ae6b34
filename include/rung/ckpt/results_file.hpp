// results.h5: the run's trials table and every per-epoch metric, as column datasets that
// h5py and pandas read directly (layout documented in the README). Written to a temporary
// name and renamed into place.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rung/config/job_config.hpp"
#include "rung/tune/trial.hpp"

namespace rung {

void write_results_h5(const std::string& path, const JobConfig& job, const RunRecord& run);

// What results.h5 holds, read back (for tests, `rung status` and exports).
struct ResultsTable {
  std::string job_name;
  std::string objective_metric;
  std::vector<std::string> trial_names;
  std::vector<std::string> trial_status;
  std::vector<std::int64_t> trial_epochs;
  std::vector<double> trial_objective;               // NaN where none
  std::map<std::string, std::vector<std::string>> hyperparameters;  // as text, per trial
  std::vector<std::int64_t> epoch_trial;             // per epoch row: trial index
  std::vector<std::int64_t> epoch_number;
  std::map<std::string, std::vector<double>> epoch_metrics;
  std::vector<double> epoch_train_s;                 // per epoch row (/epochs/train_s)
  std::vector<double> epoch_eval_s;                  // per epoch row (/epochs/eval_s)
};

// Throws CheckpointError naming the file when it is missing or not a rung results file.
[[nodiscard]] ResultsTable read_results_h5(const std::string& path);

}  // namespace rung
