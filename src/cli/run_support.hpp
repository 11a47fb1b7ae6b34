// What `rung run` and `rung simulate` share: loading a job, preparing the output directory,
// writing the derived outputs, and turning an exception into an exit code.
#pragma once

#include <exception>
#include <string>

#include "rung/config/job_config.hpp"
#include "rung/tune/resume_plan.hpp"
#include "rung/tune/trial.hpp"

namespace rung::cli {

// Loads and checks the job (is_runnable: it must have a training section), sets its output
// directory (out_dir, else the job's, else out/<job name>); throws ConfigError/InputError.
[[nodiscard]] JobConfig load_job_for_run(const std::string& job_path, const std::string& out_dir,
                                         bool is_runnable = true);

// Creates OUT and OUT/checkpoints; refuses a directory that already holds a run.
// (`rung simulate`; `rung run` resumes instead, see prepare_run_dir.)
void prepare_output_dir(const JobConfig& job);

// What `rung run` does with its output directory.
struct RunDir {
  enum class Kind { Fresh, Resume, Finished };
  Kind kind = Kind::Fresh;
  // Resume and Fresh over a journal with no complete record: the journal's bytes to keep.
  bool has_journal = false;
  long long journal_bytes = 0;
  ResumePlan plan;      // Resume
  std::string message;  // Finished: what the finished run was
};

// Prepares OUT for `rung run`: creates it (and OUT/checkpoints) when it holds no journal;
// when it does, continues that run: reads and verifies the journal (a damaged record other
// than the last is an InputError), refuses with an InputError saying what differs when it
// is another job, takes the run's seed into `job`, clears leftover temporary checkpoints
// and reads the epoch of every checkpoint. must_resume (--resume): no journal is an error.
[[nodiscard]] RunDir prepare_run_dir(JobConfig& job, bool must_resume);

// results.h5, trials.csv and summary.json from the run's record; prints where they are
// unless is_quiet.
void write_outputs(const JobConfig& job, const RunRecord& run, bool is_quiet = false);

// Caps this worker rank's address space at rung.worker_memory_mb (RLIMIT_AS), so that an
// allocation past it fails the trial instead of the node's OOM killer ending the job. An
// InputError when the rank already maps more than the limit.
void apply_worker_memory_limit(const JobConfig& job, int rank);

// The value of a flag that takes a positive integer; InputError naming flag and value else.
[[nodiscard]] int positive_flag(const std::string& flag, const std::string& value);

// Prints the error (when print) and returns its exit code: kExitBadInput for config and
// input errors, kExitOutputUnwritable when the output directory could not be written (a full
// disk), kExitRuntime otherwise.
int report_error(const std::exception& e, bool print);

}  // namespace rung::cli
