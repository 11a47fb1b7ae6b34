// A run's results table as curves: full-budget trials become rows, the rest are left out,
// and proposals map to the nearest row as for LCBench.
#include "rung/sim/results_curves.hpp"

#include <gtest/gtest.h>

#include "rung/config/error.hpp"
#include "rung/config/job_config.hpp"

namespace rung {
namespace {

JobConfig small_job() {
  return parse_job_text(R"(
HyperParameterTuningJobName: results-curves
HyperParameterTuningJobConfig:
  Strategy: Random
  ResourceLimits: {MaxNumberOfTrainingJobs: 4, MaxParallelTrainingJobs: 1}
  HyperParameterTuningJobObjective: {Type: Maximize, MetricName: "validation:accuracy"}
  ParameterRanges:
    ContinuousParameterRanges:
      - {Name: learning_rate, MinValue: "0.001", MaxValue: "0.1", ScalingType: Logarithmic}
rung:
  model: analytic
  static_hyperparameters: {epochs: 2}
)",
                        "test");
}

// Three trials: 0 and 2 trained both epochs, 1 was stopped after one.
ResultsTable three_trials() {
  ResultsTable r;
  r.trial_names = {"t-0", "t-1", "t-2"};
  r.trial_status = {"Completed", "Stopped", "Completed"};
  r.trial_epochs = {2, 1, 2};
  r.hyperparameters["learning_rate"] = {"0.001", "0.01", "0.1"};
  r.hyperparameters["activation"] = {"relu", "relu", "tanh"};  // not numeric: dropped
  r.epoch_trial = {0, 1, 0, 2, 2};
  r.epoch_number = {1, 1, 2, 1, 2};
  r.epoch_metrics["validation:accuracy"] = {0.5, 0.4, 0.6, 0.7, 0.8};
  r.epoch_train_s = {1.0, 9.0, 2.0, 3.0, 4.0};
  r.epoch_eval_s = {0.5, 9.0, 0.5, 0.5, 0.5};
  return r;
}

TEST(ResultsCurves, keeps_the_full_budget_trials_and_their_numeric_hyperparameters) {
  const CurveTable table = curve_table_from_results(three_trials(), "r.h5");
  EXPECT_EQ(table.num_configs, 2);
  EXPECT_EQ(table.num_epochs, 2);
  ASSERT_EQ(table.config_names, std::vector<std::string>{"learning_rate"});
  EXPECT_EQ(table.configs, (std::vector<double>{0.001, 0.1}));
  EXPECT_EQ(table.metrics.at("validation:accuracy"), (std::vector<double>{0.5, 0.6, 0.7, 0.8}));
  EXPECT_EQ(table.cumulative_time_s, (std::vector<double>{1.5, 4.0, 3.5, 8.0}));
}

TEST(ResultsCurves, maps_proposals_to_the_nearest_trial) {
  const JobConfig job = small_job();
  const LcbenchCurves curves(curve_table_from_results(three_trials(), "r.h5"), job.space,
                             "results:r.h5");
  EXPECT_EQ(curves.name(), "results:r.h5");
  EXPECT_EQ(curves.max_epochs(), 2);
  const HyperParameters near_first{{"learning_rate", 0.002}};
  const HyperParameters near_last{{"learning_rate", 0.05}};
  EXPECT_DOUBLE_EQ(curves.metrics_at(near_first, 2).at("validation:accuracy"), 0.6);
  EXPECT_DOUBLE_EQ(curves.metrics_at(near_last, 1).at("validation:accuracy"), 0.7);
  EXPECT_DOUBLE_EQ(curves.epoch_seconds(near_last, 2), 4.5);
  EXPECT_DOUBLE_EQ(curves.best_final("validation:accuracy"), 0.8);
}

TEST(ResultsCurves, refuses_a_run_with_no_full_budget_trial) {
  ResultsTable r = three_trials();
  r.trial_status = {"Failed", "Stopped", "Failed"};
  try {
    (void)curve_table_from_results(r, "some/results.h5");
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("some/results.h5"), std::string::npos) << m;
    EXPECT_NE(m.find("full budget"), std::string::npos) << m;
  }
}

TEST(ResultsCurves, a_missing_file_is_a_checkpoint_error) {
  EXPECT_THROW((void)make_results_curves("/nonexistent/results.h5", small_job().space),
               CheckpointError);
}

}  // namespace
}  // namespace rung
