// `rung simulate JOB --workers N`: the real coordinator, searcher and scheduler against
// simulated workers that replay learning curves on a simulated clock. Writes the same output
// directory as `rung run` (journal, results.h5, trials.csv, summary.json) plus timeline.csv.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>

#include "command_line.hpp"
#include "commands.hpp"
#include "run_support.hpp"
#include "rung/config/error.hpp"
#include "rung/sim/curve_source_factory.hpp"
#include "rung/sim/simulated_transport.hpp"
#include "rung/tune/coordinator.hpp"
#include "rung/tune/run_outputs.hpp"

namespace rung::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSimulateUsage =
    "rung simulate JOB --workers N [--curves SOURCE] [--curves-file PATH] [--seeds K] "
    "[--out DIR] [--charge-decision-time] [--verbose]";

struct SimulateOptions {
  std::string job_path;
  std::string out_dir;
  int workers = 0;
  int seeds = 1;
  std::string curves;
  std::string curves_file;
  bool charge_decision_time = false;
  bool is_verbose = false;
};

// nullopt when --help printed the help.
std::optional<SimulateOptions> parse_simulate_args(const std::vector<std::string>& args) {
  SimulateOptions o;
  std::string workers;
  std::string seeds;
  CLI::App app{"Replays learning curves with simulated workers and a simulated clock: the real "
               "coordinator, searcher and scheduler, deterministic for a seed.",
               "rung simulate"};
  app.add_option("JOB", o.job_path, "the job file; a rung: section is optional")->type_name("");
  CLI::Option* workers_flag =
      app.add_option("--workers", workers, "required: N simulated workers")->type_name("N");
  app.add_option("--curves", o.curves,
                 "analytic, lcbench:<task id> or results:<path>/results.h5 (default "
                 "rung.curves, else analytic)")
      ->type_name("SOURCE");
  app.add_option("--curves-file", o.curves_file,
                 "an LCBench table (curves.h5) used instead of the surrogate for lcbench")
      ->type_name("PATH");
  CLI::Option* seeds_flag =
      app.add_option("--seeds", seeds, "K runs with seeds RandomSeed, RandomSeed + 1, ... into "
                                       "DIR/seed-<seed>/ (default 1)")
          ->type_name("K");
  app.add_option("--out", o.out_dir, "output directory (default out/<job name>-sim)")
      ->type_name("DIR");
  app.add_flag("--charge-decision-time", o.charge_decision_time,
               "add the coordinator's real time between events to the simulated clock");
  app.add_flag("--verbose", o.is_verbose, "print the coordinator's event lines");
  if (!parse_command_line(app, args, kSimulateUsage)) return std::nullopt;
  // rung's own checks, so that their messages name the value and the rule.
  if (workers_flag->count() > 0) o.workers = positive_flag("--workers", workers);
  if (seeds_flag->count() > 0) o.seeds = positive_flag("--seeds", seeds);
  if (o.job_path.empty()) {
    throw InputError(std::string("missing job file (") + kSimulateUsage + ")");
  }
  if (o.workers == 0) {
    throw InputError(std::string("--workers N is required (") + kSimulateUsage + ")");
  }
  return o;
}

std::string curves_spec(const SimulateOptions& o, const JobConfig& job) {
  return o.curves.empty() ? default_curve_spec(job) : o.curves;
}

std::string curves_file(const SimulateOptions& o) {
  return o.curves_file.empty() ? default_lcbench_curves_file() : o.curves_file;
}

void write_timeline_csv(const std::string& path, const std::vector<TimelineEntry>& timeline) {
  std::ostringstream out;
  out << "worker,trial,epoch,start_s,end_s\n";
  char line[128];
  for (const TimelineEntry& e : timeline) {
    std::snprintf(line, sizeof line, "%d,%lld,%d,%.6f,%.6f\n", e.worker,
                  static_cast<long long>(e.trial), e.epoch, e.start_s, e.end_s);
    out << line;
  }
  write_file_atomically(path, out.str());
}

struct SeedResult {
  std::uint64_t seed = 0;
  std::size_t trials = 0;
  long long epochs = 0;
  double simulated_s = 0.0;
  bool has_best = false;
  double best = 0.0;
  double time_to_best_s = 0.0;  // when the best trial reported its final (best) value
  double wall_s = 0.0;
};

SeedResult simulate_one(const JobConfig& job, const CurveSource& curves,
                        const SimulateOptions& o) {
  prepare_output_dir(job);
  const fs::path out(job.output_dir);
  write_file_atomically((out / "job.yaml").string(), to_normalized_yaml(job));
  SimulationOptions sim_options;
  sim_options.charge_decision_time = o.charge_decision_time;
  SimulatedTransport sim(o.workers, curves, sim_options);
  // Durability buys nothing here (a simulation can always be rerun) and an fdatasync per
  // event would dominate a large study.
  Journal journal((out / "journal").string(), /*is_durable=*/false);
  std::ostream discard(nullptr);
  CoordinatorOptions options;
  if (!o.is_verbose) options.status_interval_s = 3600.0;  // simulated seconds
  const auto start = std::chrono::steady_clock::now();
  StrategyParts strategy = make_strategy(job);
  Coordinator coordinator(job,
                          {std::move(strategy.scheduler), std::move(strategy.searcher), sim,
                           journal, sim,
                           o.is_verbose ? std::cout : discard},
                          options);
  const RunRecord run = coordinator.run();
  journal.flush();
  SeedResult r;
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_outputs(job, run, /*is_quiet=*/!o.is_verbose);
  write_timeline_csv((out / "timeline.csv").string(), sim.timeline());
  fs::remove(out / "checkpoints");  // simulated trials write none
  r.seed = job.seed;
  r.trials = run.trials.size();
  r.epochs = run.total_epochs_trained;
  r.simulated_s = run.runtime_s;
  if (auto best = run.best_trial(job.objective.type == ObjectiveType::Maximize)) {
    const Trial& t = run.trials[static_cast<std::size_t>(*best)];
    r.has_best = true;
    r.best = *t.objective;
    r.time_to_best_s = t.curve.empty() ? 0.0 : t.curve.back().reported_at_s;
  }
  return r;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

int simulate_command(const std::vector<std::string>& args) {
  try {
    const std::optional<SimulateOptions> parsed = parse_simulate_args(args);
    if (!parsed) return kExitOk;  // --help
    const SimulateOptions& o = *parsed;
    JobConfig job = load_job_for_run(o.job_path, o.out_dir, /*is_runnable=*/false);
    if (o.out_dir.empty()) job.output_dir = "out/" + job.name + "-sim";
    for (const auto& w : job.warnings) std::cerr << "warning: " << w << '\n';
    const std::string spec = curves_spec(o, job);
    const std::unique_ptr<CurveSource> curves = make_curve_source(spec, job, curves_file(o));
    if (curves->max_epochs() < job.max_resource) {
      throw InputError("MaxResource " + std::to_string(job.max_resource) + " exceeds the " +
                       std::to_string(curves->max_epochs()) + " epochs of " + curves->name());
    }
    const std::uint64_t first_seed = job.has_seed ? job.seed : 0;
    std::cout << "simulating " << job.name << ": " << to_string(job.strategy) << ", "
              << o.workers << " workers, curves " << curves->name() << ", " << o.seeds
              << (o.seeds == 1 ? " seed" : " seeds") << " from " << first_seed << std::endl;
    std::vector<SeedResult> results;
    const std::string root = job.output_dir;
    for (int k = 0; k < o.seeds; ++k) {
      JobConfig run_job = job;
      run_job.seed = first_seed + static_cast<std::uint64_t>(k);
      run_job.has_seed = true;
      if (o.seeds > 1) {
        run_job.output_dir = (fs::path(root) / ("seed-" + std::to_string(run_job.seed))).string();
      }
      results.push_back(simulate_one(run_job, *curves, o));
    }

    std::printf("\n%-12s %8s %10s %14s %12s %16s %8s\n", "seed", "trials", "epochs",
                "simulated_s", "best", "time_to_best_s", "wall_s");
    std::vector<double> bests, times;
    for (const SeedResult& r : results) {
      std::printf("%-12llu %8zu %10lld %14.1f ", static_cast<unsigned long long>(r.seed),
                  r.trials, r.epochs, r.simulated_s);
      if (r.has_best) {
        std::printf("%12.4f %16.1f", r.best, r.time_to_best_s);
        bests.push_back(r.best);
        times.push_back(r.time_to_best_s);
      } else {
        std::printf("%12s %16s", "n/a", "n/a");
      }
      std::printf(" %8.2f\n", r.wall_s);
    }
    if (results.size() > 1 && !bests.empty()) {
      std::printf("%-12s %8s %10s %14s %12.4f %16.1f\n", "median", "", "", "", median(bests),
                  median(times));
    }
    std::cout << "\noutputs: " << root << (o.seeds > 1 ? "/seed-<seed>/" : "/")
              << " (journal, results.h5, trials.csv, summary.json, timeline.csv)" << std::endl;
    return kExitOk;
  } catch (const std::exception& e) {
    return report_error(e, true);
  }
}

}  // namespace rung::cli
