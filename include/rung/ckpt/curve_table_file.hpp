// Tabulated learning curves read from HDF5 (LCBench's curves.h5: per task, configurations x
// epochs of metrics and cumulative training time) into plain arrays for the simulator. Only
// the reading lives here (the ckpt module owns HDF5); the mapping of proposals to rows is
// the simulator's (rung/sim/lcbench_curves.hpp).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace rung {

struct CurveTable {
  std::string task;                       // the group read, e.g. "189905"
  std::vector<std::string> config_names;  // one per column of configs
  int num_configs = 0;
  int num_epochs = 0;
  std::vector<double> configs;            // num_configs x config_names.size(), row-major
  // Metric name as in the file (val_accuracy, ...) -> num_configs x num_epochs, row-major.
  std::map<std::string, std::vector<double>> metrics;
  std::vector<double> cumulative_time_s;  // num_configs x num_epochs, as in the file
};

// Reads group `task` of `path`: configs, config_names, and every 2-D dataset with
// num_epochs columns (the dataset `time` goes to cumulative_time_s). Throws CheckpointError
// naming the file and the task when it is missing or malformed.
[[nodiscard]] CurveTable read_curve_table(const std::string& path, const std::string& task);

}  // namespace rung
