#include "run_support.hpp"

#include <filesystem>
#include <iostream>

#include "rung/ckpt/results_file.hpp"
#include "rung/config/error.hpp"
#include "rung/tune/run_outputs.hpp"

namespace rung::cli {

namespace fs = std::filesystem;

JobConfig load_job_for_run(const std::string& job_path, const std::string& out_dir,
                           bool is_runnable) {
  JobConfig job = load_job_file(job_path);
  if (is_runnable) require_runnable(job);
  if (!out_dir.empty()) job.output_dir = out_dir;
  if (job.output_dir.empty()) job.output_dir = "out/" + job.name;
  return job;
}

void prepare_output_dir(const JobConfig& job) {
  const fs::path out(job.output_dir);
  if (fs::exists(out / "journal")) {
    throw InputError("output directory " + out.string() +
                     " already holds a run (it has a journal); pass another --out or remove it");
  }
  std::error_code ec;
  fs::create_directories(out / "checkpoints", ec);
  if (ec) throw InputError("cannot create output directory " + out.string() + ": " + ec.message());
}

void write_outputs(const JobConfig& job, const RunRecord& run, bool is_quiet) {
  const fs::path out(job.output_dir);
  write_results_h5((out / "results.h5").string(), job, run);
  write_trials_csv((out / "trials.csv").string(), job, run);
  write_summary_json((out / "summary.json").string(), job, run);
  if (is_quiet) return;
  std::cout << "\nresults: " << (out / "summary.json").string() << ", "
            << (out / "trials.csv").string() << ", " << (out / "results.h5").string()
            << std::endl;
}

int report_error(const std::exception& e, bool print) {
  if (const auto* config = dynamic_cast<const ConfigError*>(&e)) {
    if (print) {
      for (const ConfigIssue& issue : config->issues()) {
        std::cerr << "error: " << issue.to_string() << '\n';
      }
    }
    return kExitBadInput;
  }
  const bool bad_input = dynamic_cast<const InputError*>(&e) != nullptr;
  if (print) std::cerr << "rung: " << e.what() << std::endl;
  return bad_input ? kExitBadInput : kExitRuntime;
}

int positive_flag(const std::string& flag, const std::string& v) {
  int n = -1;
  try {
    std::size_t used = 0;
    n = std::stoi(v, &used);
    if (used != v.size()) n = -1;
  } catch (const std::exception&) {
    n = -1;
  }
  if (n < 1) throw InputError(flag + " " + v + ": must be a positive integer");
  return n;
}

const std::string& flag_value(const std::vector<std::string>& args, std::size_t& i,
                              const char* flag) {
  if (i + 1 >= args.size()) throw InputError(std::string(flag) + " needs a value");
  return args[++i];
}

}  // namespace rung::cli
