// Job files: which of the accepted forms a file is in, the checks that need several of its
// parts (epoch budget, Hyperband's brackets, Grid's trial count, static vs tuned names,
// metric vs model), and defaults.
#include "rung/config/job_config.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "job_parts.hpp"

namespace rung {
namespace {

using config_detail::describe;
using config_detail::Field;
using config_detail::JobDraft;
using config_detail::Reader;

constexpr const char* kNotRunnable =
    "valid tuning config; to run it, add a `rung:` section with model, dataset and static "
    "hyperparameters";

const std::vector<std::string> kTuningKeys = {"Strategy",
                                              "StrategyConfig",
                                              "HyperParameterTuningJobObjective",
                                              "ResourceLimits",
                                              "ParameterRanges",
                                              "TrainingJobEarlyStoppingType",
                                              "RandomSeed",
                                              "TuningJobCompletionCriteria"};
const std::vector<std::string> kRungKeys = {"model",
                                            "command",
                                            "metric_definitions",
                                            "workdir",
                                            "torchscript",
                                            "dataset",
                                            "static_hyperparameters",
                                            "device",
                                            "threads_per_worker",
                                            "checkpoint_every",
                                            "asha",
                                            "median_stopping",
                                            "output_dir"};
// Top-level keys of a CreateHyperParameterTuningJob request that rung cannot honour yet: each
// changes what the job searches, so ignoring it would run a different job.
const std::vector<std::string> kUnsupportedRequestKeys = {"TrainingJobDefinitions", "Autotune"};

// The metrics each model reports (what HyperParameterTuningJobObjective may name).
std::vector<std::string> model_metrics(const std::string& model) {
  // The config module cannot see the trainers; these lists mirror what each one reports.
  if (model == "mlp" || model == "resnet20" || model == "torchscript") {
    return {"validation:accuracy", "validation:loss", "train:loss"};
  }
  return {};
}

bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// SageMaker's HyperParameterTuningJobName: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}, 1 to 32
// characters: letters, digits and hyphens, starting and ending with a letter or digit.
bool is_sagemaker_job_name(const std::string& name) {
  if (name.empty() || name.size() > config_detail::kMaxJobNameLength) return false;
  if (!is_ascii_alnum(name.front()) || !is_ascii_alnum(name.back())) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_ascii_alnum(c) || c == '-'; });
}

// The closest name that follows SageMaker's rule: other characters become '-', hyphens at
// either end go, and the name is cut to 32 characters; "rung-job" when nothing is left.
std::string sagemaker_job_name_from(const std::string& text) {
  std::string name;
  for (const char c : text) name += is_ascii_alnum(c) ? c : '-';
  const auto first = name.find_first_not_of('-');
  if (first == std::string::npos) return "rung-job";
  name = name.substr(first, config_detail::kMaxJobNameLength);
  name.erase(name.find_last_not_of('-') + 1);
  return name;
}

// The default job name: the file name without its extension, made to follow SageMaker's rule
// ("tuning_config_only.json" -> "tuning-config-only").
std::string default_name(const std::string& source) {
  return sagemaker_job_name_from(std::filesystem::path(source).stem().string());
}

bool contains(const std::vector<std::string>& names, const std::string& key) {
  return std::find(names.begin(), names.end(), key) != names.end();
}

// Top-level keys that belong one level down get a precise hint instead of "unknown key".
void check_top_keys(Reader& r, const Field& root, std::vector<std::string> known,
                    bool tuning_is_nested) {
  for (const auto& [key, value] : r.entries(root)) {
    if (contains(known, key)) continue;
    if (contains(kRungKeys, key)) {
      r.add(value, "belongs inside the rung: section; move it under rung:");
      known.push_back(key);
    } else if (tuning_is_nested && contains(kTuningKeys, key)) {
      r.add(value, "belongs inside HyperParameterTuningJobConfig, not at the top level");
      known.push_back(key);
    }
  }
  r.check_keys(root, known);
}

// Which static hyperparameter holds the epoch budget (SageMaker's names, in its order).
const std::string* epoch_key(const JobDraft& d) {
  for (const auto& key : config_detail::kEpochKeys) {
    if (d.job.training.static_hyperparameters.count(key)) return &key;
  }
  return nullptr;
}

// The epoch budget from static hyperparameters: a whole number >= 1, else an issue.
std::optional<int> static_epochs(Reader& r, const JobDraft& d, const std::string& key) {
  const ParamValue& value = d.job.training.static_hyperparameters.at(key);
  const Field& where = d.static_fields.at(key);
  const auto* v = std::get_if<std::int64_t>(&value);
  if (v == nullptr || *v < 1 || *v > config_detail::kIntMax) {
    r.add(where, "\"" + to_string(value) + "\" must be a whole number of epochs >= 1 (it is " +
                     "the epoch budget of every trial)");
    return std::nullopt;
  }
  return static_cast<int>(*v);
}

void resolve_resources(Reader& r, JobDraft& d) {
  JobConfig& job = d.job;
  if (!d.strategy_known) return;
  const std::string* key = epoch_key(d);
  const std::string statics_path = d.rung_section.node.IsDefined()
                                       ? d.rung_section.path + ".static_hyperparameters"
                                       : std::string("rung.static_hyperparameters");
  if (job.strategy != Strategy::Hyperband) {
    // Random, Grid and Bayesian train every trial for the static epoch budget (median
    // stopping, with early stopping Auto, may cut a trial short).
    job.min_resource = 1;
    if (key != nullptr) {
      if (auto epochs = static_epochs(r, d, *key)) job.max_resource = *epochs;
    } else if (job.has_training) {
      r.add(statics_path,
            std::string("has no epochs (nor numepochs, n-epochs, n_epochs, num_epochs); "
                        "Strategy ") +
                to_string(job.strategy) +
                " trains every trial for that many epochs; add e.g. epochs: 10",
            d.rung_section.mark);
    }
    if (job.searcher != HyperbandSearcher::Random) {
      r.add(d.searcher,
            std::string("\"") + to_string(job.searcher) +
                "\" learns from rung-level results, which only Strategy Hyperband has, but "
                "Strategy is " + to_string(job.strategy) +
                "; set Strategy: Hyperband, or use Strategy: Bayesian for a model-based search "
                "that trains every trial to the end");
    }
    if (d.asha.node.IsDefined()) {
      job.warnings.push_back(d.asha.path + ": ignored, since Strategy is " +
                             to_string(job.strategy) + " (ASHA runs only with Strategy Hyperband)");
    }
    return;
  }
  // Hyperband.
  const std::string hb_path =
      d.hyperband.node.IsDefined()
          ? d.hyperband.path
          : config_detail::join_path(d.tuning.path, "StrategyConfig.HyperbandStrategyConfig");
  const YAML::Mark hb_mark = d.hyperband.node.IsDefined() ? d.hyperband.mark : d.tuning.mark;
  // A MinResource or MaxResource that was given but is bad is already reported.
  if (r.child(d.hyperband, "MinResource").present() && !d.min_resource) return;
  if (r.child(d.hyperband, "MaxResource").present() && !d.max_resource) return;
  job.min_resource = static_cast<int>(d.min_resource.value_or(1));
  if (d.max_resource) {
    job.max_resource = static_cast<int>(*d.max_resource);
    if (key != nullptr) {
      const ParamValue& value = job.training.static_hyperparameters.at(*key);
      const auto* v = std::get_if<std::int64_t>(&value);
      if (v == nullptr || *v != job.max_resource) {
        job.warnings.push_back(d.static_fields.at(*key).path + ": " + to_string(value) +
                               " differs from MaxResource " + std::to_string(job.max_resource) +
                               "; Hyperband trains each trial for at most MaxResource epochs");
      }
    }
  } else if (key != nullptr) {
    const auto epochs = static_epochs(r, d, *key);
    if (!epochs) return;
    job.max_resource = *epochs;
  } else {
    r.add(hb_path + ".MaxResource",
          "is missing, and no static hyperparameter epochs, numepochs, n-epochs, n_epochs or "
          "num_epochs to infer it from; set MaxResource (e.g. 9) or add epochs to the static "
          "hyperparameters",
          hb_mark);
    return;
  }
  if (job.max_resource < job.min_resource) {
    const Field min_field = r.child(d.hyperband, "MinResource");
    r.add(min_field.node.IsDefined() ? min_field.path : hb_path + ".MinResource",
          "\"" + std::to_string(job.min_resource) + "\" must be <= MaxResource (" +
              std::to_string(job.max_resource) +
              (d.max_resource ? ")" : ", from the static hyperparameter " + *key + ")") +
              "; lower MinResource or raise MaxResource",
          min_field.node.IsDefined() ? min_field.mark : hb_mark);
    return;
  }
  if (d.brackets.node.IsDefined() && job.asha.brackets > 0) {
    const int eta = job.asha.reduction_factor;
    const int available =
        config_detail::hyperband_bracket_count(job.min_resource, job.max_resource, eta);
    if (job.asha.brackets > available) {
      r.add(d.brackets, describe(d.brackets.node) + " is more than the " +
                            std::to_string(available) + " bracket" + (available == 1 ? "" : "s") +
                            " that MinResource " + std::to_string(job.min_resource) +
                            ", MaxResource " + std::to_string(job.max_resource) +
                            " and reduction_factor " + std::to_string(eta) + " give (floor(log_" +
                            std::to_string(eta) +
                            "(MaxResource / MinResource)) + 1); use at most " +
                            std::to_string(available) + ", or hyperband for all of them");
    }
  }
}

// Grid's trial budget: every combination when MaxNumberOfTrainingJobs is absent; when given,
// at most the number of combinations (a grid has nothing more to run), and a smaller value
// runs the first ones in SearchSpace::grid_point() order.
void resolve_grid(Reader& r, JobDraft& d) {
  JobConfig& job = d.job;
  if (!d.strategy_known || job.strategy != Strategy::Grid) return;
  const std::uint64_t combinations = job.space.grid_size();
  if (combinations == 0) return;  // the ranges had problems, already reported
  std::string product;
  for (const auto& range : job.space.ranges()) {
    product += (product.empty() ? "" : " x ") + std::to_string(range.values.size());
  }
  const std::string count = std::to_string(combinations);
  if (!d.max_trials.present()) {
    if (combinations > static_cast<std::uint64_t>(config_detail::kIntMax)) {
      r.add(config_detail::join_path(d.tuning.path, "ParameterRanges"),
            "gives " + count + " combinations (" + product +
                "), more than rung can run (at most 2147483647 trials); drop some values",
            d.tuning.mark);
      return;
    }
    job.max_trials = static_cast<int>(combinations);
    job.is_max_trials_derived = true;
    return;
  }
  if (!d.has_max_trials) return;  // given but bad: already reported
  const auto given = static_cast<std::uint64_t>(job.max_trials);
  if (given > combinations) {
    r.add(d.max_trials, describe(d.max_trials.node) + " is more than the " + count +
                            " combinations of the grid (" + product +
                            " values); Grid runs each combination once. Remove "
                            "MaxNumberOfTrainingJobs to run them all, or set it <= " +
                            count);
  } else if (given < combinations) {
    job.warnings.push_back(d.max_trials.path + ": " + std::to_string(given) + " of the " + count +
                           " combinations; Grid runs the first " + std::to_string(given) +
                           " in grid order (the last range's values turning fastest); remove "
                           "it to run them all");
  }
}

void check_early_stopping(JobDraft& d) {
  JobConfig& job = d.job;
  if (!d.median_stopping.node.IsDefined()) return;
  if (job.early_stopping != EarlyStopping::Auto) {
    job.warnings.push_back(d.median_stopping.path +
                           ": ignored, since TrainingJobEarlyStoppingType is not Auto (the "
                           "median stopping rule runs only with Auto)");
    return;
  }
  if (job.has_training && job.median_stopping.grace_epochs >= job.max_resource) {
    job.warnings.push_back(d.median_stopping.path +
                           ".grace_epochs: " + std::to_string(job.median_stopping.grace_epochs) +
                           " is not below the epoch budget (" + std::to_string(job.max_resource) +
                           "); the median stopping rule will never stop a trial early");
  }
}

// Criteria that cannot end this job early are worth a warning, not an error.
void check_completion(JobDraft& d) {
  JobConfig& job = d.job;
  const std::string path = config_detail::join_path(d.tuning.path, "TuningJobCompletionCriteria");
  const CompletionCriteria& c = job.completion;
  if (c.max_jobs_not_improving && *c.max_jobs_not_improving >= job.max_trials) {
    job.warnings.push_back(
        path + ".BestObjectiveNotImproving.MaxNumberOfTrainingJobsNotImproving: " +
        std::to_string(*c.max_jobs_not_improving) + " is not below MaxNumberOfTrainingJobs (" +
        std::to_string(job.max_trials) + "); it will never end the job early");
  }
  if (c.complete_on_convergence) {
    const int window = std::max(10, 2 * job.max_parallel);
    if (2 * static_cast<std::int64_t>(window) > job.max_trials) {
      job.warnings.push_back(path + ".ConvergenceDetected: convergence is checked after at least " +
                             std::to_string(2 * window) +
                             " finished trials (2 x W, W = max(10, "
                             "2 x MaxParallelTrainingJobs) = " +
                             std::to_string(window) + "), but the job runs at most " +
                             std::to_string(job.max_trials) + "; it will never end the job early");
    }
  }
}

void check_names_and_metric(Reader& r, JobDraft& d) {
  JobConfig& job = d.job;
  for (const auto& range : job.space.ranges()) {
    const auto it = d.static_fields.find(range.name);
    if (it != d.static_fields.end()) {
      r.add(it->second, "\"" + range.name +
                            "\" is both a static hyperparameter and a tuned range; remove one "
                            "of them");
    }
  }
  if (job.has_training && d.objective_metric.present()) {
    const auto allowed = model_metrics(job.training.model);
    if (!allowed.empty() && !contains(allowed, job.objective.metric_name)) {
      std::string list;
      for (const auto& m : allowed) list += (list.empty() ? "" : ", ") + m;
      r.add(d.objective_metric, "\"" + job.objective.metric_name + "\" is not a metric the " +
                                    job.training.model + " model reports; use one of " + list);
    }
  }
  const std::string& metric = job.objective.metric_name;
  const bool is_loss = metric.find("loss") != std::string::npos;
  const bool is_accuracy = metric.find("accuracy") != std::string::npos;
  if ((is_loss && job.objective.type == ObjectiveType::Maximize) ||
      (is_accuracy && job.objective.type == ObjectiveType::Minimize)) {
    job.warnings.push_back(d.objective_metric.path + ": " + to_string(job.objective.type) + " \"" +
                           metric + "\" looks inverted; check " +
                           "HyperParameterTuningJobObjective.Type");
  }
  if (job.max_parallel > job.max_trials) {
    job.warnings.push_back(
        config_detail::join_path(d.tuning.path, "ResourceLimits.MaxParallelTrainingJobs: ") +
        std::to_string(job.max_parallel) +
        " is more than "
        "MaxNumberOfTrainingJobs (" +
        std::to_string(job.max_trials) + "); at most " + std::to_string(job.max_trials) +
        " trials will run at once");
  }
}

YAML::Node load_yaml(const std::string& source, bool is_json) {
  try {
    return YAML::Load(source);
  } catch (const YAML::Exception& e) {
    ConfigIssue issue{"", std::string("not valid ") + (is_json ? "JSON" : "YAML") + ": " + e.msg};
    if (!e.mark.is_null()) {
      issue.line = e.mark.line + 1;
      issue.column = e.mark.column + 1;
    }
    throw ConfigError(std::vector<ConfigIssue>{issue});
  }
}

JobConfig parse_document(const YAML::Node& doc, const std::string& source, bool is_json) {
  Reader r;
  JobDraft d;
  d.is_json = is_json;
  d.job.source_path = source;
  const Field root{doc, "", doc.IsDefined() ? doc.Mark() : YAML::Mark::null_mark()};
  if (!root.present()) {
    throw ConfigError("",
                      "the file is empty; a job file needs at least "
                      "HyperParameterTuningJobConfig (see the README's job-file reference)");
  }
  if (!root.node.IsMap()) {
    r.add(root,
          "expected a mapping at the top of the file (HyperParameterTuningJobConfig: "
          "..., rung: ...), got " +
              describe(root.node));
    throw ConfigError(r.issues());
  }

  const Field nested = r.child(root, "HyperParameterTuningJobConfig");
  const bool is_bare = !nested.node.IsDefined() &&
                       std::any_of(kTuningKeys.begin(), kTuningKeys.end(), [&](const auto& k) {
                         return r.child(root, k).node.IsDefined();
                       });
  std::vector<std::string> top = {"HyperParameterTuningJobName", "rung"};
  if (is_bare) {
    top.insert(top.end(), kTuningKeys.begin(), kTuningKeys.end());
    check_top_keys(r, root, top, false);
    d.tuning = root;
  } else {
    top.insert(top.end(), {"HyperParameterTuningJobConfig", "TrainingJobDefinition", "Tags",
                           "WarmStartConfig"});
    top.insert(top.end(), kUnsupportedRequestKeys.begin(), kUnsupportedRequestKeys.end());
    check_top_keys(r, root, top, true);
    if (!nested.node.IsDefined()) {
      r.add(root,
            "has no HyperParameterTuningJobConfig; expected rung's form "
            "(HyperParameterTuningJobConfig: and rung:), a SageMaker "
            "CreateHyperParameterTuningJob request, or a bare HyperParameterTuningJobConfig "
            "(Strategy, ResourceLimits, ParameterRanges at the top)");
      throw ConfigError(r.issues());
    }
    for (const auto& key : kUnsupportedRequestKeys) {
      const Field f = r.child(root, key);
      if (f.node.IsDefined()) r.add(f, "is not supported yet; remove it");
    }
    if (r.child(root, "Tags").node.IsDefined()) {
      d.job.warnings.push_back("Tags: ignored (rung has no resources to tag)");
    }
    // Real requests carry it; refusing them would be worse than starting cold.
    if (r.child(root, "WarmStartConfig").node.IsDefined()) {
      d.job.warnings.push_back(
          "WarmStartConfig: ignored (rung does not warm-start from earlier tuning jobs yet); "
          "this job starts from scratch");
    }
    d.tuning = nested;
    if (!r.expect_map(nested, "HyperParameterTuningJobConfig")) {
      if (!nested.present())
        r.add(nested,
              "is empty; it needs Strategy, ResourceLimits, "
              "HyperParameterTuningJobObjective and ParameterRanges");
      throw ConfigError(r.issues());
    }
    r.check_keys(nested, kTuningKeys);
  }

  const Field name = r.child(root, "HyperParameterTuningJobName");
  d.job.name = default_name(source);
  if (auto v = r.text(name)) {
    if (!is_sagemaker_job_name(*v)) {
      r.add(name, describe(name.node) +
                      " does not follow SageMaker's rule for job names: 1 to 32 letters, "
                      "digits and hyphens, starting and ending with a letter or digit (it "
                      "also names the output directory); use e.g. \"" +
                      sagemaker_job_name_from(*v) + "\"");
    } else {
      d.job.name = *v;
    }
  }

  const Field definition = r.child(root, "TrainingJobDefinition");
  if (!is_bare && definition.node.IsMap()) {
    d.definition_objective = r.child(definition, "TuningObjective");
  }
  config_detail::read_tuning_config(r, d.tuning, d);
  if (!is_bare && definition.node.IsDefined()) {
    config_detail::read_training_definition(r, definition, d);
  }
  const Field section = r.child(root, "rung");
  if (section.node.IsDefined()) config_detail::read_rung_section(r, section, d);

  resolve_resources(r, d);
  resolve_grid(r, d);
  check_early_stopping(d);
  config_detail::resolve_command(r, d);
  check_names_and_metric(r, d);
  check_completion(d);
  if (!d.has_few_entries) {
    // Stopping type: a trial that is first in its rung should not be stopped for being alone.
    d.job.asha.few_entries =
        d.job.asha.type == AshaType::Stopping ? FewEntriesRule::Ceil : FewEntriesRule::Floor;
  }
  if (!d.has_output_dir) d.job.output_dir = "out/" + d.job.name;

  if (!r.issues().empty()) throw ConfigError(r.issues());
  return d.job;
}

}  // namespace

const char* to_string(Strategy s) {
  switch (s) {
    case Strategy::Random:
      return "Random";
    case Strategy::Grid:
      return "Grid";
    case Strategy::Bayesian:
      return "Bayesian";
    case Strategy::Hyperband:
      return "Hyperband";
  }
  return "?";
}

const char* to_string(ObjectiveType t) {
  return t == ObjectiveType::Maximize ? "Maximize" : "Minimize";
}

const char* to_string(AshaType t) { return t == AshaType::Promotion ? "promotion" : "stopping"; }

const char* to_string(HyperbandSearcher s) {
  switch (s) {
    case HyperbandSearcher::Random:
      return "random";
    case HyperbandSearcher::Mobster:
      return "mobster";
    case HyperbandSearcher::HyperTune:
      return "hypertune";
  }
  return "random";
}

const char* to_string(FewEntriesRule r) { return r == FewEntriesRule::Floor ? "floor" : "ceil"; }

JobConfig parse_job_text(const std::string& text, const std::string& source_name) {
  const auto first = text.find_first_not_of(" \t\r\n");
  const bool is_json = first != std::string::npos && text[first] == '{';
  // YAML forbids tabs as indentation; JSON allows them between tokens (and not inside
  // strings, where they must be escaped), so they are blanks here.
  std::string source = text;
  if (is_json) std::replace(source.begin(), source.end(), '\t', ' ');
  const YAML::Node doc = load_yaml(source, is_json);
  try {
    return parse_document(doc, source_name, is_json);
  } catch (const YAML::Exception& e) {  // a yaml-cpp surprise is still a bad file, not a crash
    throw ConfigError("", std::string("could not read the document: ") + e.msg);
  }
}

JobConfig load_job_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError("cannot read job file \"" + path + "\": it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw InputError("cannot read job file \"" + path + "\": " +
                     (std::filesystem::exists(path, ec) ? "permission denied" : "no such file"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw InputError("cannot read job file \"" + path + "\": read error");
  return parse_job_text(text.str(), path);
}

void require_runnable(const JobConfig& job) {
  if (!job.has_training) throw ConfigError("rung", kNotRunnable);
}

}  // namespace rung
