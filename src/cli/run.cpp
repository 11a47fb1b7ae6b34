// `rung run JOB`: one tuning job. Under mpirun/srun rank 0 coordinates and ranks >= 1 train;
// started alone, the workers are threads of this process and MPI is never initialised.
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <thread>

#include "commands.hpp"
#include "run_support.hpp"
#include "rung/comm/inprocess_transport.hpp"
#include "rung/comm/mpi_transport.hpp"
#include "rung/config/error.hpp"
#include "rung/config/job_config.hpp"
#include "rung/train/worker.hpp"
#include "rung/tune/coordinator.hpp"
#include "rung/tune/run_outputs.hpp"

namespace rung::cli {
namespace {

namespace fs = std::filesystem;

struct RunOptions {
  std::string job_path;
  std::string out_dir;
  int workers = 0;  // single-rank runs: worker threads (0: min(MaxParallel, cores))
};

RunOptions parse_run_args(const std::vector<std::string>& args) {
  RunOptions o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const auto value = [&](const char* flag) { return flag_value(args, i, flag); };
    if (a == "--out") {
      o.out_dir = value("--out");
    } else if (a.rfind("--out=", 0) == 0) {
      o.out_dir = a.substr(6);
    } else if (a == "--workers") {
      o.workers = positive_flag("--workers", value("--workers"));
    } else if (!a.empty() && a[0] == '-') {
      throw InputError("unknown option " + a + " (rung run JOB [--out DIR] [--workers N])");
    } else if (o.job_path.empty()) {
      o.job_path = a;
    } else {
      throw InputError("unexpected argument " + a + " (rung run takes one job file)");
    }
  }
  if (o.job_path.empty()) throw InputError("rung run: missing job file (rung run JOB [--out DIR])");
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
  return load_job_for_run(options.job_path, options.out_dir);
}

RunRecord coordinate(const JobConfig& job, CoordinatorTransport& transport) {
  const fs::path out(job.output_dir);
  write_file_atomically((out / "job.yaml").string(), to_normalized_yaml(job));
  Journal journal((out / "journal").string(), job.is_journal_durable);
  WallClock clock;
  Coordinator coordinator(job, transport, journal, clock, std::cout, CoordinatorOptions{});
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
  return run;
}

WorkerContext worker_context(const JobConfig& job) {
  WorkerContext c;
  c.checkpoint_dir = (fs::path(job.output_dir) / "checkpoints").string();
  c.host = hostname();
  c.device = job.training.device == "auto" ? "cpu" : job.training.device;
  return c;
}

int run_in_process(JobConfig job, const RunOptions& options) {
  prepare_output_dir(job);
  int workers = options.workers;
  if (workers == 0) {
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    workers = std::max(1, std::min(job.max_parallel, cores));
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
  coordinate(job, hub.coordinator());
  for (auto& t : threads) t.join();
  return kExitOk;
}

int run_under_mpi(const RunOptions& options) {
  int argc = 0;
  char** argv = nullptr;
  MpiEnvironment mpi(argc, argv);
  const bool is_root = mpi.rank() == 0;

  // Every rank reads the job (they share the file system); rank 0 alone prints problems and
  // prepares the output directory, then tells the others whether to go on.
  JobConfig job;
  int status = kExitOk;
  try {
    job = load_runnable_job(options);
    if (is_root) {
      for (const auto& w : job.warnings) std::cerr << "warning: " << w << '\n';
      if (!job.has_seed) job.seed = std::random_device{}();
      prepare_output_dir(job);
    }
  } catch (const std::exception& e) {
    status = report_error(e, is_root);
  }
  status = static_cast<int>(mpi.broadcast_from_root(status));
  if (status != kExitOk) return status;
  if (mpi.size() < 2) {
    // A launcher with a single rank: no worker ranks, so train in-process threads.
    return run_in_process(job, options);
  }

  try {
    if (is_root) {
      MpiCoordinatorTransport transport(mpi.size());
      coordinate(job, transport);
    } else {
      MpiWorkerTransport transport(mpi.rank());
      WorkerContext context = worker_context(job);
      context.host = mpi.host();
      run_worker(transport, job, context);
    }
  } catch (const std::exception& e) {
    std::cerr << "rung: rank " << mpi.rank() << ": " << e.what() << std::endl;
    mpi.abort(report_error(e, false));
  }

  const std::vector<double> cpu = mpi.gather_cpu_seconds(cpu_seconds());
  if (is_root) {
    double total = 0.0;
    for (double c : cpu) total += c;
    std::printf("cpu: rank 0 used %.2f s of %.2f s over %d ranks (%.1f%%)\n", cpu[0], total,
                mpi.size(), total > 0 ? 100.0 * cpu[0] / total : 0.0);
  }
  return kExitOk;
}

}  // namespace

int run_command(const std::vector<std::string>& args) {
  try {
    const RunOptions options = parse_run_args(args);
    if (launched_by_mpi()) return run_under_mpi(options);
    JobConfig job = load_runnable_job(options);
    for (const auto& w : job.warnings) std::cerr << "warning: " << w << '\n';
    if (!job.has_seed) job.seed = std::random_device{}();
    return run_in_process(job, options);
  } catch (const std::exception& e) {
    return report_error(e, true);
  }
}

}  // namespace rung::cli
