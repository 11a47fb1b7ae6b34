// rung's command line: dispatches to the subcommands in commands.hpp.
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "rung/config/error.hpp"

namespace {

constexpr const char* kUsage = R"(usage: rung <command> [options]

commands:
  run JOB [--out DIR] [--resume] [--deadline T] [--seed S] [--workers N]
                    tune: rank 0 coordinates, the other ranks train (under mpirun/srun);
                    with a single rank, N workers run as threads in this process
  simulate JOB --workers N [--curves SOURCE] [--curves-file PATH] [--seeds K] [--out DIR]
                    replay learning curves (analytic, lcbench:<task id>) with simulated
                    workers and clock; K seeds go to DIR/seed-<seed>/
  status DIR [--watch [SECONDS]]
                    a run's progress from its journal (read-only; works while it runs)
  export DIR --format csv|json [--out FILE]
                    trials and per-epoch metrics from DIR/results.h5 as CSV or JSON
  report DIR [--html FILE]
                    a self-contained HTML report with charts (default DIR/report.html)
  validate JOB      check a job file (rung YAML or SageMaker JSON) and print it normalized
  help              this text
  <command> --help  that command's flags, one line each
  --version         version, git commit, LibTorch/MPI/HDF5 versions, data folders

exit codes: 0 done, 2 bad input (job file, dataset, checkpoint, flags), 1 runtime failure,
            3 incomplete (suspended by a signal or --deadline: run it again to resume)
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? rung::kExitBadInput : rung::kExitOk;
  }
  if (args[0] == "--version") return rung::cli::version_command();
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "run") return rung::cli::run_command(args);
  if (command == "simulate") return rung::cli::simulate_command(args);
  if (command == "status") return rung::cli::status_command(args);
  if (command == "export") return rung::cli::export_command(args);
  if (command == "report") return rung::cli::report_command(args);
  if (command == "validate") return rung::cli::validate_command(args);
  std::cerr << "rung: unknown command '" << command << "'\n\n" << kUsage;
  return rung::kExitBadInput;
}
