// LCBench's tabulated curves as a CurveSource, and a simulated Hyperband run over them.
#include "rung/sim/lcbench_curves.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "rung/config/error.hpp"
#include "rung/config/job_config.hpp"
#include "rung/sim/curve_source_factory.hpp"
#include "rung/sim/simulated_transport.hpp"
#include "rung/tune/coordinator.hpp"
#include "sim/lcbench_tables.hpp"

namespace rung {
namespace {

namespace fs = std::filesystem;

JobConfig lcbench_job() {
  return load_job_file(std::string(RUNG_SOURCE_DIR) + "/jobs/lcbench_hyperband.yaml");
}

TEST(CurveTable, reads_a_task_of_lcbench) {
  const std::string path = lcbench_curves_path();
  if (path.empty()) GTEST_SKIP() << "no LCBench curves.h5";
  const CurveTable table = read_curve_table(path, "189905");
  EXPECT_EQ(table.num_configs, 2000);
  EXPECT_EQ(table.num_epochs, 52);
  ASSERT_EQ(table.config_names.size(), 7u);
  EXPECT_EQ(table.config_names[0], "batch_size");
  EXPECT_EQ(table.config_names[6], "max_dropout");
  ASSERT_TRUE(table.metrics.count("val_accuracy"));
  EXPECT_EQ(table.cumulative_time_s.size(), 2000u * 52u);
  EXPECT_THROW((void)read_curve_table(path, "12345"), CheckpointError);
  EXPECT_THROW((void)read_curve_table(path + ".missing", "189905"), CheckpointError);
}

TEST(LcbenchCurves, maps_a_tabulated_configuration_to_its_own_curve) {
  const std::string path = lcbench_curves_path();
  if (path.empty()) GTEST_SKIP() << "no LCBench curves.h5";
  const JobConfig job = lcbench_job();
  const CurveTable table = read_curve_table(path, "189905");
  const LcbenchCurves curves(table, job.space);
  EXPECT_GT(curves.rows_in_space(), 1900u);
  EXPECT_EQ(curves.max_epochs(), 52);
  // A proposal equal to a row (as the table holds it) maps to that row.
  const std::size_t w = table.config_names.size();
  HyperParameters hp;
  int row = 10;
  for (std::size_t k = 0; k < w; ++k) {
    const double v = table.configs[static_cast<std::size_t>(row) * w + k];
    const ParamRange* r = job.space.find(table.config_names[k]);
    ASSERT_NE(r, nullptr);
    if (r->kind == ParamKind::Integer) {
      hp[r->name] = static_cast<std::int64_t>(std::llround(v));
    } else {
      hp[r->name] = v;
    }
  }
  const auto m = curves.metrics_at(hp, 52);
  ASSERT_TRUE(m.count("validation:accuracy"));
  EXPECT_DOUBLE_EQ(m.at("validation:accuracy"), table.metrics.at("val_accuracy")[static_cast<std::size_t>(row) * 52 + 51]);
  EXPECT_TRUE(m.count("validation:loss"));
  double total = 0.0;
  for (int e = 1; e <= 52; ++e) {
    EXPECT_GT(curves.epoch_seconds(hp, e), 0.0);
    total += curves.epoch_seconds(hp, e);
  }
  EXPECT_NEAR(total, table.cumulative_time_s[static_cast<std::size_t>(row) * 52 + 51], 1.0);
}

TEST(LcbenchCurves, rejects_a_space_with_other_names) {
  const std::string path = lcbench_curves_path();
  if (path.empty()) GTEST_SKIP() << "no LCBench curves.h5";
  ParamRange lr;
  lr.name = "lr";
  lr.min_value = 1e-4;
  lr.max_value = 0.1;
  try {
    LcbenchCurves curves(read_curve_table(path, "189905"), SearchSpace({lr}));
    FAIL() << "accepted a range LCBench lacks";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no hyperparameter lr"), std::string::npos) << e.what();
  }
}

TEST(LcbenchCurves, simulated_hyperband_runs_the_job_file) {
  const std::string path = lcbench_curves_path();
  if (path.empty()) GTEST_SKIP() << "no LCBench curves.h5";
  JobConfig job = lcbench_job();
  EXPECT_EQ(job.training.model, "lcbench");
  EXPECT_EQ(job.training.curves, "lcbench:189905");
  const auto curves = make_curve_source(job.training.curves, job, path);
  const fs::path dir = fs::path(RUNG_TEST_TMP) / "lcbench_hyperband";
  fs::remove_all(dir);
  fs::create_directories(dir);
  SimulatedTransport sim(job.max_parallel, *curves, SimulationOptions{});
  Journal journal((dir / "journal").string(), false);
  std::ostream quiet(nullptr);
  Coordinator coordinator(job, {make_scheduler(job), make_searcher(job), sim, journal, sim, quiet}, CoordinatorOptions{});
  const RunRecord run = coordinator.run();
  EXPECT_EQ(static_cast<int>(run.trials.size()), job.max_trials);
  const auto best = run.best_trial(true);
  ASSERT_TRUE(best);
  const double table_best =
      dynamic_cast<const LcbenchCurves&>(*curves).best_final("val_accuracy");
  const double found = *run.trials[static_cast<std::size_t>(*best)].objective;
  EXPECT_LE(found, table_best + 1e-12);
  EXPECT_GT(found, 0.8);  // task 189905: best 0.927, 90th percentile 0.856
}

}  // namespace
}  // namespace rung
