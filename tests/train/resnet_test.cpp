// ResNet-20 and its trainer on tiny CIFAR-format files: shapes and parameter count, the
// learning-rate schedule, one real epoch, exact resume across a checkpoint, NaN as a trial
// failure, and the checks on hyperparameters and checkpoints.
#include "rung/train/resnet.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "image_files.hpp"
#include "rung/config/error.hpp"
#include "rung/train/trainer.hpp"

namespace fs = std::filesystem;

namespace rung {
namespace {

// A tiny CIFAR-10 copy (5 x 12 training, 20 test images), written once per process: ctest
// runs each test in a process of its own, in parallel, so each writes its own copy.
const DatasetSpec& tiny_cifar() {
  static const DatasetSpec spec = [] {
    const fs::path dir =
        fs::path(RUNG_TEST_TMP) / "resnet" / ("cifar." + std::to_string(::getpid()));
    fs::remove_all(dir);
    test_images::write_cifar(dir, 12, 20);
    DatasetSpec s;
    s.kind = "cifar10";
    s.path = dir.string();
    return s;
  }();
  return spec;
}

std::string scratch(const std::string& name) {
  const fs::path dir = fs::path(RUNG_TEST_TMP) / "resnet";
  fs::create_directories(dir);
  fs::remove_all(dir / name);
  return (dir / name).string();
}

HyperParameters good_hp() {
  return {{"batch_size", std::int64_t{16}},
          {"learning_rate", 0.05},
          {"momentum", 0.9},
          {"weight_decay", 5e-4}};
}

std::unique_ptr<ResNetTrainer> trainer(const HyperParameters& hp, std::uint64_t seed = 11,
                                       int max_epochs = 4) {
  const DatasetSpec& spec = tiny_cifar();
  return std::make_unique<ResNetTrainer>(shared_image_dataset(spec), describe_image_dataset(spec),
                                         hp, seed, torch::Device(torch::kCPU), 1, max_epochs);
}

void expect_same_state(const ResNetTrainer& a, const ResNetTrainer& b) {
  const auto pa = a.model()->named_parameters();
  const auto pb = b.model()->named_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (const auto& item : pa) {
    EXPECT_TRUE(torch::equal(item.value(), *pb.find(item.key()))) << item.key() << " differs";
  }
  const auto ba = a.model()->named_buffers();
  const auto bb = b.model()->named_buffers();
  ASSERT_EQ(ba.size(), bb.size());
  for (const auto& item : ba) {
    EXPECT_TRUE(torch::equal(item.value(), *bb.find(item.key()))) << item.key() << " differs";
  }
}

TEST(ResNet20, has_the_papers_shapes_and_0_27_million_parameters) {
  ResNet20 net(3, 10);
  // Option A shortcuts add nothing: conv 432 + bn 32, stages 14,016 + 51,072 + 203,520, fc 650.
  EXPECT_EQ(parameter_count(*net), 269722);
  const torch::Tensor logits = net->forward(torch::randn({5, 3, 32, 32}));
  EXPECT_EQ(logits.sizes(), (std::vector<std::int64_t>{5, 10}));
  // Stage by stage: 16 x 32 x 32, 32 x 16 x 16, 64 x 8 x 8.
  torch::nn::Sequential stages = net->blocks();
  torch::Tensor h = torch::randn({2, 16, 32, 32});
  const std::vector<std::vector<std::int64_t>> want = {
      {2, 16, 32, 32}, {2, 32, 16, 16}, {2, 64, 8, 8}};
  for (std::size_t b = 0; b < stages->size(); ++b) {
    h = stages[b]->as<BasicBlock>()->forward(h);
    if (b % 3 == 2) {
      EXPECT_EQ(h.sizes(), want[b / 3]) << "after block " << b;
    }
  }
  ResNet20 grey(1, 10);  // Fashion-MNIST: one input channel
  EXPECT_EQ(parameter_count(*grey), 269722 - 2 * 16 * 9);
  EXPECT_EQ(grey->forward(torch::randn({2, 1, 32, 32})).sizes(),
            (std::vector<std::int64_t>{2, 10}));
}

TEST(ResNet20, schedule_is_a_pure_function_of_the_global_epoch) {
  ResNetOptions o;
  o.learning_rate = 0.1;
  EXPECT_DOUBLE_EQ(scheduled_learning_rate(o, 0, 0, 100, 40), 0.1);
  EXPECT_NEAR(scheduled_learning_rate(o, 20, 0, 100, 40), 0.05, 1e-12);
  EXPECT_NEAR(scheduled_learning_rate(o, 39, 99, 100, 40), 0.0, 1e-5);
  EXPECT_GT(scheduled_learning_rate(o, 39, 99, 100, 40), 0.0);
  EXPECT_DOUBLE_EQ(scheduled_learning_rate(o, 50, 0, 100, 40), 0.0);  // past MaxResource
  // Mid-epoch steps interpolate: the rate falls within an epoch.
  EXPECT_LT(scheduled_learning_rate(o, 10, 50, 100, 40),
            scheduled_learning_rate(o, 10, 0, 100, 40));
  o.schedule = LrSchedule::Step;
  EXPECT_DOUBLE_EQ(scheduled_learning_rate(o, 19, 99, 100, 40), 0.1);
  EXPECT_NEAR(scheduled_learning_rate(o, 20, 0, 100, 40), 0.01, 1e-15);
  EXPECT_NEAR(scheduled_learning_rate(o, 30, 0, 100, 40), 0.001, 1e-15);
  o.schedule = LrSchedule::Constant;
  o.warmup_epochs = 2.0;
  EXPECT_NEAR(scheduled_learning_rate(o, 0, 0, 10, 40), 0.1 * 0.1 / 2.0, 1e-15);
  EXPECT_NEAR(scheduled_learning_rate(o, 1, 0, 10, 40), 0.1 * 1.1 / 2.0, 1e-15);
  EXPECT_DOUBLE_EQ(scheduled_learning_rate(o, 2, 0, 10, 40), 0.1);
}

TEST(ResNet20, hyperparameters_are_read_and_checked) {
  const ResNetOptions o = ResNetOptions::from({{"batch_size", std::int64_t{64}},
                                               {"lr_schedule", std::string("step")},
                                               {"channels_last", std::string("true")},
                                               {"autocast", std::string("bf16")},
                                               {"epochs", std::int64_t{3}}});
  EXPECT_EQ(o.batch_size, 64);
  EXPECT_EQ(o.schedule, LrSchedule::Step);
  EXPECT_TRUE(o.channels_last);
  EXPECT_EQ(o.autocast, Autocast::BFloat16);
  EXPECT_DOUBLE_EQ(o.momentum, 0.9);
  auto refused = [](HyperParameters hp, const std::string& words) {
    try {
      (void)ResNetOptions::from(hp);
      ADD_FAILURE() << "accepted " << words;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  refused({{"batch_size", std::int64_t{1}}}, "\"batch_size\" is 1");
  refused({{"momentum", 1.0}}, "\"momentum\" is 1");
  refused({{"learning_rate", 0.0}}, "\"learning_rate\"");
  refused({{"weight_decay", -1.0}}, "\"weight_decay\"");
  refused({{"lr_schedule", std::string("linear")}}, "use cosine, step or constant");
  refused({{"autocast", std::string("fp16")}}, "use off or bf16");
  refused({{"channels_last", std::string("maybe")}}, "use true or false");
}

TEST(ResNet20, trains_one_epoch_on_a_tiny_cifar_file) {
  auto t = trainer(good_hp());
  const EpochResult r = t->train_epoch();
  EXPECT_EQ(t->epoch(), 1);
  for (const char* name : {"train:loss", "validation:loss", "validation:accuracy"}) {
    ASSERT_TRUE(r.metrics.count(name)) << name;
    EXPECT_TRUE(std::isfinite(r.metrics.at(name))) << name;
  }
  EXPECT_GE(r.metrics.at("validation:accuracy"), 0.0);
  EXPECT_LE(r.metrics.at("validation:accuracy"), 1.0);
  EXPECT_GT(r.train_time_s, 0.0);
  EXPECT_GT(r.eval_time_s, 0.0);
  // It learns: a few more epochs on these easy classes lower the training loss.
  double last = r.metrics.at("train:loss");
  for (int e = 0; e < 3; ++e) last = t->train_epoch().metrics.at("train:loss");
  EXPECT_LT(last, r.metrics.at("train:loss"));
}

TEST(ResNet20, resumes_exactly_across_a_checkpoint) {
  const std::string path = scratch("resume.h5");
  auto straight = trainer(good_hp());
  EpochResult want;
  for (int e = 0; e < 3; ++e) want = straight->train_epoch();

  auto first = trainer(good_hp());
  (void)first->train_epoch();
  (void)first->train_epoch();
  first->save_checkpoint(path);
  // Another trainer, as on another rank: a different seed would draw different weights and
  // crops, but the checkpoint restores all of it.
  auto resumed = trainer(good_hp(), 99);
  resumed->load_checkpoint(path);
  EXPECT_EQ(resumed->epoch(), 2);
  const EpochResult got = resumed->train_epoch();
  EXPECT_EQ(resumed->epoch(), 3);
  expect_same_state(*straight, *resumed);
  EXPECT_EQ(got.metrics, want.metrics);
}

TEST(ResNet20, a_diverging_trial_fails_as_a_trial_error) {
  HyperParameters hp = good_hp();
  hp["learning_rate"] = 1e12;
  hp["lr_schedule"] = std::string("constant");
  auto t = trainer(hp);
  EXPECT_THROW(
      {
        for (int e = 0; e < 3; ++e) (void)t->train_epoch();
      },
      TrialError);
}

TEST(ResNet20, channels_last_and_bf16_autocast_train_on_the_cpu) {
  HyperParameters hp = good_hp();
  hp["channels_last"] = std::string("true");
  hp["autocast"] = std::string("bf16");
  auto t = trainer(hp);
  const EpochResult r = t->train_epoch();
  EXPECT_TRUE(std::isfinite(r.metrics.at("train:loss")));
  // The parameters stay float32 (autocast casts per operation); 4-d ones are channels-last.
  for (const auto& p : t->model()->parameters()) {
    EXPECT_EQ(p.scalar_type(), torch::kFloat);
    if (p.dim() == 4) {
      EXPECT_TRUE(p.is_contiguous(at::MemoryFormat::ChannelsLast));
    }
  }
  // Autocast is off again after the epoch, for whatever this thread runs next.
  const torch::Tensor a = torch::randn({4, 4});
  EXPECT_EQ(torch::mm(a, a).scalar_type(), torch::kFloat);
}

TEST(ResNet20, refuses_checkpoints_of_other_trials_and_models) {
  const std::string path = scratch("other.h5");
  auto t = trainer(good_hp());
  (void)t->train_epoch();
  t->save_checkpoint(path);
  HyperParameters other = good_hp();
  other["momentum"] = 0.5;
  auto u = trainer(other);
  try {
    u->load_checkpoint(path);
    FAIL() << "loaded another trial's checkpoint";
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find("momentum is 0.9 in the file, 0.5 here"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(u->epoch(), 0);
  EXPECT_THROW(u->load_checkpoint(scratch("missing.h5")), CheckpointError);
}

TEST(ResNet20, make_trainer_builds_it_from_a_job) {
  JobConfig job;
  job.max_resource = 3;
  job.training.model = "resnet20";
  job.training.dataset = tiny_cifar();
  job.training.dataset.train_subset = 30;
  auto t = make_trainer(job, good_hp(), 5);
  EXPECT_NE(dynamic_cast<ResNetTrainer*>(t.get()), nullptr);
  EXPECT_TRUE(std::isfinite(t->train_epoch().metrics.at("validation:loss")));
  job.training.device = "cuda:7";
  if (!torch::cuda::is_available()) {
    EXPECT_THROW((void)make_trainer(job, good_hp(), 5), InputError);
  }
  EXPECT_THROW((void)make_trainer(job.training, good_hp(), 5), InputError);
}

}  // namespace
}  // namespace rung
