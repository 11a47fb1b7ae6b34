#include "rung/config/job_config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/test_jobs.hpp"

namespace rung {
namespace {

using test::good_job_with;
using test::kGoodJob;

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
  EXPECT_EQ(job.name, "tuning_config_only");
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

TEST(JobConfig, empty_and_non_mapping_documents_are_errors) {
  EXPECT_TRUE(has(issues_of(""), "empty"));
  EXPECT_TRUE(has(issues_of("- 1\n- 2\n"), "expected a mapping at the top"));
  EXPECT_TRUE(has(issues_of("foo: 1\n"), "has no HyperParameterTuningJobConfig"));
}

}  // namespace
}  // namespace rung
