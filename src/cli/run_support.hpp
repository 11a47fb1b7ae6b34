// What `rung run` and `rung simulate` share: loading a job, preparing the output directory,
// writing the derived outputs, and turning an exception into an exit code.
#pragma once

#include <exception>
#include <string>
#include <vector>

#include "rung/config/job_config.hpp"
#include "rung/tune/trial.hpp"

namespace rung::cli {

// Loads and checks the job (is_runnable: it must have a training section), sets its output
// directory (out_dir, else the job's, else out/<job name>); throws ConfigError/InputError.
[[nodiscard]] JobConfig load_job_for_run(const std::string& job_path, const std::string& out_dir,
                                         bool is_runnable = true);

// Creates OUT and OUT/checkpoints; refuses a directory that already holds a run.
void prepare_output_dir(const JobConfig& job);

// results.h5, trials.csv and summary.json from the run's record; prints where they are
// unless is_quiet.
void write_outputs(const JobConfig& job, const RunRecord& run, bool is_quiet = false);

// The argument after the flag at args[i] (advancing i to it); InputError when there is none.
[[nodiscard]] const std::string& flag_value(const std::vector<std::string>& args,
                                            std::size_t& i, const char* flag);

// The value of a flag that takes a positive integer; InputError naming flag and value else.
[[nodiscard]] int positive_flag(const std::string& flag, const std::string& value);

// Prints the error (when print) and returns its exit code: kExitBadInput for config and
// input errors, kExitRuntime otherwise.
int report_error(const std::exception& e, bool print);

}  // namespace rung::cli
