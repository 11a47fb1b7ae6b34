// The instant trainer (rung.model analytic/lcbench): curve lookups behind the Trainer
// interface, with epoch-count checkpoints so pause and resume work as for the MLP.
#include "rung/train/curve_trainer.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "rung/ckpt/checkpoint_file.hpp"
#include "rung/config/error.hpp"
#include "rung/sim/analytic_curves.hpp"
#include "rung/sim/lcbench_surrogate_curves.hpp"

namespace rung {
namespace {

namespace fs = std::filesystem;

JobConfig analytic_job() {
  return load_job_file(std::string(RUNG_SOURCE_DIR) + "/tests/mpi/jobs/analytic_instant.yaml");
}

HyperParameters some_hp() { return {{"units", std::int64_t{20}}, {"learning_rate", 0.004}}; }

std::string temp_path(const std::string& name) {
  const fs::path dir = fs::path(RUNG_TEST_TMP) / "curve_trainer";
  fs::create_directories(dir);
  return (dir / name).string();
}

TEST(CurveTrainer, make_trainer_builds_it_for_the_curve_models) {
  const JobConfig job = analytic_job();
  ASSERT_EQ(job.training.model, "analytic");
  auto trainer = make_trainer(job, some_hp(), 1);
  EXPECT_NE(dynamic_cast<CurveTrainer*>(trainer.get()), nullptr);
  EXPECT_EQ(trainer->epoch(), 0);
}

TEST(CurveTrainer, epochs_report_the_curve_source_metrics_and_durations) {
  const JobConfig job = analytic_job();
  AnalyticCurveOptions o;
  o.max_epochs = job.max_resource;
  o.metric = job.objective.metric_name;
  const AnalyticCurves reference(job.space, o);
  auto trainer = make_trainer(job, some_hp(), 1);
  for (int e = 1; e <= job.max_resource; ++e) {
    const EpochResult r = trainer->train_epoch();
    EXPECT_EQ(trainer->epoch(), e);
    EXPECT_EQ(r.metrics, reference.metrics_at(some_hp(), e));
    EXPECT_DOUBLE_EQ(r.train_time_s, reference.epoch_seconds(some_hp(), e));
  }
}

TEST(CurveTrainer, fails_the_trial_past_the_curves_last_epoch) {
  const JobConfig job = analytic_job();
  auto trainer = make_trainer(job, some_hp(), 1);
  for (int e = 1; e <= job.max_resource; ++e) (void)trainer->train_epoch();
  EXPECT_THROW((void)trainer->train_epoch(), TrialError);
}

TEST(CurveTrainer, resumes_from_its_checkpoint_at_the_same_epoch) {
  const JobConfig job = analytic_job();
  const std::string path = temp_path("resume.h5");
  auto straight = make_trainer(job, some_hp(), 1);
  auto first = make_trainer(job, some_hp(), 1);
  for (int e = 0; e < 3; ++e) {
    (void)straight->train_epoch();
    (void)first->train_epoch();
  }
  first->save_checkpoint(path);
  EXPECT_EQ(CheckpointReader(path).get_int("epoch"), 3);
  auto resumed = make_trainer(job, some_hp(), 1);
  resumed->load_checkpoint(path);
  EXPECT_EQ(resumed->epoch(), 3);
  EXPECT_EQ(resumed->train_epoch().metrics, straight->train_epoch().metrics);
}

TEST(CurveTrainer, refuses_a_checkpoint_of_another_model) {
  const JobConfig job = analytic_job();
  const std::string path = temp_path("foreign.h5");
  {
    CheckpointWriter w(path);
    w.put_string("model", "mlp");
    w.put_int("epoch", 2);
    w.commit();
  }
  auto trainer = make_trainer(job, some_hp(), 1);
  try {
    trainer->load_checkpoint(path);
    ADD_FAILURE() << "no CheckpointError";
  } catch (const CheckpointError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(path), std::string::npos) << m;
    EXPECT_NE(m.find("mlp"), std::string::npos) << m;
  }
}

TEST(CurveTrainer, lcbench_model_epochs_are_the_shipped_surrogates_curve) {
  if (std::getenv("RUNG_LCBENCH_CURVES") != nullptr) {
    GTEST_SKIP() << "RUNG_LCBENCH_CURVES names a table: rung.model lcbench reads it instead";
  }
  const JobConfig job =
      load_job_file(std::string(RUNG_SOURCE_DIR) + "/jobs/lcbench_hyperband.yaml");
  ASSERT_EQ(job.training.model, "lcbench");
  const HyperParameters hp = {{"batch_size", std::int64_t{64}}, {"learning_rate", 0.01},
                              {"momentum", 0.9},                {"weight_decay", 0.001},
                              {"num_layers", std::int64_t{3}},  {"max_units", std::int64_t{512}},
                              {"max_dropout", 0.1}};
  const LcbenchSurrogateCurves reference(LcbenchSurrogate::shipped(), "189905", job.space);
  auto trainer = make_trainer(job, hp, 1);
  for (int e = 1; e <= 5; ++e) {
    const EpochResult r = trainer->train_epoch();
    EXPECT_EQ(r.metrics, reference.metrics_at(hp, e));
    EXPECT_DOUBLE_EQ(r.train_time_s, reference.epoch_seconds(hp, e));
  }
}

TEST(CurveTrainer, the_spec_only_factory_explains_the_curve_models) {
  TrainingSpec spec;
  spec.model = "analytic";
  try {
    (void)make_trainer(spec, some_hp(), 1);
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("analytic"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace rung
