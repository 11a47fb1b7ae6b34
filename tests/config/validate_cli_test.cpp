// `rung validate` end to end: the real binary on job files written here, checking the exit
// status and the words of its messages.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "command_output.hpp"
#include "config/test_jobs.hpp"

namespace rung {
namespace {

using test::good_job_with;
using test::with;

CommandResult run_validate(const std::string& job_path) {
  return run_command(std::string("'") + RUNG_EXE + "' validate '" + job_path + "'");
}

std::string write_job(const std::string& name, const std::string& text) {
  const std::filesystem::path dir = std::filesystem::path(RUNG_TEST_TMP) / "validate_cli";
  std::filesystem::create_directories(dir);
  const std::filesystem::path path = dir / name;
  std::ofstream(path) << text;
  return path.string();
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct BadJob {
  const char* name;
  std::string text;
  const char* path;     // the field path the message must name
  const char* keyword;  // a word of the rule
};

std::ostream& operator<<(std::ostream& os, const BadJob& j) { return os << j.name; }

const std::string kTuning = "HyperParameterTuningJobConfig.";
const std::string kRanges = kTuning + "ParameterRanges.";

const std::string kCommand = "  command: [python3, train.py]\n";
const std::string kMetricDefinitions =
    "  metric_definitions:\n    - {Name: validation:accuracy, Regex: 'acc=([0-9.]+)'}\n";

// The good job with rung.model command, `command` and `metrics` lines instead of its dataset.
std::string command_job(const std::string& command, const std::string& metrics) {
  std::string text = test::kGoodJob;
  const auto at = text.find("rung:\n");
  return text.substr(0, at) + "rung:\n  model: command\n" + command + metrics;
}

std::vector<BadJob> bad_jobs() {
  return {
      {"log_min_zero", good_job_with("MinValue: \"0.0001\"", "MinValue: \"0\""),
       "ContinuousParameterRanges[0].MinValue", "must be > 0 for Logarithmic scaling"},
      {"integer_min_above_max",
       good_job_with("MinValue: 10, MaxValue: 200", "MinValue: 300, MaxValue: 200"),
       "IntegerParameterRanges[1].MinValue", "MinValue must be <= MaxValue"},
      {"integer_fraction", good_job_with("MinValue: \"10\"", "MinValue: \"10.5\""),
       "IntegerParameterRanges[0].MinValue", "not an integer"},
      {"reverse_log_integer",
       good_job_with("MaxValue: \"1000\", ScalingType: Logarithmic",
                     "MaxValue: \"1000\", ScalingType: ReverseLogarithmic"),
       "IntegerParameterRanges[0].ScalingType", "only valid for ContinuousParameterRanges"},
      {"reverse_log_max_one",
       good_job_with("MinValue: \"0.000001\", MaxValue: \"2\", ScalingType: Auto",
                     "MinValue: \"0.5\", MaxValue: \"1\", ScalingType: ReverseLogarithmic"),
       "ContinuousParameterRanges[1].MaxValue", "must be < 1 for ReverseLogarithmic"},
      {"continuous_empty_range", good_job_with("MaxValue: \"0.1\"", "MaxValue: \"0.0001\""),
       "ContinuousParameterRanges[0].MinValue", "must be < MaxValue"},
      {"scaling_typo", good_job_with("ScalingType: Auto", "ScalingType: Log"),
       "ContinuousParameterRanges[1].ScalingType", "is not one of Auto, Linear"},
      {"unknown_key_typo", good_job_with("  Strategy: Hyperband", "  Stratgy: Hyperband"),
       "HyperParameterTuningJobConfig.Stratgy", "did you mean \"Strategy\"?"},
      {"missing_strategy", good_job_with("  Strategy: Hyperband\n", ""),
       "HyperParameterTuningJobConfig.Strategy", "is missing"},
      {"strategy_typo", good_job_with("Strategy: Hyperband", "Strategy: Bayes"),
       "HyperParameterTuningJobConfig.Strategy", "did you mean \"Bayesian\"?"},
      {"hyperband_config_with_random", good_job_with("Strategy: Hyperband", "Strategy: Random"),
       "StrategyConfig.HyperbandStrategyConfig", "only allowed with Strategy Hyperband"},
      {"min_resource_zero", good_job_with("MinResource: 1", "MinResource: 0"),
       "HyperbandStrategyConfig.MinResource", "must be >= 1"},
      {"min_above_max_resource", good_job_with("MinResource: 1", "MinResource: 10"),
       "HyperbandStrategyConfig.MinResource", "must be <= MaxResource"},
      {"no_max_resource", with(good_job_with(", MaxResource: 9}", "}"), "{epochs: 9, ", "{"),
       "HyperbandStrategyConfig.MaxResource", "infer"},
      {"parallel_zero", good_job_with("MaxParallelTrainingJobs: 2", "MaxParallelTrainingJobs: 0"),
       "ResourceLimits.MaxParallelTrainingJobs", "must be >= 1"},
      {"missing_max_jobs", good_job_with("MaxNumberOfTrainingJobs: 12, ", ""),
       "ResourceLimits.MaxNumberOfTrainingJobs", "is missing"},
      {"max_jobs_text",
       good_job_with("MaxNumberOfTrainingJobs: 12", "MaxNumberOfTrainingJobs: \"a dozen\""),
       "ResourceLimits.MaxNumberOfTrainingJobs", "\"a dozen\" is not an integer"},
      {"metric_not_reported",
       good_job_with("MetricName: \"validation:accuracy\"", "MetricName: \"validation:auc\""),
       "HyperParameterTuningJobObjective.MetricName",
       "use one of validation:accuracy, validation:loss, train:loss"},
      {"objective_type_typo", good_job_with("Type: Maximize", "Type: Maximise"),
       "HyperParameterTuningJobObjective.Type", "did you mean \"Maximize\"?"},
      {"duplicate_name", good_job_with("Name: l2,", "Name: units,"),
       "ContinuousParameterRanges[1].Name", "unique across all range kinds"},
      {"ranges_not_a_list",
       good_job_with(
           "CategoricalParameterRanges:\n      - {Name: activation, Values: [relu, tanh]}",
           "CategoricalParameterRanges: {Name: activation, Values: [relu, tanh]}"),
       "CategoricalParameterRanges", "expected a list of ranges, got a mapping"},
      {"no_ranges", R"(HyperParameterTuningJobConfig:
  Strategy: Random
  ResourceLimits: {MaxNumberOfTrainingJobs: 1, MaxParallelTrainingJobs: 1}
  HyperParameterTuningJobObjective: {Type: Minimize, MetricName: "validation:loss"}
  ParameterRanges: {IntegerParameterRanges: [], CategoricalParameterRanges: []}
rung: {model: mlp, static_hyperparameters: {epochs: 3}}
)",
       "HyperParameterTuningJobConfig.ParameterRanges", "has no ranges"},
      {"negative_seed", good_job_with("RandomSeed: 42", "RandomSeed: -1"),
       "HyperParameterTuningJobConfig.RandomSeed", "must be >= 0"},
      {"reduction_factor_one", good_job_with("reduction_factor: 3", "reduction_factor: 1"),
       "rung.asha.reduction_factor", "must be >= 2"},
      {"asha_type_typo", good_job_with("type: promotion", "type: promote"), "rung.asha.type",
       "did you mean \"promotion\"?"},
      {"informative_above_features", good_job_with("informative: 6", "informative: 30"),
       "rung.dataset.informative", "must be <= features"},
      {"clusters_above_vertices",
       good_job_with("label_noise: 0.02", "clusters_per_class: 33\n    label_noise: 0.02"),
       "rung.dataset.clusters_per_class", "must be <= 2^(informative - 1) = 32"},
      {"no_clusters",
       good_job_with("label_noise: 0.02", "clusters_per_class: 0\n    label_noise: 0.02"),
       "rung.dataset.clusters_per_class", "must be >= 1"},
      {"negative_checkpoint_every",
       good_job_with("threads_per_worker: 1", "threads_per_worker: 1\n  checkpoint_every: -1"),
       "rung.checkpoint_every", "must be >= 0"},
      {"label_noise_half", good_job_with("label_noise: 0.02", "label_noise: 0.5"),
       "rung.dataset.label_noise", "must be in [0, 0.5)"},
      {"validation_fraction_one",
       good_job_with("validation_fraction: 0.2", "validation_fraction: 1"),
       "rung.dataset.validation_fraction", "must be in (0, 1)"},
      {"too_few_samples", good_job_with("samples: 5000", "samples: 5"), "rung.dataset.samples",
       "must be >= 10"},
      {"device_gpu", good_job_with("device: cpu", "device: gpu"), "rung.device",
       "is not one of cpu, cuda, auto"},
      {"unknown_rung_key", good_job_with("device: cpu", "devise: cpu"), "rung.devise",
       "did you mean \"device\"?"},
      {"unknown_model", good_job_with("model: mlp", "model: resnet"), "rung.model",
       "is not one of mlp"},
      {"static_and_tuned", good_job_with("{epochs: 9, ", "{epochs: 9, units: 64, "),
       "rung.static_hyperparameters.units", "both a static hyperparameter and a tuned range"},
      {"random_without_epochs",
       with(good_job_with("  Strategy: Hyperband\n  StrategyConfig:\n    HyperbandStrategyConfig: "
                          "{MinResource: 1, MaxResource: 9}\n",
                          "  Strategy: Random\n"),
            "{epochs: 9, ", "{"),
       "rung.static_hyperparameters", "has no epochs"},
      {"model_at_top_level", test::kGoodJob + "model: mlp\n", "model",
       "belongs inside the rung: section"},
      {"yaml_syntax", good_job_with("MaxParallelTrainingJobs: 2}", "MaxParallelTrainingJobs: 2"),
       "not valid YAML", "line"},
      {"empty_file", "", "the file is empty", "HyperParameterTuningJobConfig"},
      {"grid_json_integer_range",
       R"({"Strategy": "Grid",
 "ResourceLimits": {"MaxParallelTrainingJobs": 1},
 "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "m"},
 "ParameterRanges": {"IntegerParameterRanges": [{"Name": "n", "MinValue": "1", "MaxValue": "4"}],
                     "CategoricalParameterRanges": [{"Name": "c", "Values": ["a"]}]}})",
       "ParameterRanges.IntegerParameterRanges[0]", "Grid search takes categorical ranges only"},
  };
}

// Jobs that break one of SageMaker's rules (or one of rung's on the options that SageMaker
// lacks): Grid, early stopping, completion criteria, limits, names, brackets, median stopping.
std::string repeated_ranges(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += "      - {Name: c" + std::to_string(i) + ", Values: [a, b]}\n";
  }
  return out;
}

std::string values_list(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += (i == 0 ? "" : ", ") + std::to_string(i);
  return out;
}

// kGoodJob with Strategy Random (no StrategyConfig, no asha section).
std::string random_job() {
  return with(with(test::kGoodJob,
                   "  Strategy: Hyperband\n  StrategyConfig:\n    "
                   "HyperbandStrategyConfig: {MinResource: 1, MaxResource: 9}\n",
                   "  Strategy: Random\n"),
              "  asha: {reduction_factor: 3, type: promotion}\n", "");
}

// A Grid job over 2 x 2 categorical values.
// MaxNumberOfTrainingJobs is left out: Grid runs every combination.
std::string grid_job() {
  return with(with(with(random_job(), "Strategy: Random", "Strategy: Grid"),
                   "MaxNumberOfTrainingJobs: 12, ", ""),
              R"(    IntegerParameterRanges:
      - {Name: units, MinValue: "10", MaxValue: "1000", ScalingType: Logarithmic}
      - {Name: batch_size, MinValue: 10, MaxValue: 200}
    ContinuousParameterRanges:
      - {Name: learning_rate, MinValue: "0.0001", MaxValue: "0.1", ScalingType: Logarithmic}
      - {Name: l2, MinValue: "0.000001", MaxValue: "2", ScalingType: Auto}
    CategoricalParameterRanges:
      - {Name: activation, Values: [relu, tanh]}
)",
              R"(    CategoricalParameterRanges:
      - {Name: units, Values: ["16", "64"]}
      - {Name: batch_size, Values: ["32", "128"]}
)");
}

const std::string kCompletion =
    "  TuningJobCompletionCriteria:\n"
    "    TargetObjectiveMetricValue: 0.9\n"
    "    BestObjectiveNotImproving: {MaxNumberOfTrainingJobsNotImproving: 5}\n"
    "    ConvergenceDetected: {CompleteOnConvergence: Enabled}\n";

std::string completion_job(const std::string& from, const std::string& to) {
  return with(with(random_job(), "  TrainingJobEarlyStoppingType: \"Off\"\n",
                   "  TrainingJobEarlyStoppingType: \"Off\"\n" + kCompletion),
              from, to);
}

std::string median_job(const std::string& options) {
  return with(with(random_job(), "TrainingJobEarlyStoppingType: \"Off\"",
                   "TrainingJobEarlyStoppingType: Auto"),
              "  threads_per_worker: 1\n",
              "  threads_per_worker: 1\n  median_stopping: " + options + "\n");
}

const std::string kLong257(257, 'x');

std::vector<BadJob> sagemaker_rule_jobs() {
  return {
      // Grid.
      {"grid_integer_range", with(random_job(), "Strategy: Random", "Strategy: Grid"),
       "ParameterRanges.IntegerParameterRanges[0]", "Grid search takes categorical ranges only"},
      {"grid_continuous_range",
       with(grid_job(), "    CategoricalParameterRanges:\n",
            "    ContinuousParameterRanges: [{Name: lr, MinValue: 0.001, MaxValue: 0.1}]\n"
            "    CategoricalParameterRanges:\n"),
       "ParameterRanges.ContinuousParameterRanges[0]", "Grid search takes categorical ranges only"},
      {"grid_max_jobs_above_combinations",
       with(grid_job(), "ResourceLimits: {", "ResourceLimits: {MaxNumberOfTrainingJobs: 5, "),
       "ResourceLimits.MaxNumberOfTrainingJobs", "is more than the 4 combinations"},
      {"grid_too_many_combinations",
       with(grid_job(), "      - {Name: units, Values: [\"16\", \"64\"]}\n",
            [] {
              std::string r;
              for (int i = 0; i < 7; ++i) {
                r += "      - {Name: g" + std::to_string(i) + ", Values: [" + values_list(30) +
                     "]}\n";
              }
              return r;
            }()),
       "HyperParameterTuningJobConfig.ParameterRanges", "more than rung can run"},
      // Early stopping.
      {"hyperband_early_stopping_auto",
       good_job_with("TrainingJobEarlyStoppingType: \"Off\"", "TrainingJobEarlyStoppingType: Auto"),
       "HyperParameterTuningJobConfig.TrainingJobEarlyStoppingType",
       "not allowed with Strategy Hyperband"},
      {"early_stopping_typo",
       good_job_with("TrainingJobEarlyStoppingType: \"Off\"", "TrainingJobEarlyStoppingType: OFF"),
       "HyperParameterTuningJobConfig.TrainingJobEarlyStoppingType", "is not one of Off, Auto"},
      // Limits on the search space.
      {"too_many_ranges",
       good_job_with("      - {Name: activation, Values: [relu, tanh]}\n", repeated_ranges(27)),
       "HyperParameterTuningJobConfig.ParameterRanges", "at most 30 in all"},
      {"too_many_values",
       good_job_with("{Name: activation, Values: [relu, tanh]}",
                     "{Name: activation, Values: [" + values_list(31) + "]}"),
       "CategoricalParameterRanges[0].Values", "at most 30"},
      {"categorical_value_too_long",
       good_job_with("Values: [relu, tanh]", "Values: [relu, " + kLong257 + "]"),
       "CategoricalParameterRanges[0].Values[1]", "at most 256"},
      {"hyperparameter_name_control_character",
       good_job_with("{Name: activation,", "{Name: \"activ\\tation\","),
       "CategoricalParameterRanges[0].Name", "control character"},
      {"hyperparameter_name_too_long",
       good_job_with("{Name: activation,", "{Name: " + kLong257 + ","),
       "CategoricalParameterRanges[0].Name", "1 to 256 characters"},
      {"static_name_control_character",
       good_job_with("{epochs: 9, optimizer: adam}", "{epochs: 9, \"opt\\u0001\": adam}"),
       "rung.static_hyperparameters.opt", "control character"},
      // Names.
      {"job_name_underscore", good_job_with("Name: cli-test", "Name: cli_test"),
       "HyperParameterTuningJobName", "1 to 32 letters, digits and hyphens"},
      {"job_name_too_long", good_job_with("Name: cli-test", "Name: " + std::string(33, 'a')),
       "HyperParameterTuningJobName", "1 to 32 letters"},
      {"job_name_leading_hyphen", good_job_with("Name: cli-test", "Name: \"-cli-test\""),
       "HyperParameterTuningJobName", "starting and ending with a letter or digit"},
      {"metric_name_too_long",
       R"(HyperParameterTuningJobConfig:
  Strategy: Random
  ResourceLimits: {MaxNumberOfTrainingJobs: 2, MaxParallelTrainingJobs: 1}
  HyperParameterTuningJobObjective: {Type: Minimize, MetricName: )" +
           std::string(256, 'm') + R"(}
  ParameterRanges: {CategoricalParameterRanges: [{Name: c, Values: [a, b]}]}
)",
       "HyperParameterTuningJobObjective.MetricName", "at most 255"},
      // Resource limits.
      {"max_jobs_zero", good_job_with("MaxNumberOfTrainingJobs: 12", "MaxNumberOfTrainingJobs: 0"),
       "ResourceLimits.MaxNumberOfTrainingJobs", "must be >= 1"},
      {"max_jobs_fraction",
       good_job_with("MaxNumberOfTrainingJobs: 12", "MaxNumberOfTrainingJobs: 12.5"),
       "ResourceLimits.MaxNumberOfTrainingJobs", "is not an integer"},
      {"parallel_fraction",
       good_job_with("MaxParallelTrainingJobs: 2", "MaxParallelTrainingJobs: \"1.5\""),
       "ResourceLimits.MaxParallelTrainingJobs", "is not an integer"},
      {"max_runtime_zero",
       good_job_with("MaxParallelTrainingJobs: 2}",
                     "MaxParallelTrainingJobs: 2, MaxRuntimeInSeconds: 0}"),
       "ResourceLimits.MaxRuntimeInSeconds", "must be >= 1"},
      {"max_runtime_text",
       good_job_with("MaxParallelTrainingJobs: 2}",
                     "MaxParallelTrainingJobs: 2, MaxRuntimeInSeconds: an hour}"),
       "ResourceLimits.MaxRuntimeInSeconds", "is not an integer"},
      // Hyperband.
      {"strategy_config_with_bayesian", good_job_with("Strategy: Hyperband", "Strategy: Bayesian"),
       "StrategyConfig.HyperbandStrategyConfig", "only allowed with Strategy Hyperband"},
      {"strategy_config_with_grid",
       with(grid_job(), "  Strategy: Grid\n",
            "  Strategy: Grid\n  StrategyConfig:\n    HyperbandStrategyConfig: {MaxResource: 9}\n"),
       "StrategyConfig.HyperbandStrategyConfig", "only allowed with Strategy Hyperband"},
      {"max_resource_zero", good_job_with("MaxResource: 9", "MaxResource: 0"),
       "HyperbandStrategyConfig.MaxResource", "must be >= 1"},
      {"min_resource_fraction", good_job_with("MinResource: 1", "MinResource: 1.5"),
       "HyperbandStrategyConfig.MinResource", "is not an integer"},
      // Completion criteria.
      {"not_improving_two",
       completion_job("MaxNumberOfTrainingJobsNotImproving: 5",
                      "MaxNumberOfTrainingJobsNotImproving: 2"),
       "BestObjectiveNotImproving.MaxNumberOfTrainingJobsNotImproving", "must be >= 3"},
      {"not_improving_missing", completion_job("{MaxNumberOfTrainingJobsNotImproving: 5}", "{}"),
       "BestObjectiveNotImproving.MaxNumberOfTrainingJobsNotImproving", "is missing"},
      {"target_not_a_number",
       completion_job("TargetObjectiveMetricValue: 0.9", "TargetObjectiveMetricValue: high"),
       "TuningJobCompletionCriteria.TargetObjectiveMetricValue", "is not a number"},
      {"complete_on_convergence_typo",
       completion_job("CompleteOnConvergence: Enabled", "CompleteOnConvergence: \"Yes\""),
       "ConvergenceDetected.CompleteOnConvergence", "is not one of Disabled, Enabled"},
      {"completion_unknown_key",
       completion_job("BestObjectiveNotImproving:", "BestObjectiveNotImprove:"),
       "TuningJobCompletionCriteria.BestObjectiveNotImprove",
       "did you mean \"BestObjectiveNotImproving\"?"},
      // Request keys rung cannot honour.
      {"autotune", test::kGoodJob + "Autotune: {Mode: Enabled}\n", "Autotune", "not supported yet"},
      {"training_job_definitions", test::kGoodJob + "TrainingJobDefinitions: []\n",
       "TrainingJobDefinitions", "not supported yet"},
      // rung.asha.brackets.
      {"brackets_too_many", good_job_with("type: promotion}", "type: promotion, brackets: 4}"),
       "rung.asha.brackets", "is more than the 3 brackets"},
      {"brackets_negative", good_job_with("type: promotion}", "type: promotion, brackets: -1}"),
       "rung.asha.brackets", "must be >= 0"},
      {"brackets_word", good_job_with("type: promotion}", "type: promotion, brackets: all}"),
       "rung.asha.brackets", "neither hyperband nor a whole number"},
      // rung.median_stopping.
      {"median_grace_zero", median_job("{grace_epochs: 0}"), "rung.median_stopping.grace_epochs",
       "must be >= 1"},
      {"median_min_trials_zero", median_job("{min_trials: 0}"), "rung.median_stopping.min_trials",
       "must be >= 1"},
      {"median_unknown_key", median_job("{grace_epoch: 2}"), "rung.median_stopping.grace_epoch",
       "did you mean \"grace_epochs\"?"},
      // rung.model command: the program and its metric definitions.
      {"command_missing", command_job("", kMetricDefinitions), "rung.command",
       "model command needs the program to run"},
      {"command_regex_without_group",
       command_job(kCommand, "  metric_definitions:\n    - {Name: validation:accuracy, Regex: "
                             "'acc=[0-9.]+'}\n"),
       "rung.metric_definitions[0].Regex", "needs exactly one, around the value"},
      {"command_regex_two_groups",
       command_job(kCommand, "  metric_definitions:\n    - {Name: validation:accuracy, Regex: "
                             "'(acc)=([0-9.]+)'}\n"),
       "rung.metric_definitions[0].Regex", "has 2 capture groups"},
      {"command_regex_invalid",
       command_job(kCommand, "  metric_definitions:\n    - {Name: validation:accuracy, Regex: "
                             "'acc=([0-9.]+'}\n"),
       "rung.metric_definitions[0].Regex", "is not a valid regex"},
      // Found by tests/fuzz: std::regex compiled this by recursion until the stack overflowed.
      {"command_regex_nested_too_deep",
       command_job(kCommand, "  metric_definitions:\n    - {Name: validation:accuracy, Regex: '" +
                                 std::string(5000, '(') + "[0-9]" + std::string(5000, ')') +
                                 "'}\n"),
       "rung.metric_definitions[0].Regex", "levels of groups"},
      {"command_objective_not_defined",
       command_job(kCommand, "  metric_definitions:\n    - {Name: validation:loss, Regex: "
                             "'loss=([0-9.]+)'}\n"),
       "HyperParameterTuningJobObjective.MetricName",
       "\"validation:accuracy\" is not among the metric definitions"},
      {"command_metrics_missing", command_job(kCommand, ""), "rung.metric_definitions",
       "is missing"},
      {"command_unclosed_quote", command_job("  command: \"python3 'train.py\"\n", kMetricDefinitions),
       "rung.command", "unclosed ' quote"},
      {"command_field_on_mlp", good_job_with("model: mlp", "model: mlp\n  command: [python3, t.py]"),
       "rung.command", "is only for model command"},
      {"command_checkpoint_every",
       command_job(kCommand + "  checkpoint_every: 2\n", kMetricDefinitions),
       "rung.checkpoint_every", "keeps its own checkpoints"},
  };
}

class ValidateCliBadJob : public ::testing::TestWithParam<BadJob> {};

TEST_P(ValidateCliBadJob, exits_2_naming_the_field_and_rule) {
  const BadJob& job = GetParam();
  const CommandResult r = run_validate(write_job(std::string(job.name) + ".yaml", job.text));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "error: ")) << r.output;
  EXPECT_TRUE(has(r.output, job.path)) << "missing path " << job.path << " in:\n" << r.output;
  EXPECT_TRUE(has(r.output, job.keyword)) << "missing rule " << job.keyword << " in:\n" << r.output;
}

INSTANTIATE_TEST_SUITE_P(BadJobs, ValidateCliBadJob, ::testing::ValuesIn(bad_jobs()),
                         [](const ::testing::TestParamInfo<BadJob>& p) {
                           return std::string(p.param.name);
                         });
INSTANTIATE_TEST_SUITE_P(SageMakerRules, ValidateCliBadJob,
                         ::testing::ValuesIn(sagemaker_rule_jobs()),
                         [](const ::testing::TestParamInfo<BadJob>& p) {
                           return std::string(p.param.name);
                         });

TEST(ValidateCli, error_lines_carry_path_and_position) {
  const CommandResult r = run_validate(
      write_job("position.yaml", good_job_with("MinValue: \"0.0001\"", "MinValue: \"0\"")));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.output, "error: " + kRanges +
                                "ContinuousParameterRanges[0].MinValue: \"0\" must be > 0 for "
                                "Logarithmic scaling; use Linear or a positive lower bound "
                                "(line 13, column 41)\n"))
      << r.output;
}

TEST(ValidateCli, reports_every_problem_at_once) {
  std::string text = good_job_with("MaxParallelTrainingJobs: 2", "MaxParallelTrainingJobs: 0");
  text.replace(text.find("device: cpu"), 11, "device: gpu");
  text.replace(text.find("RandomSeed: 42"), 14, "RandomSeed: x");
  const CommandResult r = run_validate(write_job("three_problems.yaml", text));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.output, "MaxParallelTrainingJobs")) << r.output;
  EXPECT_TRUE(has(r.output, "rung.device")) << r.output;
  EXPECT_TRUE(has(r.output, "RandomSeed")) << r.output;
  EXPECT_TRUE(has(r.output, "3 problems")) << r.output;
}

TEST(ValidateCli, missing_file_exits_2_with_a_clear_message) {
  const CommandResult r = run_validate("/nonexistent/job.yaml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.output, "cannot read job file \"/nonexistent/job.yaml\"")) << r.output;
}

TEST(ValidateCli, good_job_exits_0_and_prints_the_normalized_job) {
  const CommandResult r = run_validate(write_job("good.yaml", test::kGoodJob));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(has(r.output, "error")) << r.output;
  EXPECT_TRUE(has(r.output, "HyperParameterTuningJobName: cli-test")) << r.output;
  EXPECT_TRUE(has(r.output, "ScalingType: Auto  # -> Logarithmic")) << r.output;
  EXPECT_TRUE(has(r.output, "few_entries: floor")) << r.output;
  EXPECT_TRUE(has(r.output, "output_dir: out/cli-test")) << r.output;
}

// The job files of a directory (YAML and JSON), sorted.
std::vector<std::string> job_files(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string ext = entry.path().extension().string();
    if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json")) {
      out.push_back(entry.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(ValidateCli, every_shipped_job_file_is_valid) {
  const auto files = job_files(std::string(RUNG_SOURCE_DIR) + "/jobs");
  ASSERT_FALSE(files.empty());
  for (const std::string& path : files) {
    const CommandResult r = run_validate(path);
    EXPECT_EQ(r.exit_code, 0) << path << ":\n" << r.output;
    EXPECT_FALSE(has(r.output, "error: ")) << path << ":\n" << r.output;
    EXPECT_TRUE(has(r.output, ": valid (") || has(r.output, ": valid tuning config;"))
        << path << ":\n"
        << r.output;
  }
}

// Tuning configs in SageMaker's exact shapes (CreateHyperParameterTuningJob requests modelled
// on the AWS documentation and sample notebooks) validate as they are.
TEST(ValidateCli, sagemaker_examples_are_valid_tuning_configs) {
  const auto files = job_files(std::string(RUNG_SOURCE_DIR) + "/tests/config/sagemaker_examples");
  ASSERT_GE(files.size(), 4U);
  for (const std::string& path : files) {
    const CommandResult r = run_validate(path);
    EXPECT_EQ(r.exit_code, 0) << path << ":\n" << r.output;
    EXPECT_FALSE(has(r.output, "error: ")) << path << ":\n" << r.output;
    EXPECT_TRUE(has(r.output, "valid tuning config; to run it, add a `rung:` section"))
        << path << ":\n"
        << r.output;
  }
}

TEST(ValidateCli, sagemaker_example_fields_are_read_and_others_ignored_with_warnings) {
  const std::string dir = std::string(RUNG_SOURCE_DIR) + "/tests/config/sagemaker_examples/";
  const CommandResult stop = run_validate(dir + "completion_criteria_early_stopping.json");
  EXPECT_EQ(stop.exit_code, 0) << stop.output;
  EXPECT_TRUE(has(stop.output, "warning: WarmStartConfig: ignored")) << stop.output;
  EXPECT_TRUE(has(stop.output, "warning: Tags: ignored")) << stop.output;
  EXPECT_TRUE(has(stop.output, "CheckpointConfig")) << stop.output;
  EXPECT_TRUE(has(stop.output, "TrainingJobEarlyStoppingType: \"Auto\"")) << stop.output;
  EXPECT_TRUE(has(stop.output, "MaxRuntimeInSeconds: 7200")) << stop.output;
  EXPECT_TRUE(has(stop.output, "TargetObjectiveMetricValue: 0.92")) << stop.output;
  EXPECT_TRUE(has(stop.output, "MaxNumberOfTrainingJobsNotImproving: 20")) << stop.output;
  EXPECT_TRUE(has(stop.output, "CompleteOnConvergence: Enabled")) << stop.output;

  const CommandResult grid = run_validate(dir + "grid_categorical.json");
  EXPECT_EQ(grid.exit_code, 0) << grid.output;
  EXPECT_TRUE(has(grid.output, "Strategy: Grid")) << grid.output;
  EXPECT_TRUE(has(grid.output, "MaxNumberOfTrainingJobs not set: Grid runs all 18 combinations"))
      << grid.output;
  EXPECT_TRUE(has(grid.output, "VpcConfig")) << grid.output;

  const CommandResult hyperband = run_validate(dir + "hyperband_strategy_config.json");
  EXPECT_EQ(hyperband.exit_code, 0) << hyperband.output;
  EXPECT_TRUE(has(hyperband.output, "MaxResource: 10")) << hyperband.output;
}

TEST(ValidateCli, grid_job_runs_every_combination_by_default) {
  const CommandResult r = run_validate(std::string(RUNG_SOURCE_DIR) + "/jobs/grid_example.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output, "valid (Grid, 3 hyperparameters, 12 trials (every combination)"))
      << r.output;
  EXPECT_FALSE(has(r.output, "MaxNumberOfTrainingJobs: ")) << r.output;
}

TEST(ValidateCli, grid_job_with_fewer_trials_than_combinations_warns) {
  const CommandResult r = run_validate(write_job(
      "grid_partial.yaml",
      with(grid_job(), "ResourceLimits: {", "ResourceLimits: {MaxNumberOfTrainingJobs: 3, ")));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output,
                  "warning: HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs: "
                  "3 of the 4 combinations; Grid runs the first 3 in grid order"))
      << r.output;
  EXPECT_TRUE(has(r.output, "MaxNumberOfTrainingJobs: 3")) << r.output;
}

TEST(ValidateCli, bayesian_job_with_early_stopping_and_completion_is_valid) {
  const CommandResult r = run_validate(std::string(RUNG_SOURCE_DIR) + "/jobs/bayesian_example.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output,
                  "valid (Bayesian, 4 hyperparameters, 40 trials, 2 at a time, up to 9 "
                  "epochs each, median stopping, completion criteria, at most 600 s)"))
      << r.output;
  EXPECT_TRUE(has(r.output, "median_stopping:\n    grace_epochs: 2\n    min_trials: 3"))
      << r.output;
}

TEST(ValidateCli, brackets_print_as_hyperband_or_a_count) {
  const CommandResult all = run_validate(write_job("brackets_default.yaml", test::kGoodJob));
  EXPECT_EQ(all.exit_code, 0) << all.output;
  EXPECT_TRUE(has(all.output, "brackets: hyperband  # all 3 brackets")) << all.output;
  const CommandResult one = run_validate(write_job(
      "brackets_one.yaml", good_job_with("type: promotion}", "type: promotion, brackets: 1}")));
  EXPECT_EQ(one.exit_code, 0) << one.output;
  EXPECT_TRUE(has(one.output, "brackets: 1  # single-bracket ASHA")) << one.output;
}

TEST(ValidateCli, blog_form_exits_0_with_the_nesting_warning) {
  const CommandResult r = run_validate(std::string(RUNG_SOURCE_DIR) + "/jobs/blog_misnested.json");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output,
                  "warning: HyperParameterTuningJobConfig.ParameterRanges: Strategy, "
                  "StrategyConfig, ResourceLimits and HyperParameterTuningJobObjective "
                  "are nested inside ParameterRanges"))
      << r.output;
  EXPECT_TRUE(has(r.output, "\"Strategy\": \"Hyperband\",")) << r.output;
}

TEST(ValidateCli, bare_tuning_config_exits_0_and_says_how_to_run_it) {
  const CommandResult r = run_validate(std::string(RUNG_SOURCE_DIR) + "/jobs/tuning_config_only.json");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output,
                  "valid tuning config; to run it, add a `rung:` section with model, "
                  "dataset and static hyperparameters"))
      << r.output;
  EXPECT_FALSE(has(r.output, "\nrung:")) << r.output;
}

TEST(ValidateCli, wrong_argument_count_exits_2) {
  const std::string command = std::string("'") + RUNG_EXE + "' validate 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buffer[4096];
  std::string output;
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  const int status = pclose(pipe);
  EXPECT_EQ(WEXITSTATUS(status), 2) << output;
  EXPECT_TRUE(has(output, "usage: rung validate")) << output;
}

}  // namespace
}  // namespace rung
