// `rung validate` end to end: the real binary on job files written here, checking the exit
// status and the words of its messages.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/test_jobs.hpp"

namespace rung {
namespace {

using test::good_job_with;
using test::with;

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

RunResult run_validate(const std::string& job_path) {
  const std::string command = std::string("'") + RUNG_EXE + "' validate '" + job_path + "' 2>&1";
  RunResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
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
      {"bayesian", good_job_with("Strategy: Hyperband", "Strategy: Bayesian"),
       "HyperParameterTuningJobConfig.Strategy", "not supported yet"},
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
      {"early_stopping_auto",
       good_job_with("TrainingJobEarlyStoppingType: \"Off\"", "TrainingJobEarlyStoppingType: Auto"),
       "TrainingJobEarlyStoppingType", "not supported yet"},
      {"reduction_factor_one", good_job_with("reduction_factor: 3", "reduction_factor: 1"),
       "rung.asha.reduction_factor", "must be >= 2"},
      {"asha_type_typo", good_job_with("type: promotion", "type: promote"), "rung.asha.type",
       "did you mean \"promotion\"?"},
      {"informative_above_features", good_job_with("informative: 6", "informative: 30"),
       "rung.dataset.informative", "must be <= features"},
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
      {"grid_json",
       R"({"Strategy": "Grid",
 "ResourceLimits": {"MaxNumberOfTrainingJobs": 1, "MaxParallelTrainingJobs": 1},
 "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "m"},
 "ParameterRanges": {"CategoricalParameterRanges": [{"Name": "c", "Values": ["a"]}]}})",
       "Strategy", "\"Grid\" is not supported yet"},
  };
}

class ValidateCliBadJob : public ::testing::TestWithParam<BadJob> {};

TEST_P(ValidateCliBadJob, exits_2_naming_the_field_and_rule) {
  const BadJob& job = GetParam();
  const RunResult r = run_validate(write_job(std::string(job.name) + ".yaml", job.text));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "error: ")) << r.output;
  EXPECT_TRUE(has(r.output, job.path)) << "missing path " << job.path << " in:\n" << r.output;
  EXPECT_TRUE(has(r.output, job.keyword)) << "missing rule " << job.keyword << " in:\n" << r.output;
}

INSTANTIATE_TEST_SUITE_P(BadJobs, ValidateCliBadJob, ::testing::ValuesIn(bad_jobs()),
                         [](const ::testing::TestParamInfo<BadJob>& p) {
                           return std::string(p.param.name);
                         });

TEST(ValidateCli, error_lines_carry_path_and_position) {
  const RunResult r = run_validate(
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
  const RunResult r = run_validate(write_job("three_problems.yaml", text));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.output, "MaxParallelTrainingJobs")) << r.output;
  EXPECT_TRUE(has(r.output, "rung.device")) << r.output;
  EXPECT_TRUE(has(r.output, "RandomSeed")) << r.output;
  EXPECT_TRUE(has(r.output, "3 problems")) << r.output;
}

TEST(ValidateCli, missing_file_exits_2_with_a_clear_message) {
  const RunResult r = run_validate("/nonexistent/job.yaml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.output, "cannot read job file \"/nonexistent/job.yaml\"")) << r.output;
}

TEST(ValidateCli, good_job_exits_0_and_prints_the_normalized_job) {
  const RunResult r = run_validate(write_job("good.yaml", test::kGoodJob));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(has(r.output, "error")) << r.output;
  EXPECT_TRUE(has(r.output, "HyperParameterTuningJobName: cli-test")) << r.output;
  EXPECT_TRUE(has(r.output, "ScalingType: Auto  # -> Logarithmic")) << r.output;
  EXPECT_TRUE(has(r.output, "few_entries: floor")) << r.output;
  EXPECT_TRUE(has(r.output, "output_dir: out/cli-test")) << r.output;
}

TEST(ValidateCli, shipped_job_files_are_valid) {
  for (const char* name : {"sagemaker_request.json", "quickstart.yaml"}) {
    const std::string path = std::string(RUNG_SOURCE_DIR) + "/jobs/" + name;
    if (!std::filesystem::exists(path)) continue;
    const RunResult r = run_validate(path);
    EXPECT_EQ(r.exit_code, 0) << name << ":\n" << r.output;
    EXPECT_TRUE(has(r.output, ": valid (")) << r.output;
  }
}

TEST(ValidateCli, blog_form_exits_0_with_the_nesting_warning) {
  const RunResult r = run_validate(std::string(RUNG_SOURCE_DIR) + "/jobs/blog_misnested.json");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output,
                  "warning: HyperParameterTuningJobConfig.ParameterRanges: Strategy, "
                  "StrategyConfig, ResourceLimits and HyperParameterTuningJobObjective "
                  "are nested inside ParameterRanges"))
      << r.output;
  EXPECT_TRUE(has(r.output, "\"Strategy\": \"Hyperband\",")) << r.output;
}

TEST(ValidateCli, bare_tuning_config_exits_0_and_says_how_to_run_it) {
  const RunResult r = run_validate(std::string(RUNG_SOURCE_DIR) + "/jobs/tuning_config_only.json");
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
