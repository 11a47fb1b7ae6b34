// A validated tuning job: SageMaker's HyperParameterTuningJobConfig (field names exactly as
// SageMaker spells them) plus rung's section, which holds what SageMaker's training-job
// definition would (model, dataset, static hyperparameters, device, ASHA options, output).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rung/config/hyperparameters.hpp"
#include "rung/config/search_space.hpp"

namespace rung {

enum class Strategy { Random, Grid, Bayesian, Hyperband };
enum class ObjectiveType { Maximize, Minimize };
// Promotion: trials pause at each rung and are resumed from their checkpoint when promoted.
// Stopping: trials run on past a rung only while they are in its top 1/eta.
enum class AshaType { Promotion, Stopping };
// How many entries of a rung with k recorded results may go on: floor(k/eta) (Li et al.'s
// ASHA: none until the rung holds eta results) or ceil(k/eta) (the first result in a rung
// always goes on, as in Ray Tune's percentile cut-off).
enum class FewEntriesRule { Floor, Ceil };

[[nodiscard]] const char* to_string(Strategy s);
[[nodiscard]] const char* to_string(ObjectiveType t);
[[nodiscard]] const char* to_string(AshaType t);
[[nodiscard]] const char* to_string(FewEntriesRule r);

struct Objective {
  ObjectiveType type = ObjectiveType::Maximize;
  std::string metric_name = "validation:accuracy";
  // Higher is better, whatever the type: schedulers and searchers compare scores only.
  [[nodiscard]] double score(double metric) const {
    return type == ObjectiveType::Maximize ? metric : -metric;
  }
};

struct AshaOptions {
  int reduction_factor = 3;
  AshaType type = AshaType::Promotion;
  FewEntriesRule few_entries = FewEntriesRule::Floor;  // default: Floor for promotion, Ceil for stopping
  // Hyperband's brackets (rung.asha.brackets): 0 = all of them, s_max + 1 where
  // s_max = floor(log_eta(MaxResource / MinResource)), with Hyperband's allocation (what
  // SageMaker runs, the default); n >= 1 = only the first n brackets; 1 = the single-bracket
  // ASHA of Li et al. (every trial starts at MinResource).
  int brackets = 0;
};

// rung.searcher: how Strategy Hyperband proposes new configurations. Random: uniformly, as
// SageMaker does; Mobster: one Gaussian process over (configuration, resource) fitted to every
// rung-level result (rung/sched/mobster_searcher.hpp); HyperTune: a model per rung level,
// weighted by how well each level ranks the top level's results, which also choose the
// brackets (rung/sched/hypertune_searcher.hpp).
enum class HyperbandSearcher { Random, Mobster, HyperTune };
[[nodiscard]] const char* to_string(HyperbandSearcher s);  // "random", "mobster", "hypertune"

// TrainingJobEarlyStoppingType. Auto: the median stopping rule (Random, Grid, Bayesian).
enum class EarlyStopping { Off, Auto };

// The median stopping rule's knobs (rung.median_stopping).
struct MedianStoppingOptions {
  int grace_epochs = 1;  // never stop a trial before it has trained this many epochs
  int min_trials = 3;    // other trials with a result at that epoch needed before any stop
};

// TuningJobCompletionCriteria; each absent when not set.
struct CompletionCriteria {
  std::optional<double> target_objective_value;    // TargetObjectiveMetricValue
  std::optional<int> max_jobs_not_improving;       // BestObjectiveNotImproving.MaxNumberOfTrainingJobsNotImproving
  bool complete_on_convergence = false;            // ConvergenceDetected.CompleteOnConvergence == Enabled
};

// The synthetic binary-classification set, or an image data set read from files.
struct DatasetSpec {
  std::string kind = "synthetic";  // "synthetic", "cifar10", "fashion_mnist" or "hdf5"
  // For file-based data sets: the directory of the files (the file itself for hdf5).
  std::string path;
  // kind hdf5: the datasets in the file that hold the inputs and targets of each split.
  std::string x_train = "x_train";
  std::string y_train = "y_train";
  std::string x_val = "x_val";
  std::string y_val = "y_val";
  // Image data sets: use only the first train_subset training and test_subset test images
  // (0: all of them), for CPU-sized runs.
  std::int64_t train_subset = 0;
  std::int64_t test_subset = 0;
  int samples = 5000;
  int features = 20;
  int informative = 6;
  double class_separation = 2.0;  // cluster centres at +-class_separation per informative axis
  // Gaussian clusters per class (at most 2^(informative-1)): more make the class boundary
  // more intricate, so it takes a larger, better-trained network to follow it.
  int clusters_per_class = 3;
  double label_noise = 0.02;
  double validation_fraction = 0.2;
  std::uint64_t seed = 7;
};

// The most clusters per class `informative` features hold: each of the 2c clusters sits on
// its own vertex of the informative hypercube, which has 2^informative of them.
[[nodiscard]] inline std::int64_t max_clusters_per_class(int informative) {
  return informative > 30 ? std::int64_t{INT32_MAX} : std::int64_t{1} << (informative - 1);
}

// One of SageMaker's MetricDefinitions: a metric's name and the regex (one capture group) that
// finds its value in a line of the training program's output.
struct MetricDefinition {
  std::string name;
  std::string regex;
};

// rung.model command: the user's own training program, one child process per trial start
// (rung/train/command_trainer.hpp; the contract is in the README).
struct CommandSpec {
  std::vector<std::string> argv;  // rung.command: no shell; a string is split like a shell would
  std::string workdir;            // rung.workdir; empty: the directory `rung run` starts in
  // rung.metric_definitions or TrainingJobDefinition.AlgorithmSpecification.MetricDefinitions.
  // A definition named "epoch" gives the epoch number instead of a metric.
  std::vector<MetricDefinition> metric_definitions;
  double grace_s = 30.0;          // rung.command_grace_s: SIGTERM, then SIGKILL after this
  double epoch_timeout_s = 0.0;   // rung.epoch_timeout_s: 0 = no limit
};

// rung.model torchscript: a module saved with torch.jit.save, trained on rung's own loop.
struct TorchScriptSpec {
  std::string module;                  // rung.torchscript.module
  std::string loss = "cross_entropy";  // rung.torchscript.loss: cross_entropy or mse
};

inline constexpr double kDefaultWorkerTimeoutS = 300.0;

struct TrainingSpec {
  // "mlp", "resnet20", "command" (the user's program), "torchscript" (the user's module);
  // "analytic" or "lcbench": no training, each epoch's metrics are looked up in the
  // curve source `curves` (by `rung simulate`, or by instant trainers in `rung run`).
  std::string model = "mlp";
  CommandSpec command;
  TorchScriptSpec torchscript;
  // The curve source ("analytic", "lcbench:<task id>", "results:<results.h5>"); empty: analytic
  // for model mlp, lcbench:189905 for model lcbench.
  std::string curves;
  DatasetSpec dataset;
  HyperParameters static_hyperparameters;  // passed to every trial, beside the tuned ones
  std::string device = "cpu";  // "cpu", "cuda", "auto"
  int threads_per_worker = 1;  // torch intra-op threads per worker rank
  // Worker ranks allowed to share one GPU (rung.workers_per_gpu); more fail at start.
  int workers_per_gpu = 1;
  // rung.checkpoint_every: a running trial also checkpoints after every N-th epoch, so a
  // crash or kill costs at most N epochs of it; 0: checkpoints only when a trial pauses.
  int checkpoint_every = 0;
  // rung.worker_timeout_s: a worker rank that sends nothing, not even its heartbeat, for this
  // long is given up (a hung node, a rank stopped without MPI noticing): its trial fails and
  // the job goes on with the other ranks.
  double worker_timeout_s = kDefaultWorkerTimeoutS;
  // rung.worker_memory_mb: each worker rank's address-space limit (RLIMIT_AS); 0: none. An
  // allocation past it fails the trial instead of the node's OOM killer ending the job.
  std::int64_t worker_memory_mb = 0;
};

struct JobConfig {
  std::string name = "rung-job";
  std::string source_path;
  Strategy strategy = Strategy::Random;
  int min_resource = 1;   // epochs; the first rung
  int max_resource = 1;   // epochs; no trial trains past it
  int max_trials = 1;     // ResourceLimits.MaxNumberOfTrainingJobs
  // Strategy Grid without MaxNumberOfTrainingJobs: max_trials is the number of combinations
  // (SearchSpace::grid_size()), so the job runs the whole grid.
  bool is_max_trials_derived = false;
  int max_parallel = 1;   // ResourceLimits.MaxParallelTrainingJobs
  std::optional<double> max_runtime_s;  // ResourceLimits.MaxRuntimeInSeconds
  EarlyStopping early_stopping = EarlyStopping::Off;  // TrainingJobEarlyStoppingType
  MedianStoppingOptions median_stopping;
  CompletionCriteria completion;
  Objective objective;
  SearchSpace space;
  std::uint64_t seed = 0;
  bool has_seed = false;
  AshaOptions asha;
  HyperbandSearcher searcher = HyperbandSearcher::Random;  // rung.searcher
  bool has_training = false;  // false for a bare SageMaker tuning config
  TrainingSpec training;
  std::string output_dir;
  // rung.journal: durable (the default: fdatasync before acting on each event, so a crash
  // loses nothing acted on) or buffered (lines reach the file system in batches: much faster
  // at tens of thousands of events per second, but a crash may lose the journal's tail).
  bool is_journal_durable = true;
  std::vector<std::string> warnings;  // accepted, but worth telling (e.g. the blog's nesting)
};

// Reads and validates a job file: rung YAML, a SageMaker CreateHyperParameterTuningJob
// request (JSON), a bare HyperParameterTuningJobConfig, or the AWS blog's mis-nested form.
// Throws ConfigError listing every problem, InputError when the file cannot be read.
[[nodiscard]] JobConfig load_job_file(const std::string& path);
[[nodiscard]] JobConfig parse_job_text(const std::string& text, const std::string& source_name);

// Throws ConfigError("rung", "valid tuning config; to run it, add ...") when the job has no
// training section.
void require_runnable(const JobConfig& job);

// The job as rung understood it, as YAML in rung's own form (what `rung validate` prints).
[[nodiscard]] std::string to_normalized_yaml(const JobConfig& job);

}  // namespace rung
