// `rung run JOB`: one tuning job. Under mpirun/srun rank 0 coordinates and ranks >= 1 train;
// started alone, the workers are threads of this process and MPI is never initialised.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "command_line.hpp"
#include "commands.hpp"
#include "deadline.hpp"
#include "run_support.hpp"
#include "rung/comm/inprocess_transport.hpp"
#include "rung/comm/mpi_gather.hpp"
#include "rung/comm/mpi_transport.hpp"
#include "rung/config/error.hpp"
#include "rung/config/job_config.hpp"
#include "rung/train/device_placement.hpp"
#include "rung/train/image_data.hpp"
#include "rung/train/torchscript_trainer.hpp"
#include "rung/train/worker.hpp"
#include "rung/tune/coordinator.hpp"
#include "rung/tune/run_outputs.hpp"
#include "rung/tune/suspend_request.hpp"
#include "walltime_signals.hpp"

namespace rung::cli {
namespace {

namespace fs = std::filesystem;

struct RunOptions {
  std::string job_path;
  std::string out_dir;
  int workers = 0;  // single-rank runs: worker threads (0: min(MaxParallel, cores))
  bool must_resume = false;           // --resume: OUT must hold a run to continue
  std::optional<double> deadline;     // --deadline, in Unix seconds
  std::optional<std::uint64_t> seed;  // --seed: replaces the job file's RandomSeed (job arrays)
};

std::uint64_t parse_seed(const std::string& text) {
  std::size_t used = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(text, &used, 10);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || text[0] == '-' || text[0] == '+') {
    throw InputError("--seed: \"" + text + "\" is not a non-negative integer below 2^64");
  }
  return v;
}

constexpr const char* kRunUsage =
    "rung run JOB [--out DIR] [--resume] [--deadline T] [--seed S] [--workers N]";

// nullopt when --help printed the help. Every rank of an mpirun parses the same arguments the
// same way (no rank-dependent input), so they all go on or all stop with the same code.
std::optional<RunOptions> parse_run_args(const std::vector<std::string>& args) {
  RunOptions o;
  std::string deadline;
  std::string seed;
  std::string workers;
  CLI::App app{"Runs one tuning job: under mpirun/srun rank 0 coordinates and the other ranks "
               "train; with a single rank, N workers run as threads in this process.",
               "rung run"};
  app.add_option("JOB", o.job_path, "the job file (rung YAML or SageMaker JSON)")
      ->type_name("");
  app.add_option("--out", o.out_dir,
                 "output directory (default rung.output_dir, else out/<job name>); one holding "
                 "an unfinished run of the same job is resumed")
      ->type_name("DIR");
  app.add_flag("--resume", o.must_resume, "insist on resuming: exit 2 when DIR holds no journal");
  CLI::Option* deadline_flag =
      app.add_option("--deadline", deadline,
                     "when this segment must have suspended: Unix seconds or +SECONDS from now "
                     "(default SLURM_JOB_END_TIME - 120 s)")
          ->type_name("T");
  CLI::Option* seed_flag =
      app.add_option("--seed", seed, "replaces the job file's RandomSeed (0 to 2^64 - 1)")
          ->type_name("S");
  CLI::Option* workers_flag =
      app.add_option("--workers", workers,
                     "single-process runs: N worker threads (default "
                     "min(MaxParallelTrainingJobs, cores))")
          ->type_name("N");
  if (!parse_command_line(app, args, kRunUsage)) return std::nullopt;
  // rung's own checks, so that their messages name the value and the rule.
  if (workers_flag->count() > 0) o.workers = positive_flag("--workers", workers);
  if (deadline_flag->count() > 0) o.deadline = parse_deadline(deadline);
  if (seed_flag->count() > 0) o.seed = parse_seed(seed);
  if (o.job_path.empty()) {
    throw InputError(std::string("rung run: missing job file (") + kRunUsage + ")");
  }
  return o;
}

// Whether an MPI launcher started this process (then MPI must be initialised, even for one
// rank); a plain `rung run` must work on a machine with no launcher at all.
bool launched_by_mpi() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK",
                          "MPI_LOCALNRANKS", "HYDRA_CONTROL_FD"}) {
    if (std::getenv(var) != nullptr) return true;
  }
  return false;
}

// The progress bar is for a person at a terminal. Under mpirun rank 0's stdout is a pseudo-
// terminal even when mpirun writes to a log file, so launched runs get log lines unless
// RUNG_PROGRESS=bar asks for the bar (RUNG_PROGRESS=log forces lines anywhere).
bool wants_progress_bar() {
  const char* choice = std::getenv("RUNG_PROGRESS");
  if (choice != nullptr && std::string(choice) == "bar") return true;
  if (choice != nullptr && std::string(choice) == "log") return false;
  return isatty(STDOUT_FILENO) != 0 && !launched_by_mpi();
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

std::string hostname() {
  char buf[256] = {0};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

JobConfig load_runnable_job(const RunOptions& options) {
  JobConfig job = load_job_for_run(options.job_path, options.out_dir);
  if (options.seed) {
    job.seed = *options.seed;
    job.has_seed = true;
  }
  // A program that cannot start would fail every trial: exit 2 before any is spent.
  if (job.training.model == "command") check_command_startable(job);
  return job;
}

// How long a worker rank's heartbeat thread waits between heartbeats: several fit in the
// timeout, so that one late heartbeat on a loaded node loses nothing.
std::chrono::milliseconds heartbeat_interval(const JobConfig& job) {
  const double s = std::clamp(job.training.worker_timeout_s / 5.0, 0.1, 30.0);
  return std::chrono::milliseconds(static_cast<long>(s * 1000.0));
}

// Runs the coordinator; returns kExitOk, kExitIncomplete when a signal suspended the run, or
// kExitWorkersLost when it finished without some of its worker ranks (`lost_workers` > 0).
int coordinate(const JobConfig& job, const RunDir& dir, CoordinatorTransport& transport,
               std::optional<double> deadline, std::size_t* lost_workers = nullptr) {
  const fs::path out(job.output_dir);
  write_file_atomically((out / "job.yaml").string(), to_normalized_yaml(job));
  // A resumed run appends after the journal's last good record (a torn one is cut off).
  Journal journal = dir.has_journal
                        ? Journal::continue_at((out / "journal").string(), dir.journal_bytes,
                                               job.is_journal_durable)
                        : Journal((out / "journal").string(), job.is_journal_durable);
  WallClock clock;
  CoordinatorOptions options;
  options.suspend_signal = &suspend_request();
  // On a terminal a progress bar, redrawn every second; in a log (Slurm output) a status
  // line every 10 s.
  options.is_terminal = wants_progress_bar();
  if (options.is_terminal) options.status_interval_s = 1.0;
  if (deadline) options.deadline_in_s = *deadline - unix_now_s();
  // MPI worker ranks can hang or vanish unnoticed; in-process worker threads cannot.
  const bool is_mpi = dynamic_cast<const MpiCoordinatorTransport*>(&transport) != nullptr;
  if (is_mpi) options.worker_timeout_s = job.training.worker_timeout_s;
  StrategyParts strategy = make_strategy(job);
  Coordinator coordinator(job,
                          {std::move(strategy.scheduler), std::move(strategy.searcher), transport,
                           journal, clock, std::cout},
                          options);
  if (dir.kind == RunDir::Kind::Resume) coordinator.resume_from(dir.plan);
  RunRecord run = coordinator.run();
  journal.flush();
  if (const auto* mpi = dynamic_cast<const MpiCoordinatorTransport*>(&transport)) {
    const TrafficStats& traffic = mpi->traffic();
    run.coordinator.has_traffic = true;
    run.coordinator.messages_sent = traffic.messages_sent;
    run.coordinator.bytes_sent = traffic.bytes_sent;
    run.coordinator.messages_received = traffic.messages_received;
    run.coordinator.bytes_received = traffic.bytes_received;
  }
  write_outputs(job, run);
  const CoordinatorStats& c = run.coordinator;
  std::printf("coordinator: %lld messages in %.2f s (%.0f/s), decision latency p50 %.1f us, "
              "p99 %.1f us\n",
              c.messages_handled, c.loop_wall_s, c.messages_per_s(), c.decision_p50_us,
              c.decision_p99_us);
  if (c.has_traffic) {
    std::printf("traffic: rank 0 sent %llu messages (%llu bytes), received %llu (%llu bytes)\n",
                static_cast<unsigned long long>(c.messages_sent),
                static_cast<unsigned long long>(c.bytes_sent),
                static_cast<unsigned long long>(c.messages_received),
                static_cast<unsigned long long>(c.bytes_received));
  }
  std::fflush(stdout);
  const std::set<int>& lost = coordinator.lost_workers();
  if (lost_workers != nullptr) *lost_workers = lost.size();
  if (coordinator.is_suspended()) return kExitIncomplete;
  return lost.empty() ? kExitOk : kExitWorkersLost;
}

// A worker's context: its device and its data set, ready before the first assignment (a bad
// data file is an InputError naming it, exit 2, before anything trains). Under MPI,
// place_ranks() has already put this rank's own device in rung.device; a single-process run
// places its worker threads here, all on one device.
// `physical` is the device's id on its node (Placement::physical) when placed already.
WorkerContext worker_context(const JobConfig& job, std::string physical = "cpu") {
  WorkerContext c;
  c.checkpoint_dir = (fs::path(job.output_dir) / "checkpoints").string();
  c.host = hostname();
  c.device = job.training.device;
  if (c.device == "auto" || c.device == "cuda") {
    PlacementInput in;
    in.requested = c.device;
    in.environment = placement_environment();
    in.visible_devices = cuda_device_count();
    in.workers_per_gpu = job.training.workers_per_gpu;
    const Placement placement = place_worker(in);
    c.device = placement.device;
    physical = placement.physical;
  }
  if (job.training.model == "command") {
    // The program sees its worker's GPU only (none on a CPU worker).
    c.command = make_command_setup(job, c.device == "cpu" ? std::string() : physical);
  }
  if (is_image_dataset(job.training.dataset.kind)) {
    (void)shared_image_dataset(job.training.dataset);
  }
  if (job.training.model == kTorchScriptModelName) check_torchscript_job(job, c.device);
  return c;
}

// Every rank: each worker picks its device (rung/train/device_placement.hpp) and loads the
// data set; rank 0 gathers (host, rank, device), prints the placement table once, and fails
// the run (exit 2 on every rank) when a worker could not be placed or loaded, or when two
// ranks would share a GPU beyond rung.workers_per_gpu. Sets rung.device to the rank's device
// and `physical` to its id on the node.
int place_ranks(const MpiEnvironment& mpi, JobConfig& job, std::string& physical) {
  const bool coordinator_here = coordinator_shares_node(mpi);
  PlacementRow row{mpi.host(), mpi.rank(), "coordinator", "", "coordinates; trains nothing"};
  if (mpi.rank() != 0) {
    try {
      PlacementInput in;
      in.requested = job.training.device;
      in.environment = placement_environment();
      in.node_local_rank = mpi.node_local_rank();
      in.coordinator_on_node = coordinator_here;
      in.visible_devices = job.training.device == "cpu" ? 0 : cuda_device_count();
      in.workers_per_gpu = job.training.workers_per_gpu;
      const Placement placement = place_worker(in);
      job.training.device = placement.device;
      physical = placement.physical;
      row.device = placement.device;
      row.physical = placement.physical;
      row.reason = placement.reason;
      if (is_image_dataset(job.training.dataset.kind)) {
        (void)shared_image_dataset(job.training.dataset);
      }
      if (job.training.model == kTorchScriptModelName) {
        check_torchscript_job(job, job.training.device);
      }
    } catch (const std::exception& e) {
      row.device = "failed";
      row.reason = e.what();
    }
  }
  const std::vector<std::string> lines = gather_strings_to_root(mpi, encode_placement_row(row));
  int status = kExitOk;
  if (mpi.rank() == 0) {
    std::vector<PlacementRow> rows;
    for (const auto& line : lines) rows.push_back(decode_placement_row(line));
    std::cout << format_placement_table(rows) << std::flush;
    try {
      for (const auto& r : rows) {
        if (r.device == "failed") {
          throw InputError("rank " + std::to_string(r.rank) + ": " + r.reason);
        }
      }
      check_shared_devices(rows, job.training.workers_per_gpu);
    } catch (const std::exception& e) {
      status = report_error(e, true);
    }
  }
  return static_cast<int>(mpi.broadcast_from_root(status));
}

// `dir` is OUT as prepare_run_dir left it (under mpirun rank 0 prepared it already).
int run_in_process(JobConfig job, const RunOptions& options, const RunDir& dir) {
  int workers = options.workers;
  if (workers == 0) {
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    workers = std::max(1, std::min(job.max_parallel, cores));
  }
  if (job.training.worker_memory_mb > 0) {
    std::cerr << "warning: rung.worker_memory_mb limits worker ranks under mpirun or srun; "
                 "this run trains in one process and has no limit\n";
  }
  InProcessHub hub(workers);
  const WorkerContext context = worker_context(job);
  std::vector<std::thread> threads;
  for (int w = 1; w <= workers; ++w) {
    threads.emplace_back([&hub, &job, &context, w] {
      try {
        run_worker(hub.worker(w), job, context);
      } catch (const std::exception& e) {
        std::cerr << "rung: worker " << w << " failed: " << e.what() << std::endl;
        std::_Exit(kExitRuntime);
      }
    });
  }
  int code = kExitOk;
  try {
    code = coordinate(job, dir, hub.coordinator(), segment_deadline(options.deadline));
  } catch (const std::exception& e) {
    // The worker threads wait for a coordinator that is gone: end the process here.
    std::_Exit(report_error(e, true));
  }
  for (auto& t : threads) t.join();
  return code;
}

int run_under_mpi(const RunOptions& options) {
  int argc = 0;
  char** argv = nullptr;
  // Before MPI starts (a signal during start-up must not kill the rank), and again after, in
  // case the MPI library installed handlers of its own.
  install_walltime_signal_handlers();
  // The command trainer forks its programs from worker ranks. Open MPI warns about fork()
  // because a child that touched memory registered with an RDMA device could corrupt it; the
  // child here only calls exec, so the warning says nothing (a user's own setting wins).
  setenv("OMPI_MCA_mpi_warn_on_fork", "0", 0);
  MpiEnvironment mpi(argc, argv);
  install_walltime_signal_handlers();
  const bool is_root = mpi.rank() == 0;

  // Every rank reads the job (they share the file system); rank 0 alone prints problems and
  // prepares the output directory (or checks the run it holds), then tells the others
  // whether to go on.
  JobConfig job;
  RunDir dir;
  // The finished run in OUT: every rank exits 0 without running anything.
  constexpr int kAlreadyFinished = -1;
  int status = kExitOk;
  try {
    job = load_runnable_job(options);
    if (is_root) {
      for (const auto& w : job.warnings) std::cerr << "warning: " << w << '\n';
      if (!job.has_seed) job.seed = std::random_device{}();
      dir = prepare_run_dir(job, options.must_resume);
      if (dir.kind == RunDir::Kind::Finished) {
        std::cout << "rung: " << dir.message << std::endl;
        status = kAlreadyFinished;
      }
    }
  } catch (const std::exception& e) {
    status = report_error(e, is_root);
  }
  status = static_cast<int>(mpi.broadcast_from_root(status));
  if (status == kAlreadyFinished) return kExitOk;
  if (status != kExitOk) return status;
  if (mpi.size() < 2) {
    // A launcher with a single rank: no worker ranks, so train in-process threads.
    return run_in_process(job, options, dir);
  }
  std::string physical = "cpu";
  if (const int placed = place_ranks(mpi, job, physical); placed != kExitOk) return placed;

  int code = kExitOk;
  std::size_t lost_workers = 0;
  try {
    if (is_root) {
      MpiCoordinatorTransport transport(mpi.size());
      code = coordinate(job, dir, transport, segment_deadline(options.deadline), &lost_workers);
    } else {
      MpiWorkerTransport transport(mpi.rank(), heartbeat_interval(job));
      WorkerContext context = worker_context(job, physical);
      context.host = mpi.host();
      apply_worker_memory_limit(job, mpi.rank());
      run_worker(transport, job, context);
    }
  } catch (const std::exception& e) {
    std::cerr << "rung: rank " << mpi.rank() << ": " << e.what() << std::endl;
    mpi.abort(report_error(e, false));
  }
  if (lost_workers > 0) {
    // The ranks given up never join a collective call: end them all with MPI_Abort, which
    // still passes the exit code on to mpirun/srun. The outputs are written and synced.
    std::cout << "rung: ending the MPI job with MPI_Abort (exit " << code << "): " << lost_workers
              << " worker rank(s) stopped answering and cannot end normally" << std::endl;
    mpi.abort(code);
  }

  const std::vector<double> cpu = mpi.gather_cpu_seconds(cpu_seconds());
  if (is_root) {
    double total = 0.0;
    for (double c : cpu) total += c;
    std::printf("cpu: rank 0 used %.2f s of %.2f s over %d ranks (%.1f%%)\n", cpu[0], total,
                mpi.size(), total > 0 ? 100.0 * cpu[0] / total : 0.0);
  }
  // Every rank exits with the run's status: 3 (suspended, resume me) reaches srun/mpirun.
  return static_cast<int>(mpi.broadcast_from_root(code));
}

}  // namespace

int run_command(const std::vector<std::string>& args) {
  try {
    const std::optional<RunOptions> parsed = parse_run_args(args);
    if (!parsed) return kExitOk;  // --help
    const RunOptions& options = *parsed;
    if (launched_by_mpi()) return run_under_mpi(options);
    install_walltime_signal_handlers();
    JobConfig job = load_runnable_job(options);
    for (const auto& w : job.warnings) std::cerr << "warning: " << w << '\n';
    if (!job.has_seed) job.seed = std::random_device{}();
    const RunDir dir = prepare_run_dir(job, options.must_resume);
    if (dir.kind == RunDir::Kind::Finished) {
      std::cout << "rung: " << dir.message << std::endl;
      return kExitOk;
    }
    return run_in_process(job, options, dir);
  } catch (const std::exception& e) {
    return report_error(e, true);
  }
}

}  // namespace rung::cli
