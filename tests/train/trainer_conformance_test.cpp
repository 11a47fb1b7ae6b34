// What every trainer owes the worker loop, checked on each through the Trainer interface:
// 2 epochs, a checkpoint and 2 more epochs in a new trainer give the metrics of 4 epochs
// straight; a NaN loss is a TrialError (not a crash); a file that is not one of its
// checkpoints, or one cut short, is a CheckpointError naming it and changes nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "image_files.hpp"
#include "rung/config/error.hpp"
#include "rung/config/job_config.hpp"
#include "rung/train/image_data.hpp"
#include "rung/train/resnet.hpp"
#include "rung/train/trainer.hpp"

namespace fs = std::filesystem;

namespace rung {
namespace {

// The 3-layer MLP on a small synthetic data set.
struct Mlp {
  static std::unique_ptr<Trainer> make(const HyperParameters& hp) {
    TrainingSpec spec;
    spec.model = "mlp";
    spec.dataset.samples = 600;
    spec.threads_per_worker = 1;
    return make_trainer(spec, hp, 7);
  }
  static HyperParameters hp() {
    return {{"units", std::int64_t{16}}, {"learning_rate", 0.003}, {"batch_size", std::int64_t{64}}};
  }
  static std::optional<HyperParameters> nan_hp() {
    HyperParameters h = hp();
    h["learning_rate"] = 1e30;
    return h;
  }
};

// ResNet-20 on a tiny CIFAR-10 copy written once per process (ctest runs tests in parallel).
struct ResNet {
  static std::unique_ptr<Trainer> make(const HyperParameters& hp) {
    static const DatasetSpec spec = [] {
      const fs::path dir = fs::path(RUNG_TEST_TMP) / "conformance" /
                           ("cifar." + std::to_string(::getpid()));
      fs::remove_all(dir);
      test_images::write_cifar(dir, 4, 8);
      DatasetSpec s;
      s.kind = "cifar10";
      s.path = dir.string();
      return s;
    }();
    return std::make_unique<ResNetTrainer>(shared_image_dataset(spec),
                                           describe_image_dataset(spec), hp, 7,
                                           torch::Device(torch::kCPU), 1, 4);
  }
  static HyperParameters hp() {
    return {{"batch_size", std::int64_t{16}}, {"learning_rate", 0.05}, {"momentum", 0.9}};
  }
  static std::optional<HyperParameters> nan_hp() {
    HyperParameters h = hp();
    h["learning_rate"] = 1e30;
    return h;
  }
};

// The instant trainer over the analytic curves: its metrics are looked up, never NaN.
struct Curves {
  static std::unique_ptr<Trainer> make(const HyperParameters& hp) {
    static const JobConfig job =
        load_job_file(std::string(RUNG_SOURCE_DIR) + "/tests/mpi/jobs/analytic_instant.yaml");
    return make_trainer(job, hp, 7);
  }
  static HyperParameters hp() {
    return {{"units", std::int64_t{20}}, {"learning_rate", 0.004}};
  }
  static std::optional<HyperParameters> nan_hp() { return std::nullopt; }
};

std::string scratch(const std::string& name) {
  const fs::path dir = fs::path(RUNG_TEST_TMP) / "conformance";
  fs::create_directories(dir);
  const fs::path path = dir / (std::to_string(::getpid()) + "." + name);
  fs::remove_all(path);
  return path.string();
}

std::vector<EpochResult> train(Trainer& trainer, int epochs) {
  std::vector<EpochResult> out;
  for (int e = 0; e < epochs; ++e) out.push_back(trainer.train_epoch());
  return out;
}

template <typename Kind>
class TrainerConformance : public ::testing::Test {};

using TrainerKinds = ::testing::Types<Mlp, ResNet, Curves>;
TYPED_TEST_SUITE(TrainerConformance, TrainerKinds);

TYPED_TEST(TrainerConformance, two_plus_two_epochs_across_a_checkpoint_equal_four_straight) {
  const std::vector<EpochResult> straight = train(*TypeParam::make(TypeParam::hp()), 4);

  auto first = TypeParam::make(TypeParam::hp());
  (void)train(*first, 2);
  const std::string path = scratch("two.h5");
  first->save_checkpoint(path);
  auto second = TypeParam::make(TypeParam::hp());
  second->load_checkpoint(path);
  EXPECT_EQ(second->epoch(), 2);
  const std::vector<EpochResult> resumed = train(*second, 2);
  for (std::size_t i = 0; i < resumed.size(); ++i) {
    // Exactly the same numbers, not nearly: a resumed trial must not drift.
    EXPECT_EQ(resumed[i].metrics, straight[i + 2].metrics) << "epoch " << i + 3;
  }
  EXPECT_EQ(second->epoch(), 4);
}

TYPED_TEST(TrainerConformance, a_nan_loss_is_a_trial_error) {
  const std::optional<HyperParameters> hp = TypeParam::nan_hp();
  if (!hp) GTEST_SKIP() << "this trainer's metrics are looked up, never computed";
  auto trainer = TypeParam::make(*hp);
  EXPECT_THROW((void)train(*trainer, 3), TrialError);
}

TYPED_TEST(TrainerConformance, a_foreign_or_truncated_checkpoint_is_refused_and_changes_nothing) {
  auto trainer = TypeParam::make(TypeParam::hp());
  const std::string text = scratch("text.h5");
  std::ofstream(text) << "not a checkpoint\n";
  try {
    trainer->load_checkpoint(text);
    ADD_FAILURE() << "a text file was loaded as a checkpoint";
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }

  auto other = TypeParam::make(TypeParam::hp());
  (void)train(*other, 1);
  const std::string full = scratch("full.h5");
  other->save_checkpoint(full);
  const std::string cut = scratch("cut.h5");
  fs::copy_file(full, cut);
  fs::resize_file(cut, fs::file_size(full) / 2);
  try {
    trainer->load_checkpoint(cut);
    ADD_FAILURE() << "a checkpoint cut in half was loaded";
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find(cut), std::string::npos) << e.what();
  }
  EXPECT_EQ(trainer->epoch(), 0);
}

}  // namespace
}  // namespace rung
