// `rung validate JOB`: reads a job file as `rung run` would, prints warnings and every
// problem (stderr), and the job as rung understood it (stdout, rung's YAML form).
#include <iostream>
#include <sstream>
#include <string>

#include "command_line.hpp"
#include "commands.hpp"
#include "rung/config/error.hpp"
#include "rung/config/job_config.hpp"

namespace rung::cli {
namespace {

constexpr const char* kUsage =
    "usage: rung validate JOB_FILE\n"
    "  Checks a job file (rung YAML, a SageMaker CreateHyperParameterTuningJob request or a\n"
    "  HyperParameterTuningJobConfig, as YAML or JSON) and prints it with every default\n"
    "  filled in. Exit status: 0 valid, 2 invalid.\n";

// One line on what the job will do: "Grid, 2 hyperparameters, 12 trials (every combination),
// 2 at a time, up to 9 epochs each, median stopping, at most 600 s".
std::string summary(const JobConfig& job) {
  std::ostringstream s;
  s << to_string(job.strategy) << ", " << job.space.dims() << " hyperparameter"
    << (job.space.dims() == 1 ? "" : "s") << ", " << job.max_trials << " trial"
    << (job.max_trials == 1 ? "" : "s");
  if (job.is_max_trials_derived) s << " (every combination)";
  s << ", " << job.max_parallel << " at a time, up to " << job.max_resource << " epoch"
    << (job.max_resource == 1 ? "" : "s") << " each";
  if (job.early_stopping == EarlyStopping::Auto) s << ", median stopping";
  const CompletionCriteria& c = job.completion;
  if (c.target_objective_value || c.max_jobs_not_improving || c.complete_on_convergence) {
    s << ", completion criteria";
  }
  if (job.max_runtime_s) s << ", at most " << static_cast<long long>(*job.max_runtime_s) << " s";
  return s.str();
}

}  // namespace

int validate_command(const std::vector<std::string>& args) {
  std::string path;
  CLI::App app{"Checks a job file (rung YAML, a SageMaker CreateHyperParameterTuningJob request "
               "or a HyperParameterTuningJobConfig, as YAML or JSON) and prints it with every "
               "default filled in. Exit status: 0 valid, 2 invalid.",
               "rung validate"};
  app.add_option("JOB_FILE", path, "the job file")->type_name("");
  try {
    if (!parse_command_line(app, args, "rung validate JOB_FILE")) return kExitOk;  // --help
  } catch (const InputError& e) {
    std::cerr << "error: " << e.what() << '\n';
    return kExitBadInput;
  }
  if (path.empty()) {
    std::cerr << "error: rung validate takes one job file, got none\n" << kUsage;
    return kExitBadInput;
  }
  try {
    const JobConfig job = load_job_file(path);
    for (const auto& warning : job.warnings) std::cerr << "warning: " << warning << '\n';
    std::cout << to_normalized_yaml(job) << std::flush;
    try {
      require_runnable(job);
      std::cerr << path << ": valid (" << summary(job) << ")\n";
    } catch (const ConfigError& e) {
      std::cerr << path << ": " << e.issues().front().message << '\n';
    }
    return kExitOk;
  } catch (const ConfigError& e) {
    for (const auto& issue : e.issues()) std::cerr << "error: " << issue.to_string() << '\n';
    std::cerr << path << ": " << e.issues().size() << " problem"
              << (e.issues().size() == 1 ? "" : "s") << " found; the job file is not valid\n";
    return kExitBadInput;
  } catch (const InputError& e) {
    std::cerr << "error: " << e.what() << '\n';
    return kExitBadInput;
  }
}

}  // namespace rung::cli
