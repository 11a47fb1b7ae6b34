// bench/exp1: writes the exact synthetic data set of a job file (rung.dataset) as CSV, so a
// peer outside rung (the Optuna script) trains on the same points with the same
// train/validation split and the same standardisation.
//   usage: bench_exp1_export JOB.yaml OUT.csv
// The CSV is write_csv()'s: "split,label,x0,...", train rows first, floats at full float
// precision (%.9g round-trips a float). It is written to OUT.csv.tmp and renamed, so OUT.csv
// is always complete. Exit codes: 0 written, 2 bad input (job file, data set, arguments),
// 1 anything else.
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>

#include "rung/config/error.hpp"
#include "rung/config/job_config.hpp"
#include "rung/train/synthetic_data.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: bench_exp1_export JOB.yaml OUT.csv\n";
    return rung::kExitBadInput;
  }
  const std::string job_path = argv[1];
  const std::string out_path = argv[2];
  const std::string tmp_path = out_path + ".tmp";
  try {
    const rung::JobConfig job = rung::load_job_file(job_path);
    rung::require_runnable(job);
    const rung::DatasetSpec& spec = job.training.dataset;
    if (spec.kind != "synthetic") {
      throw rung::InputError(job_path + ": rung.dataset.kind is \"" + spec.kind +
                             "\"; only the synthetic data set can be exported");
    }
    const rung::TabularDataset data = rung::make_synthetic_dataset(spec);
    rung::write_csv(data, tmp_path);
    if (std::rename(tmp_path.c_str(), out_path.c_str()) != 0) {
      std::remove(tmp_path.c_str());
      throw rung::InputError("cannot rename " + tmp_path + " to " + out_path);
    }
    std::cout << out_path << ": " << data.train_size() << " train + " << data.validation_size()
              << " validation rows, " << data.features << " features; " << rung::describe(spec)
              << "\n";
    return rung::kExitOk;
  } catch (const rung::ConfigError& e) {
    for (const auto& issue : e.issues()) std::cerr << "error: " << issue.to_string() << "\n";
    if (e.issues().empty()) std::cerr << "error: " << e.what() << "\n";
    std::remove(tmp_path.c_str());
    return rung::kExitBadInput;
  } catch (const rung::InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    std::remove(tmp_path.c_str());
    return rung::kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    std::remove(tmp_path.c_str());
    return rung::kExitRuntime;
  }
}
