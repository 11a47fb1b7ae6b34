// The job as rung understood it, in rung's own form, every default filled in: what
// `rung validate` prints, and what parse_job_text reads back to the same JobConfig.
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "job_parts.hpp"
#include "rung/config/job_config.hpp"

namespace rung {
namespace {

// Bounds as SageMaker writes them: strings holding the shortest exact number.
std::string bound_text(double v) {
  char buf[40];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

void emit_value(YAML::Emitter& out, const ParamValue& value) {
  if (std::holds_alternative<std::string>(value)) {
    out << YAML::DoubleQuoted << std::get<std::string>(value);
  } else {
    out << to_string(value);  // an integer, or a real that reads back as a real
  }
}

void emit_range(YAML::Emitter& out, const ParamRange& r) {
  out << YAML::BeginMap;
  out << YAML::Key << "Name" << YAML::Value << r.name;
  if (r.kind == ParamKind::Categorical) {
    out << YAML::Key << "Values" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const auto& v : r.values) out << YAML::DoubleQuoted << v;
    out << YAML::EndSeq;
  } else {
    out << YAML::Key << "MinValue" << YAML::Value << YAML::DoubleQuoted << bound_text(r.min_value);
    out << YAML::Key << "MaxValue" << YAML::Value << YAML::DoubleQuoted << bound_text(r.max_value);
    out << YAML::Key << "ScalingType" << YAML::Value << to_string(r.scaling);
    if (r.scaling == ScalingType::Auto) {
      out << YAML::Comment(std::string("-> ") + to_string(r.effective_scaling()));
    }
  }
  out << YAML::EndMap;
}

void emit_ranges(YAML::Emitter& out, const SearchSpace& space, ParamKind kind, const char* key) {
  out << YAML::Key << key << YAML::Value;
  bool any = false;
  for (const auto& r : space.ranges()) any = any || r.kind == kind;
  if (!any) {
    out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
    return;
  }
  out << YAML::BeginSeq;
  for (const auto& r : space.ranges()) {
    if (r.kind == kind) emit_range(out, r);
  }
  out << YAML::EndSeq;
}

void emit_tuning(YAML::Emitter& out, const JobConfig& job) {
  out << YAML::Key << "HyperParameterTuningJobConfig" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "Strategy" << YAML::Value << to_string(job.strategy);
  if (job.strategy != Strategy::Hyperband && job.has_training) {
    out << YAML::Comment("every trial trains " + std::to_string(job.max_resource) + " epochs" +
                         (job.early_stopping == EarlyStopping::Auto
                              ? " unless the median stopping rule stops it"
                              : ""));
  }
  if (job.strategy == Strategy::Hyperband) {
    out << YAML::Key << "StrategyConfig" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "HyperbandStrategyConfig" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "MinResource" << YAML::Value << job.min_resource;
    out << YAML::Key << "MaxResource" << YAML::Value << job.max_resource;
    out << YAML::EndMap << YAML::EndMap;
  }
  out << YAML::Key << "ResourceLimits" << YAML::Value << YAML::BeginMap;
  // A derived trial count stays unwritten, so that the output reads back the same way.
  if (!job.is_max_trials_derived) {
    out << YAML::Key << "MaxNumberOfTrainingJobs" << YAML::Value << job.max_trials;
  }
  out << YAML::Key << "MaxParallelTrainingJobs" << YAML::Value << job.max_parallel;
  if (job.is_max_trials_derived) {
    out << YAML::Comment("MaxNumberOfTrainingJobs not set: Grid runs all " +
                         std::to_string(job.max_trials) + " combinations");
  }
  if (job.max_runtime_s) {
    out << YAML::Key << "MaxRuntimeInSeconds" << YAML::Value
        << static_cast<std::int64_t>(*job.max_runtime_s);
  }
  out << YAML::EndMap;
  out << YAML::Key << "HyperParameterTuningJobObjective" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "Type" << YAML::Value << to_string(job.objective.type);
  out << YAML::Key << "MetricName" << YAML::Value << YAML::DoubleQuoted
      << job.objective.metric_name;
  out << YAML::EndMap;
  out << YAML::Key << "ParameterRanges" << YAML::Value << YAML::BeginMap;
  emit_ranges(out, job.space, ParamKind::Integer, "IntegerParameterRanges");
  emit_ranges(out, job.space, ParamKind::Continuous, "ContinuousParameterRanges");
  emit_ranges(out, job.space, ParamKind::Categorical, "CategoricalParameterRanges");
  out << YAML::EndMap;
  if (job.has_seed) {
    out << YAML::Key << "RandomSeed" << YAML::Value << job.seed;
  }
  out << YAML::Key << "TrainingJobEarlyStoppingType" << YAML::Value << YAML::DoubleQuoted
      << (job.early_stopping == EarlyStopping::Auto ? "Auto" : "Off");
  const CompletionCriteria& c = job.completion;
  if (c.target_objective_value || c.max_jobs_not_improving || c.complete_on_convergence) {
    out << YAML::Key << "TuningJobCompletionCriteria" << YAML::Value << YAML::BeginMap;
    if (c.target_objective_value) {
      out << YAML::Key << "TargetObjectiveMetricValue" << YAML::Value
          << bound_text(*c.target_objective_value);
    }
    if (c.max_jobs_not_improving) {
      out << YAML::Key << "BestObjectiveNotImproving" << YAML::Value << YAML::BeginMap;
      out << YAML::Key << "MaxNumberOfTrainingJobsNotImproving" << YAML::Value
          << *c.max_jobs_not_improving;
      out << YAML::EndMap;
    }
    if (c.complete_on_convergence) {
      out << YAML::Key << "ConvergenceDetected" << YAML::Value << YAML::BeginMap;
      out << YAML::Key << "CompleteOnConvergence" << YAML::Value << "Enabled";
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

// The synthetic generator's fields.
void emit_synthetic_dataset(YAML::Emitter& out, const DatasetSpec& ds) {
  out << YAML::Key << "samples" << YAML::Value << ds.samples;
  out << YAML::Key << "features" << YAML::Value << ds.features;
  out << YAML::Key << "informative" << YAML::Value << ds.informative;
  out << YAML::Key << "class_separation" << YAML::Value
      << to_string(ParamValue{ds.class_separation});
  out << YAML::Key << "clusters_per_class" << YAML::Value << ds.clusters_per_class;
  out << YAML::Key << "label_noise" << YAML::Value << to_string(ParamValue{ds.label_noise});
  out << YAML::Key << "validation_fraction" << YAML::Value
      << to_string(ParamValue{ds.validation_fraction});
  out << YAML::Key << "seed" << YAML::Value << ds.seed;
}

// The user's program: argv, where it runs, its metrics and how it is stopped.
void emit_command(YAML::Emitter& out, const CommandSpec& c) {
  out << YAML::Key << "command" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const auto& word : c.argv) out << word;
  out << YAML::EndSeq;
  if (!c.workdir.empty()) out << YAML::Key << "workdir" << YAML::Value << c.workdir;
  out << YAML::Key << "metric_definitions" << YAML::Value << YAML::BeginSeq;
  for (const auto& m : c.metric_definitions) {
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "Name" << YAML::Value << m.name
        << YAML::Key << "Regex" << YAML::Value << YAML::DoubleQuoted << m.regex << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "command_grace_s" << YAML::Value << to_string(ParamValue{c.grace_s});
  if (c.epoch_timeout_s > 0) {
    out << YAML::Key << "epoch_timeout_s" << YAML::Value
        << to_string(ParamValue{c.epoch_timeout_s});
  }
}

// What the built-in and TorchScript models learn from (the command model reads its own data).
void emit_dataset(YAML::Emitter& out, const DatasetSpec& dataset) {
  out << YAML::Key << "dataset" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "kind" << YAML::Value << dataset.kind;
  if (!dataset.path.empty()) out << YAML::Key << "path" << YAML::Value << dataset.path;
  if (dataset.kind == "hdf5") {
    out << YAML::Key << "x_train" << YAML::Value << dataset.x_train;
    out << YAML::Key << "y_train" << YAML::Value << dataset.y_train;
    out << YAML::Key << "x_val" << YAML::Value << dataset.x_val;
    out << YAML::Key << "y_val" << YAML::Value << dataset.y_val;
  }
  if (dataset.kind != "synthetic") {
    // Image data sets read files: only the subset sizes apply (0: every image).
    out << YAML::Key << "train_subset" << YAML::Value << dataset.train_subset;
    out << YAML::Key << "test_subset" << YAML::Value << dataset.test_subset;
  } else {
    emit_synthetic_dataset(out, dataset);
  }
  out << YAML::EndMap;
}

void emit_training(YAML::Emitter& out, const JobConfig& job) {
  const TrainingSpec& t = job.training;
  out << YAML::Key << "rung" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "model" << YAML::Value << t.model;
  if (t.model == "command") emit_command(out, t.command);
  if (t.model == "torchscript") {
    out << YAML::Key << "torchscript" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "module" << YAML::Value << t.torchscript.module;
    out << YAML::Key << "loss" << YAML::Value << t.torchscript.loss;
    out << YAML::EndMap;
  }
  if (t.model != "command") emit_dataset(out, t.dataset);
  out << YAML::Key << "static_hyperparameters" << YAML::Value;
  if (t.static_hyperparameters.empty()) {
    out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
  } else {
    out << YAML::BeginMap;
    for (const auto& [name, value] : t.static_hyperparameters) {
      out << YAML::Key << name << YAML::Value;
      emit_value(out, value);
    }
    out << YAML::EndMap;
  }
  if (!t.curves.empty()) out << YAML::Key << "curves" << YAML::Value << t.curves;
  if (!job.is_journal_durable) out << YAML::Key << "journal" << YAML::Value << "buffered";
  out << YAML::Key << "device" << YAML::Value << t.device;
  out << YAML::Key << "threads_per_worker" << YAML::Value << t.threads_per_worker;
  if (t.workers_per_gpu != 1) {
    out << YAML::Key << "workers_per_gpu" << YAML::Value << t.workers_per_gpu;
  }
  if (t.checkpoint_every != 0) {
    out << YAML::Key << "checkpoint_every" << YAML::Value << t.checkpoint_every;
  }
  if (t.worker_timeout_s != kDefaultWorkerTimeoutS) {
    out << YAML::Key << "worker_timeout_s" << YAML::Value
        << to_string(ParamValue{t.worker_timeout_s});
  }
  if (t.worker_memory_mb != 0) {
    out << YAML::Key << "worker_memory_mb" << YAML::Value << t.worker_memory_mb;
  }
  if (job.strategy == Strategy::Hyperband) {
    out << YAML::Key << "asha" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "reduction_factor" << YAML::Value << job.asha.reduction_factor;
    out << YAML::Key << "type" << YAML::Value << to_string(job.asha.type);
    out << YAML::Key << "few_entries" << YAML::Value << to_string(job.asha.few_entries);
    out << YAML::Key << "brackets" << YAML::Value;
    const int all = config_detail::hyperband_bracket_count(job.min_resource, job.max_resource,
                                                           job.asha.reduction_factor);
    if (job.asha.brackets == 0) {
      out << "hyperband"
          << YAML::Comment("all " + std::to_string(all) + " bracket" + (all == 1 ? "" : "s"));
    } else {
      out << job.asha.brackets
          << YAML::Comment(job.asha.brackets == 1 ? std::string("single-bracket ASHA")
                                                  : std::to_string(job.asha.brackets) + " of " +
                                                        std::to_string(all) + " brackets");
    }
    out << YAML::EndMap;
    // Only when not the default: a run's job.yaml from before rung.searcher must still equal
    // the job's, or the run could not resume.
    if (job.searcher != HyperbandSearcher::Random) {
      out << YAML::Key << "searcher" << YAML::Value << to_string(job.searcher);
    }
  }
  if (job.early_stopping == EarlyStopping::Auto) {
    out << YAML::Key << "median_stopping" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "grace_epochs" << YAML::Value << job.median_stopping.grace_epochs;
    out << YAML::Key << "min_trials" << YAML::Value << job.median_stopping.min_trials;
    out << YAML::EndMap;
  }
  out << YAML::Key << "output_dir" << YAML::Value << job.output_dir;
  out << YAML::EndMap;
}

}  // namespace

std::string to_normalized_yaml(const JobConfig& job) {
  std::string header = "# rung job \"" + job.name + "\"";
  if (!job.source_path.empty()) header += ", as read from " + job.source_path;
  header += "\n";
  if (!job.has_seed) header += "# RandomSeed is not set: `rung run` picks one at start\n";
  YAML::Emitter out;
  out.SetIndent(2);
  out << YAML::BeginMap;
  out << YAML::Key << "HyperParameterTuningJobName" << YAML::Value << job.name;
  emit_tuning(out, job);
  if (job.has_training) emit_training(out, job);
  out << YAML::EndMap;
  return header + out.c_str() + "\n";
}

}  // namespace rung
