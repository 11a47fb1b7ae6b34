// lcbench:<task> as a curve source: the shipped LCBench surrogate behind CurveSource, and a
// simulated Hyperband run of jobs/lcbench_hyperband.yaml on it. Runs without the team's tables.
#include "rung/sim/lcbench_surrogate_curves.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "rung/config/error.hpp"
#include "rung/config/job_config.hpp"
#include "rung/sim/curve_source_factory.hpp"
#include "rung/sim/lcbench_curves.hpp"
#include "rung/sim/simulated_transport.hpp"
#include "rung/tune/coordinator.hpp"

namespace rung {
namespace {

namespace fs = std::filesystem;

std::shared_ptr<const LcbenchSurrogate> model() { return LcbenchSurrogate::shipped(); }

JobConfig lcbench_job() {
  return load_job_file(std::string(RUNG_SOURCE_DIR) + "/jobs/lcbench_hyperband.yaml");
}

HyperParameters some_hp() {
  return {{"batch_size", std::int64_t{299}},
          {"learning_rate", 0.0188},
          {"momentum", 0.47},
          {"weight_decay", 0.026},
          {"num_layers", std::int64_t{4}},
          {"max_units", std::int64_t{246}},
          {"max_dropout", 0.92}};
}

ParamRange continuous(const std::string& name, double lo, double hi) {
  ParamRange r;
  r.name = name;
  r.min_value = lo;
  r.max_value = hi;
  return r;
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(LcbenchSurrogateCurves, reports_the_surrogates_metrics_in_the_tables_units) {
  const JobConfig job = lcbench_job();
  const LcbenchSurrogateCurves curves(model(), "189905", job.space);
  EXPECT_EQ(curves.name(), "lcbench:189905");
  EXPECT_EQ(curves.max_epochs(), 52);
  const std::vector<float> raw =
      model()->predict_curve(model()->task_code("189905"), curves.config_of(some_hp()));
  const auto& outputs = model()->output_names();
  const auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(outputs.begin(), outputs.end(), name) -
                                    outputs.begin());
  };
  double total_s = 0.0;
  for (int e = 1; e <= 52; ++e) {
    const auto m = curves.metrics_at(some_hp(), e);
    const std::size_t row = static_cast<std::size_t>(e - 1) * outputs.size();
    ASSERT_EQ(m.size(), 5u);
    EXPECT_DOUBLE_EQ(m.at("validation:accuracy"), raw[row + column("val_accuracy")] * 0.01);
    EXPECT_DOUBLE_EQ(m.at("validation:balanced_accuracy"),
                     raw[row + column("val_balanced_accuracy")]);
    EXPECT_DOUBLE_EQ(m.at("validation:loss"), raw[row + column("val_cross_entropy")]);
    EXPECT_DOUBLE_EQ(m.at("test:loss"), raw[row + column("test_cross_entropy")]);
    EXPECT_DOUBLE_EQ(m.at("test:balanced_accuracy"), raw[row + column("test_balanced_accuracy")]);
    EXPECT_GT(m.at("validation:accuracy"), 0.0);
    EXPECT_LT(m.at("validation:accuracy"), 1.0);
    EXPECT_GT(curves.epoch_seconds(some_hp(), e), 0.0);
    total_s += curves.epoch_seconds(some_hp(), e);
  }
  // The epoch times add up to the predicted cumulative time (this curve has no step <= 0).
  EXPECT_NEAR(total_s, raw[51 * outputs.size() + column("time")], 1e-3);
  EXPECT_THROW((void)curves.metrics_at(some_hp(), 53), InputError);
}

TEST(LcbenchSurrogateCurves, a_small_move_changes_the_curve) {
  // A table maps both to one row; the surrogate sees the move.
  const LcbenchSurrogateCurves curves(model(), "189905", lcbench_job().space);
  HyperParameters moved = some_hp();
  moved["learning_rate"] = 0.0188 * 1.01;
  EXPECT_NE(curves.metrics_at(some_hp(), 52).at("validation:accuracy"),
            curves.metrics_at(moved, 52).at("validation:accuracy"));
}

TEST(LcbenchSurrogateCurves, evaluates_a_whole_curve_once_per_configuration) {
  const LcbenchSurrogateCurves curves(model(), "189905", lcbench_job().space);
  for (int e = 1; e <= 52; ++e) {
    (void)curves.metrics_at(some_hp(), e);
    (void)curves.epoch_seconds(some_hp(), e);
  }
  EXPECT_EQ(curves.cached_curves(), 1u);
  HyperParameters other = some_hp();
  other["num_layers"] = std::int64_t{2};
  (void)curves.metrics_at(other, 3);
  EXPECT_EQ(curves.cached_curves(), 2u);
}

TEST(LcbenchSurrogateCurves, takes_untuned_hyperparameters_from_static_values_then_defaults) {
  const SearchSpace space({continuous("learning_rate", 1e-4, 0.1)});
  const HyperParameters fixed = {{"num_layers", std::int64_t{2}}, {"epochs", std::string("x")}};
  const LcbenchSurrogateCurves curves(model(), "7593", space, fixed);
  // config_space.json's defaults, but num_layers (static) and learning_rate (tuned).
  const LcbenchConfig expected = {91.0f, 0.01f, 0.545f, 0.050005f, 2.0f, 256.0f, 0.5f};
  EXPECT_EQ(curves.config_of({{"learning_rate", 0.01}}), expected);
  EXPECT_THROW((void)curves.config_of({}), InputError);  // a tuned value is missing
}

TEST(LcbenchSurrogateCurves, takes_numeric_categorical_values_so_grid_search_works) {
  ParamRange batch;
  batch.name = "batch_size";
  batch.kind = ParamKind::Categorical;
  batch.values = {"32", "64", "128"};
  const LcbenchSurrogateCurves curves(model(), "189905", SearchSpace({batch}));
  EXPECT_EQ(curves.config_of({{"batch_size", std::string("64")}})[0], 64.0f);
  EXPECT_NE(curves.metrics_at({{"batch_size", std::string("32")}}, 10),
            curves.metrics_at({{"batch_size", std::string("128")}}, 10));
}

TEST(LcbenchSurrogateCurves, evaluates_lcbenchs_space_outside_the_fitted_range) {
  // num_layers 5 and momentum 0.99 are in LCBench's space but not in the surrogate's
  // training data: extrapolated, still finite.
  const SearchSpace space({continuous("num_layers", 1, 5), continuous("momentum", 0.1, 0.99)});
  const LcbenchSurrogateCurves curves(model(), "189905", space);
  const auto m = curves.metrics_at({{"num_layers", 5.0}, {"momentum", 0.99}}, 52);
  for (const auto& [name, value] : m) EXPECT_TRUE(std::isfinite(value)) << name;
}

TEST(LcbenchSurrogateCurves, rejects_what_lcbench_cannot_evaluate_naming_it) {
  const SearchSpace space = lcbench_job().space;
  std::string m = message_of([&] { LcbenchSurrogateCurves c(model(), "12345", space); });
  EXPECT_TRUE(has(m, "no task 12345")) << m;
  EXPECT_TRUE(has(m, "3945, 7593")) << m;

  m = message_of([&] {
    LcbenchSurrogateCurves c(model(), "189905", SearchSpace({continuous("lr", 1e-4, 0.1)}));
  });
  EXPECT_TRUE(has(m, "no hyperparameter lr")) << m;
  EXPECT_TRUE(has(m, "batch_size, learning_rate")) << m;

  m = message_of([&] {
    LcbenchSurrogateCurves c(model(), "189905",
                             SearchSpace({continuous("learning_rate", 1e-5, 0.1)}));
  });
  EXPECT_TRUE(has(m, "learning_rate lies in [0.0001, 0.1]")) << m;
  EXPECT_TRUE(has(m, "MinValue of the job's range learning_rate is 1e-05")) << m;

  ParamRange named;
  named.name = "max_units";
  named.kind = ParamKind::Categorical;
  named.values = {"64", "big"};
  m = message_of([&] { LcbenchSurrogateCurves c(model(), "189905", SearchSpace({named})); });
  EXPECT_TRUE(has(m, "max_units has the value \"big\"")) << m;

  m = message_of([&] {
    LcbenchSurrogateCurves c(model(), "189905", SearchSpace({continuous("momentum", 0.1, 0.9)}),
                             {{"num_layers", std::int64_t{7}}});
  });
  EXPECT_TRUE(has(m, "static hyperparameter num_layers is 7")) << m;
}

TEST(LcbenchSurrogateCurves, lcbench_tasks_are_the_surrogate_unless_a_table_is_named) {
  const JobConfig job = lcbench_job();
  const auto curves = make_curve_source("lcbench:7593", job, "");
  EXPECT_NE(dynamic_cast<const LcbenchSurrogateCurves*>(curves.get()), nullptr);
  EXPECT_EQ(curves->name(), "lcbench:7593");
  EXPECT_THROW((void)make_curve_source("lcbench:1", job, ""), InputError);
  // A named table file is read as a table (here a missing one: the table reader's error).
  EXPECT_THROW((void)make_curve_source("lcbench:7593", job, "/nonexistent/curves.h5"),
               CheckpointError);
}

TEST(LcbenchSurrogateCurves, simulated_hyperband_runs_the_job_file) {
  const JobConfig job = lcbench_job();
  EXPECT_EQ(job.training.model, "lcbench");
  EXPECT_EQ(job.training.curves, "lcbench:189905");
  const auto curves = make_curve_source(job.training.curves, job, "");
  const fs::path dir = fs::path(RUNG_TEST_TMP) / "lcbench_surrogate_hyperband";
  fs::remove_all(dir);
  fs::create_directories(dir);
  SimulatedTransport sim(job.max_parallel, *curves, SimulationOptions{});
  Journal journal((dir / "journal").string(), false);
  std::ostream quiet(nullptr);
  Coordinator coordinator(job, {make_scheduler(job), make_searcher(job), sim, journal, sim, quiet},
                          CoordinatorOptions{});
  const RunRecord run = coordinator.run();
  EXPECT_EQ(static_cast<int>(run.trials.size()), job.max_trials);
  const auto best = run.best_trial(true);
  ASSERT_TRUE(best);
  const double found = *run.trials[static_cast<std::size_t>(*best)].objective;
  EXPECT_GT(found, 0.85);  // task 189905: 0.856 is the 90th percentile of random final values
  EXPECT_LT(found, 1.0);
}

}  // namespace
}  // namespace rung
