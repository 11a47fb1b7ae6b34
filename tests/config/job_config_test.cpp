#include "rung/config/job_config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "config/test_jobs.hpp"

namespace rung {
namespace {

using test::good_job_with;
using test::kGoodJob;
using test::with;

std::string job_path(const std::string& name) {
  return std::string(RUNG_SOURCE_DIR) + "/jobs/" + name;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool any_warning(const JobConfig& job, const std::string& part) {
  for (const auto& w : job.warnings) {
    if (has(w, part)) return true;
  }
  return false;
}

// The issues of a job text that must not parse, one per line.
std::string issues_of(const std::string& text) {
  try {
    (void)parse_job_text(text, "bad.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a ConfigError for:\n" << text;
  return "";
}

const ParamRange& range(const JobConfig& job, const std::string& name) {
  const ParamRange* r = job.space.find(name);
  if (r == nullptr) throw std::runtime_error("no range " + name);
  return *r;
}

TEST(JobConfig, rung_form_parses_every_field) {
  const JobConfig job = parse_job_text(kGoodJob, "jobs/whatever.yaml");
  EXPECT_EQ(job.name, "cli-test");
  EXPECT_EQ(job.source_path, "jobs/whatever.yaml");
  EXPECT_EQ(job.strategy, Strategy::Hyperband);
  EXPECT_EQ(job.min_resource, 1);
  EXPECT_EQ(job.max_resource, 9);
  EXPECT_EQ(job.max_trials, 12);
  EXPECT_EQ(job.max_parallel, 2);
  EXPECT_EQ(job.objective.type, ObjectiveType::Maximize);
  EXPECT_EQ(job.objective.metric_name, "validation:accuracy");
  ASSERT_EQ(job.space.dims(), 5U);
  // Ranges keep the file's order: integers, continuous, categorical.
  EXPECT_EQ(job.space.ranges()[0].name, "units");
  EXPECT_EQ(job.space.ranges()[4].name, "activation");
  EXPECT_EQ(range(job, "units").kind, ParamKind::Integer);
  EXPECT_EQ(range(job, "units").min_value, 10);
  EXPECT_EQ(range(job, "units").max_value, 1000);
  EXPECT_EQ(range(job, "units").scaling, ScalingType::Logarithmic);
  EXPECT_EQ(range(job, "batch_size").scaling, ScalingType::Auto);  // plain numbers accepted
  EXPECT_EQ(range(job, "batch_size").effective_scaling(), ScalingType::Linear);
  EXPECT_DOUBLE_EQ(range(job, "learning_rate").min_value, 1e-4);
  EXPECT_EQ(range(job, "l2").effective_scaling(), ScalingType::Logarithmic);
  EXPECT_EQ(range(job, "activation").values, (std::vector<std::string>{"relu", "tanh"}));
  EXPECT_TRUE(job.has_seed);
  EXPECT_EQ(job.seed, 42U);
  EXPECT_TRUE(job.has_training);
  EXPECT_EQ(job.training.model, "mlp");
  EXPECT_EQ(job.training.dataset.samples, 5000);
  EXPECT_EQ(job.training.dataset.features, 20);
  EXPECT_EQ(job.training.dataset.informative, 6);
  EXPECT_DOUBLE_EQ(job.training.dataset.label_noise, 0.02);
  EXPECT_EQ(job.training.dataset.seed, 7U);
  EXPECT_EQ(job.training.static_hyperparameters.at("epochs"), ParamValue(std::int64_t{9}));
  EXPECT_EQ(job.training.static_hyperparameters.at("optimizer"), ParamValue(std::string("adam")));
  EXPECT_EQ(job.training.device, "cpu");
  EXPECT_EQ(job.asha.reduction_factor, 3);
  EXPECT_EQ(job.asha.type, AshaType::Promotion);
  EXPECT_EQ(job.asha.few_entries, FewEntriesRule::Floor);
  EXPECT_EQ(job.output_dir, "out/cli-test");
  EXPECT_TRUE(job.warnings.empty());
}

TEST(JobConfig, defaults_fill_what_the_file_leaves_out) {
  const std::string text = R"(HyperParameterTuningJobConfig:
  Strategy: Hyperband
  ResourceLimits: {MaxNumberOfTrainingJobs: 5, MaxParallelTrainingJobs: 1}
  HyperParameterTuningJobObjective: {Type: Minimize, MetricName: "validation:loss"}
  ParameterRanges:
    ContinuousParameterRanges: [{Name: lr, MinValue: 0.001, MaxValue: 0.1}]
rung:
  model: mlp
  static_hyperparameters: {num_epochs: "27"}
  asha: {type: stopping}
)";
  const JobConfig job = parse_job_text(text, "/tmp/some dir/my job.yml");
  EXPECT_EQ(job.name, "my-job");
  EXPECT_EQ(job.output_dir, "out/my-job");
  EXPECT_EQ(job.min_resource, 1);
  EXPECT_EQ(job.max_resource, 27);  // inferred from num_epochs, as SageMaker does
  EXPECT_FALSE(job.has_seed);
  EXPECT_EQ(job.asha.reduction_factor, 3);
  EXPECT_EQ(job.asha.few_entries, FewEntriesRule::Ceil);  // stopping's default
  EXPECT_EQ(job.training.dataset.samples, 5000);
  EXPECT_EQ(job.training.device, "cpu");
  EXPECT_EQ(job.training.threads_per_worker, 1);
  EXPECT_EQ(job.objective.type, ObjectiveType::Minimize);
}

TEST(JobConfig, random_takes_its_epoch_budget_from_static_hyperparameters) {
  std::string text = good_job_with(
      "  StrategyConfig:\n    HyperbandStrategyConfig: {MinResource: 1, "
      "MaxResource: 9}\n",
      "");
  text.replace(text.find("Strategy: Hyperband"), 19, "Strategy: Random");
  text.replace(text.find("{epochs: 9,"), 11, "{n_epochs: 4,");
  const JobConfig job = parse_job_text(text, "r.yaml");
  EXPECT_EQ(job.strategy, Strategy::Random);
  EXPECT_EQ(job.min_resource, 1);
  EXPECT_EQ(job.max_resource, 4);
  EXPECT_TRUE(any_warning(job, "asha: ignored"));
}

TEST(JobConfig, sagemaker_request_maps_static_hyperparameters) {
  const JobConfig job = load_job_file(job_path("sagemaker_request.json"));
  EXPECT_EQ(job.name, "mlp-sagemaker-request");
  EXPECT_EQ(job.strategy, Strategy::Hyperband);
  EXPECT_EQ(job.min_resource, 1);
  EXPECT_EQ(job.max_resource, 9);
  EXPECT_EQ(job.max_trials, 12);
  EXPECT_EQ(job.max_parallel, 2);
  EXPECT_TRUE(job.has_training);
  EXPECT_EQ(job.training.static_hyperparameters.at("epochs"), ParamValue(std::int64_t{9}));
  ASSERT_EQ(job.space.dims(), 4U);
  EXPECT_EQ(range(job, "units").scaling, ScalingType::Logarithmic);
  EXPECT_EQ(range(job, "batch_size").kind, ParamKind::Integer);
  EXPECT_DOUBLE_EQ(range(job, "l2").min_value, 1e-6);
  EXPECT_DOUBLE_EQ(range(job, "l2").max_value, 2.0);
  EXPECT_TRUE(any_warning(job, "AlgorithmSpecification"));
  EXPECT_TRUE(any_warning(job, "rung ignores"));
  EXPECT_NO_THROW(require_runnable(job));
}

TEST(JobConfig, sagemaker_request_without_rung_section_is_not_runnable) {
  const std::string text = R"({
  "HyperParameterTuningJobName": "no-rung",
  "HyperParameterTuningJobConfig": {
    "Strategy": "Hyperband",
    "ResourceLimits": {"MaxNumberOfTrainingJobs": 10, "MaxParallelTrainingJobs": 2},
    "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "validation:auc"},
    "ParameterRanges": {"IntegerParameterRanges": [
      {"Name": "depth", "MinValue": "1", "MaxValue": "9"}]}
  },
  "TrainingJobDefinition": {"StaticHyperParameters": {"num_epochs": "20", "objective": "binary"}}
})";
  const JobConfig job = parse_job_text(text, "request.json");
  EXPECT_FALSE(job.has_training);
  EXPECT_EQ(job.max_resource, 20);
  EXPECT_EQ(job.objective.metric_name, "validation:auc");  // any metric without a model
  try {
    require_runnable(job);
    FAIL() << "a job without a rung section must not be runnable";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.issues().size(), 1U);
    EXPECT_EQ(e.issues()[0].path, "rung");
    EXPECT_TRUE(has(e.what(), "valid tuning config; to run it, add a `rung:` section"));
  }
}

TEST(JobConfig, bare_tuning_config_parses) {
  const JobConfig job = load_job_file(job_path("tuning_config_only.json"));
  EXPECT_EQ(job.name, "tuning-config-only");  // the file name, made a SageMaker job name
  EXPECT_FALSE(job.has_training);
  EXPECT_EQ(job.strategy, Strategy::Hyperband);
  EXPECT_EQ(job.max_resource, 9);
  EXPECT_EQ(job.max_trials, 24);
  EXPECT_EQ(job.max_parallel, 4);
  EXPECT_EQ(job.seed, 7U);
  ASSERT_EQ(job.space.dims(), 4U);
  EXPECT_EQ(range(job, "l2").scaling, ScalingType::Auto);
  EXPECT_EQ(range(job, "l2").effective_scaling(), ScalingType::Logarithmic);
  EXPECT_THROW(require_runnable(job), ConfigError);
}

TEST(JobConfig, blog_form_is_accepted_with_a_warning_showing_the_nesting) {
  const JobConfig job = load_job_file(job_path("blog_misnested.json"));
  EXPECT_EQ(job.strategy, Strategy::Hyperband);
  EXPECT_EQ(job.max_resource, 9);
  EXPECT_EQ(job.max_trials, 12);
  EXPECT_EQ(job.max_parallel, 2);
  EXPECT_EQ(job.objective.metric_name, "validation:accuracy");
  EXPECT_EQ(job.space.dims(), 2U);
  ASSERT_EQ(job.warnings.size(), 1U);
  const std::string& w = job.warnings[0];
  EXPECT_TRUE(has(w, "HyperParameterTuningJobConfig.ParameterRanges:")) << w;
  EXPECT_TRUE(has(w, "nested inside ParameterRanges")) << w;
  EXPECT_TRUE(has(w, "\"HyperParameterTuningJobConfig\": {")) << w;  // JSON in, JSON shown
  EXPECT_TRUE(has(w, "\"Strategy\": \"Hyperband\",")) << w;
  EXPECT_TRUE(has(w, "\"ResourceLimits\": {...},")) << w;
}

TEST(JobConfig, blog_form_in_yaml_gets_a_yaml_snippet) {
  const std::string text = R"(ParameterRanges:
  ContinuousParameterRanges: [{Name: lr, MinValue: "0.001", MaxValue: "0.1"}]
  Strategy: Random
  ResourceLimits: {MaxNumberOfTrainingJobs: 3, MaxParallelTrainingJobs: 1}
  HyperParameterTuningJobObjective: {Type: Maximize, MetricName: acc}
)";
  const JobConfig job = parse_job_text(text, "blog.yaml");
  EXPECT_EQ(job.strategy, Strategy::Random);
  ASSERT_EQ(job.warnings.size(), 1U);
  EXPECT_TRUE(has(job.warnings[0], "    Strategy: Random\n")) << job.warnings[0];
  EXPECT_TRUE(has(job.warnings[0], "    ParameterRanges:\n")) << job.warnings[0];
}

TEST(JobConfig, a_key_both_misnested_and_in_place_is_an_error) {
  const std::string text = good_job_with("    CategoricalParameterRanges:",
                                         "    Strategy: Random\n    CategoricalParameterRanges:");
  const std::string issues = issues_of(text);
  EXPECT_TRUE(has(issues,
                  "HyperParameterTuningJobConfig.ParameterRanges.Strategy: is given "
                  "both here and at HyperParameterTuningJobConfig.Strategy"))
      << issues;
}

TEST(JobConfig, quickstart_job_parses_when_present) {
  const std::string path = job_path("quickstart.yaml");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no jobs/quickstart.yaml yet";
  const JobConfig job = load_job_file(path);
  EXPECT_TRUE(job.has_training);
  EXPECT_NO_THROW(require_runnable(job));
}

TEST(JobConfig, normalized_yaml_reads_back_to_the_same_job) {
  for (const std::string& text :
       {kGoodJob, good_job_with("type: promotion", "type: stopping, few_entries: floor")}) {
    const JobConfig a = parse_job_text(text, "a.yaml");
    const std::string yaml = to_normalized_yaml(a);
    const JobConfig b = parse_job_text(yaml, "b.yaml");
    EXPECT_EQ(b.name, a.name);
    EXPECT_EQ(b.strategy, a.strategy);
    EXPECT_EQ(b.min_resource, a.min_resource);
    EXPECT_EQ(b.max_resource, a.max_resource);
    EXPECT_EQ(b.max_trials, a.max_trials);
    EXPECT_EQ(b.max_parallel, a.max_parallel);
    EXPECT_EQ(b.objective.metric_name, a.objective.metric_name);
    EXPECT_EQ(b.seed, a.seed);
    ASSERT_EQ(b.space.dims(), a.space.dims());
    for (std::size_t i = 0; i < a.space.dims(); ++i) {
      const auto& ra = a.space.ranges()[i];
      const auto& rb = b.space.ranges()[i];
      EXPECT_EQ(rb.name, ra.name);
      EXPECT_EQ(rb.kind, ra.kind);
      EXPECT_EQ(rb.min_value, ra.min_value);
      EXPECT_EQ(rb.max_value, ra.max_value);
      EXPECT_EQ(rb.scaling, ra.scaling);
      EXPECT_EQ(rb.values, ra.values);
    }
    EXPECT_EQ(b.training.static_hyperparameters, a.training.static_hyperparameters);
    EXPECT_EQ(b.training.dataset.validation_fraction, a.training.dataset.validation_fraction);
    EXPECT_EQ(b.asha.type, a.asha.type);
    EXPECT_EQ(b.asha.few_entries, a.asha.few_entries);
    EXPECT_EQ(b.output_dir, a.output_dir);
    EXPECT_TRUE(has(yaml, "ScalingType: Auto  # -> Logarithmic")) << yaml;
    EXPECT_TRUE(has(yaml, "MinValue: \"0.0001\"")) << yaml;
    EXPECT_TRUE(has(yaml, "few_entries:")) << yaml;
  }
}

TEST(JobConfig, every_problem_is_reported_at_once_with_positions) {
  std::string text = good_job_with("MaxParallelTrainingJobs: 2", "MaxParallelTrainingJobs: 0");
  text.replace(text.find("MinValue: \"0.0001\""), 18, "MinValue: \"0\"");
  text.replace(text.find("device: cpu"), 11, "devise: cpu");
  try {
    (void)parse_job_text(text, "bad.yaml");
    FAIL();
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.issues().size(), 3U) << e.what();
    for (const auto& issue : e.issues()) {
      EXPECT_GT(issue.line, 0) << issue.to_string();
      EXPECT_GT(issue.column, 0) << issue.to_string();
    }
    EXPECT_EQ(e.issues()[0].path,
              "HyperParameterTuningJobConfig.ResourceLimits."
              "MaxParallelTrainingJobs");
    EXPECT_EQ(e.issues()[0].line, 6);
    EXPECT_EQ(e.issues()[1].to_string(),
              "HyperParameterTuningJobConfig.ParameterRanges.ContinuousParameterRanges[0]."
              "MinValue: \"0\" must be > 0 for Logarithmic scaling; use Linear or a positive "
              "lower bound (line 13, column 41)");
    EXPECT_EQ(e.issues()[2].path, "rung.devise");
    EXPECT_TRUE(has(e.issues()[2].message, "did you mean \"device\"?"));
  }
}

TEST(JobConfig, yaml_syntax_errors_carry_line_and_column) {
  try {
    (void)parse_job_text("a: [1, 2\nb: 3\n", "bad.yaml");
    FAIL();
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.issues().size(), 1U);
    EXPECT_GT(e.issues()[0].line, 0);
    EXPECT_TRUE(has(e.issues()[0].message, "not valid YAML")) << e.what();
  }
}

TEST(JobConfig, json_with_tabs_parses) {
  const std::string text =
      "{\n\t\"Strategy\": \"Random\",\n\t\"ResourceLimits\": {\"MaxNumberOfTrainingJobs\": 2, "
      "\"MaxParallelTrainingJobs\": 1},\n\t\"HyperParameterTuningJobObjective\": {\"Type\": "
      "\"Maximize\", \"MetricName\": \"acc\"},\n\t\"ParameterRanges\": "
      "{\"CategoricalParameterRanges\": [{\"Name\": \"opt\", \"Values\": [\"sgd\", "
      "\"adam\"]}]}\n}\n";
  const JobConfig job = parse_job_text(text, "tabs.json");
  EXPECT_EQ(job.space.dims(), 1U);
}

TEST(JobConfig, unreadable_files_are_input_errors) {
  EXPECT_THROW((void)load_job_file("/nonexistent/job.yaml"), InputError);
  EXPECT_THROW((void)load_job_file(RUNG_SOURCE_DIR), InputError);
}

TEST(JobConfig, messages_name_value_rule_and_fix) {
  const std::string issues =
      issues_of(good_job_with("MaxNumberOfTrainingJobs: 12", "MaxNumberOfTrainingJobs: twelve"));
  EXPECT_TRUE(has(issues,
                  "HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs: "
                  "\"twelve\" is not an integer"))
      << issues;
  const std::string types = issues_of(
      good_job_with("IntegerParameterRanges:\n", "IntegerParameterRanges: {Name: x}\n    Y:\n"));
  EXPECT_TRUE(has(types,
                  "IntegerParameterRanges: expected a list of ranges, got a mapping "
                  "{Name: x}"))
      << types;
}

// Random with no StrategyConfig and no asha section, from kGoodJob.
std::string random_job() {
  return test::with(good_job_with("  Strategy: Hyperband\n  StrategyConfig:\n    "
                                  "HyperbandStrategyConfig: {MinResource: 1, MaxResource: 9}\n",
                                  "  Strategy: Random\n"),
                    "  asha: {reduction_factor: 3, type: promotion}\n", "");
}

const char* const kGridRanges = R"(    CategoricalParameterRanges:
      - {Name: units, Values: ["16", "64", "256"]}
      - {Name: batch_size, Values: ["32", "128"]}
)";

std::string grid_job(const std::string& limits) {
  std::string text = test::with(random_job(), "Strategy: Random", "Strategy: Grid");
  text =
      test::with(text, "ResourceLimits: {MaxNumberOfTrainingJobs: 12, MaxParallelTrainingJobs: 2}",
                 "ResourceLimits: {" + limits + "}");
  const auto from = text.find("    IntegerParameterRanges:");
  const auto to = text.find("  RandomSeed:");
  return text.replace(from, to - from, kGridRanges);
}

TEST(JobConfig, every_strategy_is_accepted) {
  for (const char* strategy : {"Random", "Bayesian"}) {
    const JobConfig job = parse_job_text(
        test::with(random_job(), "Strategy: Random", std::string("Strategy: ") + strategy),
        "s.yaml");
    EXPECT_EQ(to_string(job.strategy), std::string(strategy));
    EXPECT_EQ(job.max_resource, 9);  // the static epochs
    EXPECT_EQ(job.min_resource, 1);
  }
  EXPECT_EQ(parse_job_text(grid_job("MaxParallelTrainingJobs: 2"), "g.yaml").strategy,
            Strategy::Grid);
  EXPECT_EQ(parse_job_text(kGoodJob, "h.yaml").strategy, Strategy::Hyperband);
}

TEST(JobConfig, grid_without_max_jobs_runs_every_combination) {
  const JobConfig job = parse_job_text(grid_job("MaxParallelTrainingJobs: 2"), "g.yaml");
  EXPECT_EQ(job.max_trials, 6);
  EXPECT_TRUE(job.is_max_trials_derived);
  EXPECT_EQ(job.space.grid_size(), 6U);
  EXPECT_TRUE(job.warnings.empty());
  // The normalized form leaves it out, so it reads back derived again.
  const JobConfig again = parse_job_text(to_normalized_yaml(job), "again.yaml");
  EXPECT_EQ(again.max_trials, 6);
  EXPECT_TRUE(again.is_max_trials_derived);
}

TEST(JobConfig, grid_with_max_jobs_up_to_the_combinations) {
  const JobConfig all =
      parse_job_text(grid_job("MaxNumberOfTrainingJobs: 6, MaxParallelTrainingJobs: 2"), "g.yaml");
  EXPECT_EQ(all.max_trials, 6);
  EXPECT_FALSE(all.is_max_trials_derived);
  EXPECT_TRUE(all.warnings.empty());
  const JobConfig some =
      parse_job_text(grid_job("MaxNumberOfTrainingJobs: 4, MaxParallelTrainingJobs: 2"), "g.yaml");
  EXPECT_EQ(some.max_trials, 4);
  EXPECT_TRUE(any_warning(some, "4 of the 6 combinations; Grid runs the first 4 in grid order"));
  const std::string issues =
      issues_of(grid_job("MaxNumberOfTrainingJobs: 7, MaxParallelTrainingJobs: 2"));
  EXPECT_TRUE(has(issues,
                  "ResourceLimits.MaxNumberOfTrainingJobs: \"7\" is more than the 6 "
                  "combinations of the grid (3 x 2 values)"))
      << issues;
}

TEST(JobConfig, grid_refuses_numeric_ranges) {
  const std::string issues =
      issues_of(test::with(random_job(), "Strategy: Random", "Strategy: Grid"));
  EXPECT_TRUE(has(issues,
                  "HyperParameterTuningJobConfig.ParameterRanges.IntegerParameterRanges[0]: "
                  "Grid search takes categorical ranges only"))
      << issues;
  EXPECT_TRUE(has(issues, "ContinuousParameterRanges[1]: Grid search")) << issues;
}

TEST(JobConfig, non_grid_strategies_still_need_max_jobs) {
  const std::string issues =
      issues_of(test::with(random_job(), "MaxNumberOfTrainingJobs: 12, ", ""));
  EXPECT_TRUE(has(issues, "MaxNumberOfTrainingJobs: is missing")) << issues;
}

TEST(JobConfig, early_stopping_auto_and_median_options) {
  const std::string text = test::with(
      test::with(random_job(), "TrainingJobEarlyStoppingType: \"Off\"",
                 "TrainingJobEarlyStoppingType: Auto"),
      "  device: cpu\n", "  device: cpu\n  median_stopping: {grace_epochs: 2, min_trials: 5}\n");
  const JobConfig job = parse_job_text(text, "m.yaml");
  EXPECT_EQ(job.early_stopping, EarlyStopping::Auto);
  EXPECT_EQ(job.median_stopping.grace_epochs, 2);
  EXPECT_EQ(job.median_stopping.min_trials, 5);
  const JobConfig defaults =
      parse_job_text(test::with(random_job(), "TrainingJobEarlyStoppingType: \"Off\"",
                                "TrainingJobEarlyStoppingType: Auto"),
                     "m.yaml");
  EXPECT_EQ(defaults.median_stopping.grace_epochs, 1);
  EXPECT_EQ(defaults.median_stopping.min_trials, 3);
  // Without Auto the options are ignored, with a warning.
  const JobConfig off = parse_job_text(
      test::with(random_job(), "  device: cpu\n", "  device: cpu\n  median_stopping: {}\n"),
      "m.yaml");
  EXPECT_EQ(off.early_stopping, EarlyStopping::Off);
  EXPECT_TRUE(any_warning(off, "rung.median_stopping: ignored")) << off.warnings.size();
}

TEST(JobConfig, hyperband_refuses_early_stopping_auto) {
  const std::string issues = issues_of(
      good_job_with("TrainingJobEarlyStoppingType: \"Off\"", "TrainingJobEarlyStoppingType: Auto"));
  EXPECT_TRUE(has(issues,
                  "HyperParameterTuningJobConfig.TrainingJobEarlyStoppingType: \"Auto\" is not "
                  "allowed with Strategy Hyperband"))
      << issues;
}

TEST(JobConfig, completion_criteria_and_runtime_are_read) {
  const std::string text = test::with(
      test::with(random_job(), "  TrainingJobEarlyStoppingType: \"Off\"\n",
                 "  TrainingJobEarlyStoppingType: \"Off\"\n"
                 "  TuningJobCompletionCriteria:\n"
                 "    TargetObjectiveMetricValue: \"0.93\"\n"
                 "    BestObjectiveNotImproving: {MaxNumberOfTrainingJobsNotImproving: 4}\n"
                 "    ConvergenceDetected: {CompleteOnConvergence: Enabled}\n"),
      "MaxParallelTrainingJobs: 2}", "MaxParallelTrainingJobs: 2, MaxRuntimeInSeconds: 30}");
  const JobConfig job = parse_job_text(text, "c.yaml");
  ASSERT_TRUE(job.completion.target_objective_value.has_value());
  EXPECT_DOUBLE_EQ(*job.completion.target_objective_value, 0.93);
  ASSERT_TRUE(job.completion.max_jobs_not_improving.has_value());
  EXPECT_EQ(*job.completion.max_jobs_not_improving, 4);
  EXPECT_TRUE(job.completion.complete_on_convergence);
  ASSERT_TRUE(job.max_runtime_s.has_value());  // below SageMaker's 120: allowed for short runs
  EXPECT_DOUBLE_EQ(*job.max_runtime_s, 30.0);
  // 12 trials cannot reach 2W = 20 finished trials: convergence can never end this job.
  EXPECT_TRUE(any_warning(job, "ConvergenceDetected: convergence is checked after at least 20"));

  const JobConfig again = parse_job_text(to_normalized_yaml(job), "again.yaml");
  EXPECT_EQ(again.completion.target_objective_value, job.completion.target_objective_value);
  EXPECT_EQ(again.completion.max_jobs_not_improving, job.completion.max_jobs_not_improving);
  EXPECT_EQ(again.completion.complete_on_convergence, job.completion.complete_on_convergence);
  EXPECT_EQ(again.max_runtime_s, job.max_runtime_s);

  const JobConfig none = parse_job_text(random_job(), "n.yaml");
  EXPECT_FALSE(none.completion.target_objective_value.has_value());
  EXPECT_FALSE(none.completion.max_jobs_not_improving.has_value());
  EXPECT_FALSE(none.completion.complete_on_convergence);
  EXPECT_FALSE(none.max_runtime_s.has_value());
}

TEST(JobConfig, convergence_disabled_is_read) {
  const JobConfig job = parse_job_text(
      test::with(random_job(), "  TrainingJobEarlyStoppingType: \"Off\"\n",
                 "  TuningJobCompletionCriteria: {ConvergenceDetected: {CompleteOnConvergence: "
                 "Disabled}}\n"),
      "c.yaml");
  EXPECT_FALSE(job.completion.complete_on_convergence);
}

TEST(JobConfig, brackets_are_hyperband_by_default_or_a_count) {
  EXPECT_EQ(parse_job_text(kGoodJob, "b.yaml").asha.brackets, 0);
  for (const auto& [value, expected] :
       std::vector<std::pair<std::string, int>>{{"hyperband", 0}, {"0", 0}, {"1", 1}, {"3", 3}}) {
    const JobConfig job = parse_job_text(
        good_job_with("type: promotion}", "type: promotion, brackets: " + value + "}"), "b.yaml");
    EXPECT_EQ(job.asha.brackets, expected) << value;
    const JobConfig again = parse_job_text(to_normalized_yaml(job), "again.yaml");
    EXPECT_EQ(again.asha.brackets, expected) << value;
  }
}

TEST(JobConfig, default_names_follow_sagemakers_rule) {
  const std::string text = test::with(kGoodJob, "HyperParameterTuningJobName: cli-test\n", "");
  EXPECT_EQ(parse_job_text(text, "jobs/tuning_config_only.json").name, "tuning-config-only");
  EXPECT_EQ(parse_job_text(text, "_under_.yaml").name, "under");
  EXPECT_EQ(parse_job_text(text, "___.yaml").name, "rung-job");
  EXPECT_EQ(parse_job_text(text, "v1.2.yaml").name, "v1-2");
  const JobConfig long_name =
      parse_job_text(text, "a-very-long-job-file-name-that-goes-on-and-on.yaml");
  EXPECT_EQ(long_name.name, "a-very-long-job-file-name-that-g");
  EXPECT_EQ(long_name.name.size(), 32U);
  EXPECT_EQ(parse_job_text(text, "abcdefghijklmnopqrstuvwxyz01234-x.yaml").name,
            "abcdefghijklmnopqrstuvwxyz01234");  // no hyphen left at the end
}

TEST(JobConfig, job_names_follow_sagemakers_rule) {
  for (const char* ok : {"a", "A-1", "my--job", "abcdefghijklmnopqrstuvwxyz012345"}) {
    EXPECT_EQ(
        parse_job_text(good_job_with("Name: cli-test", std::string("Name: ") + ok), "n.yaml").name,
        ok);
  }
  for (const char* bad :
       {"my_job", "my.job", "-job", "job-", "abcdefghijklmnopqrstuvwxyz0123456", "\"\""}) {
    const std::string issues =
        issues_of(good_job_with("Name: cli-test", std::string("Name: ") + bad));
    EXPECT_TRUE(has(issues, "HyperParameterTuningJobName: ")) << bad << ": " << issues;
  }
  EXPECT_TRUE(
      has(issues_of(good_job_with("Name: cli-test", "Name: my_job")), "use e.g. \"my-job\""));
}

TEST(JobConfig, tuning_objective_of_the_training_definition_is_used_when_needed) {
  const std::string text = R"({
  "HyperParameterTuningJobName": "objective-in-definition",
  "HyperParameterTuningJobConfig": {
    "Strategy": "Random",
    "ResourceLimits": {"MaxNumberOfTrainingJobs": 4, "MaxParallelTrainingJobs": 2},
    "ParameterRanges": {"CategoricalParameterRanges": [{"Name": "opt", "Values": ["a", "b"]}]}
  },
  "TrainingJobDefinition": {
    "TuningObjective": {"Type": "Minimize", "MetricName": "validation:rmse"},
    "StaticHyperParameters": {"epochs": "3"}
  }
})";
  const JobConfig job = parse_job_text(text, "d.json");
  EXPECT_EQ(job.objective.type, ObjectiveType::Minimize);
  EXPECT_EQ(job.objective.metric_name, "validation:rmse");
  EXPECT_FALSE(any_warning(job, "TuningObjective"));

  const std::string both = test::with(
      text, "\"ResourceLimits\"",
      "\"HyperParameterTuningJobObjective\": {\"Type\": \"Maximize\", \"MetricName\": \"auc\"},\n"
      "    \"ResourceLimits\"");
  const JobConfig tuning_wins = parse_job_text(both, "d.json");
  EXPECT_EQ(tuning_wins.objective.metric_name, "auc");
  EXPECT_TRUE(any_warning(tuning_wins, "TrainingJobDefinition.TuningObjective: ignored"));
}

TEST(JobConfig, warm_start_is_ignored_with_a_warning) {
  const JobConfig job = parse_job_text(
      kGoodJob +
          "WarmStartConfig:\n  ParentHyperParameterTuningJobs: [{HyperParameterTuningJobName: "
          "old}]\n  WarmStartType: TransferLearning\n",
      "w.yaml");
  EXPECT_TRUE(any_warning(job, "WarmStartConfig: ignored"));
}

TEST(JobConfig, sagemaker_limits_on_ranges) {
  std::string many;
  for (int i = 0; i < 27; ++i) many += "      - {Name: c" + std::to_string(i) + ", Values: [a]}\n";
  EXPECT_TRUE(
      has(issues_of(good_job_with("      - {Name: activation, Values: [relu, tanh]}\n", many)),
          "ParameterRanges: has 31 hyperparameter ranges; SageMaker allows at most 30"));
  // 30 in all is fine.
  many.erase(many.rfind("      - {Name: c26"));
  EXPECT_NO_THROW((void)parse_job_text(
      good_job_with("      - {Name: activation, Values: [relu, tanh]}\n", many), "ok.yaml"));

  std::string values;
  for (int i = 0; i < 30; ++i) values += (i ? ", v" : "v") + std::to_string(i);
  EXPECT_NO_THROW((void)parse_job_text(
      good_job_with("Values: [relu, tanh]", "Values: [" + values + "]"), "ok.yaml"));
  EXPECT_TRUE(has(issues_of(good_job_with("Values: [relu, tanh]", "Values: [" + values + ", v30]")),
                  "CategoricalParameterRanges[0].Values: has 31 values"));

  const std::string v256(256, 'v');
  EXPECT_NO_THROW((void)parse_job_text(
      good_job_with("Values: [relu, tanh]", "Values: [relu, " + v256 + "]"), "ok.yaml"));
  // Characters, not bytes: 256 two-byte letters are fine.
  std::string wide;
  for (int i = 0; i < 256; ++i) wide += "\xC3\xA9";
  EXPECT_NO_THROW(
      (void)parse_job_text(good_job_with("{Name: activation,", "{Name: " + wide + ","), "ok.yaml"));
  EXPECT_NO_THROW((void)parse_job_text(
      good_job_with("{Name: activation,", "{Name: \"learning rate (%)\","), "ok.yaml"));
}

TEST(JobConfig, empty_and_non_mapping_documents_are_errors) {
  EXPECT_TRUE(has(issues_of(""), "empty"));
  EXPECT_TRUE(has(issues_of("- 1\n- 2\n"), "expected a mapping at the top"));
  EXPECT_TRUE(has(issues_of("foo: 1\n"), "has no HyperParameterTuningJobConfig"));
}

// rung.searcher chooses how Hyperband proposes; the model-based ones need Strategy Hyperband.
TEST(JobConfig, searcher_chooses_hyperbands_proposals) {
  EXPECT_EQ(parse_job_text(kGoodJob, "a.yaml").searcher, HyperbandSearcher::Random);
  for (const auto& [name, kind] :
       {std::pair<std::string, HyperbandSearcher>{"random", HyperbandSearcher::Random},
        {"mobster", HyperbandSearcher::Mobster},
        {"hypertune", HyperbandSearcher::HyperTune}}) {
    const JobConfig job = parse_job_text(
        good_job_with("  device: cpu\n", "  device: cpu\n  searcher: " + name + "\n"), "a.yaml");
    EXPECT_EQ(job.searcher, kind) << name;
    EXPECT_EQ(to_string(job.searcher), name);
    EXPECT_EQ(parse_job_text(to_normalized_yaml(job), "b.yaml").searcher, kind) << name;
  }
  const std::string unknown = issues_of(
      good_job_with("  device: cpu\n", "  device: cpu\n  searcher: tpe\n"));
  EXPECT_TRUE(has(unknown, "rung.searcher")) << unknown;
  EXPECT_TRUE(has(unknown, "mobster")) << unknown;
  std::string bayesian = with(good_job_with("  device: cpu\n", "  device: cpu\n  searcher: mobster\n"),
                              "Strategy: Hyperband", "Strategy: Bayesian");
  bayesian = with(bayesian, "  StrategyConfig:\n    HyperbandStrategyConfig: {MinResource: 1, MaxResource: 9}\n", "");
  const std::string message = issues_of(bayesian);
  EXPECT_TRUE(has(message, "rung.searcher")) << message;
  EXPECT_TRUE(has(message, "Strategy: Hyperband")) << message;
}

}  // namespace
}  // namespace rung
