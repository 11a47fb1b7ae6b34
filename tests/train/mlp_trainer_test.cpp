// The MLP trainer: exact resume across a checkpoint, learning, determinism and thread safety,
// and every refusal of a checkpoint that does not belong to the trial.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "rung/ckpt/checkpoint_file.hpp"
#include "rung/config/error.hpp"
#include "rung/train/mlp.hpp"
#include "rung/train/trainer.hpp"

namespace fs = std::filesystem;

namespace rung {
namespace {

std::string scratch(const std::string& name) {
  const fs::path dir = fs::path(RUNG_TEST_TMP) / "mlp";
  fs::create_directories(dir);
  const fs::path path = dir / name;
  fs::remove_all(path);
  return path.string();
}

TrainingSpec small_spec() {
  TrainingSpec spec;
  spec.model = "mlp";
  spec.dataset.samples = 1000;
  spec.threads_per_worker = 1;
  return spec;
}

HyperParameters good_hp() {
  return {{"units", std::int64_t{32}},
          {"learning_rate", 0.003},
          {"l2", 1e-4},
          {"batch_size", std::int64_t{64}},
          {"epochs", std::int64_t{10}}};
}

MlpTrainer& as_mlp(Trainer& trainer) { return dynamic_cast<MlpTrainer&>(trainer); }

void expect_same_parameters(Trainer& a, Trainer& b) {
  const auto pa = as_mlp(a).model()->named_parameters();
  const auto pb = as_mlp(b).model()->named_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (const auto& item : pa) {
    const torch::Tensor* other = pb.find(item.key());
    ASSERT_NE(other, nullptr) << item.key();
    EXPECT_TRUE(torch::equal(item.value(), *other)) << item.key() << " differs";
  }
}

template <class F>
std::string checkpoint_error_of(F&& f) {
  try {
    f();
  } catch (const CheckpointError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no CheckpointError";
  return "";
}

bool contains(const std::string& text, const std::string& word) {
  return text.find(word) != std::string::npos;
}

using ArrayEdit = std::function<bool(const std::string&, ArrayData&)>;

// Copies a checkpoint entry by entry, letting `edit` drop (return false) or change arrays,
// replacing the string attributes in `strings` and then calling `add`. Used to forge
// checkpoints that the trainer must refuse.
void copy_checkpoint(const std::string& from, const std::string& to, const ArrayEdit& edit,
                     const std::map<std::string, std::string>& strings = {},
                     const std::function<void(CheckpointWriter&)>& add = {}) {
  const CheckpointReader in(from);
  CheckpointWriter out(to);
  std::function<void(const std::string&)> walk = [&](const std::string& group) {
    for (const auto& attr : in.list_attributes(group)) {
      const std::string name = group.empty() ? attr : group + "/" + attr;
      if (name == "rung_format" || name == "format_version") continue;
      if (const auto it = strings.find(name); it != strings.end()) {
        out.put_string(name, it->second);
        continue;
      }
      try {
        out.put_string(name, in.get_string(name));
      } catch (const CheckpointError&) {
        out.put_int(name, in.get_int(name));
      }
    }
    for (const auto& child : in.list(group)) {
      const std::string name = group.empty() ? child : group + "/" + child;
      bool is_group = true;
      try {
        (void)in.list(name);
      } catch (const CheckpointError&) {
        is_group = false;  // a dataset
      }
      if (is_group) {
        walk(name);
        continue;
      }
      ArrayData array = in.get_array(name);
      if (edit(name, array)) out.put_array(name, array.dtype, array.shape, array.bytes.data());
    }
  };
  walk("");
  if (add) add(out);
  out.commit();
}

bool keep_all(const std::string&, ArrayData&) { return true; }

TEST(MlpTrainer, resumes_exactly_across_a_checkpoint) {
  const TrainingSpec spec = small_spec();
  const HyperParameters hp = good_hp();
  const std::uint64_t seed = 11;

  auto straight = make_trainer(spec, hp, seed);
  std::vector<EpochResult> straight_results;
  for (int e = 0; e < 4; ++e) straight_results.push_back(straight->train_epoch());
  EXPECT_EQ(straight->epoch(), 4);

  const std::string path = scratch("resume.h5");
  {
    auto first = make_trainer(spec, hp, seed);
    for (int e = 0; e < 2; ++e) {
      const EpochResult r = first->train_epoch();
      EXPECT_EQ(r.metrics, straight_results[static_cast<std::size_t>(e)].metrics);
    }
    first->save_checkpoint(path);
  }
  auto resumed = make_trainer(spec, hp, seed);
  // Make the fresh trainer's state differ before loading: loading must overwrite all of it.
  (void)resumed->train_epoch();
  resumed->load_checkpoint(path);
  EXPECT_EQ(resumed->epoch(), 2);
  for (int e = 2; e < 4; ++e) {
    const EpochResult r = resumed->train_epoch();
    EXPECT_EQ(r.metrics, straight_results[static_cast<std::size_t>(e)].metrics)
        << "epoch " << e + 1;
  }
  EXPECT_EQ(resumed->epoch(), 4);
  expect_same_parameters(*straight, *resumed);

  // The optimizer state and the generator came along too: the next epoch still agrees.
  const EpochResult a = straight->train_epoch();
  const EpochResult b = resumed->train_epoch();
  EXPECT_EQ(a.metrics, b.metrics);
  expect_same_parameters(*straight, *resumed);
}

TEST(MlpTrainer, checkpoint_layout_is_readable_without_torch) {
  const TrainingSpec spec = small_spec();
  auto trainer = make_trainer(spec, good_hp(), 3);
  (void)trainer->train_epoch();
  const std::string path = scratch("layout.h5");
  trainer->save_checkpoint(path);

  const CheckpointReader reader(path);
  EXPECT_EQ(reader.get_string("model"), "mlp");
  EXPECT_EQ(reader.get_int("epoch"), 1);
  EXPECT_EQ(reader.get_int("seed"), 3);
  EXPECT_EQ(reader.get_string("dataset"), describe(spec.dataset));
  EXPECT_EQ(reader.list("params"),
            (std::vector<std::string>{"fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight",
                                      "fc3.bias", "fc3.weight"}));
  const ArrayData w1 = reader.get_array("params/fc1.weight");
  EXPECT_EQ(w1.dtype, DType::Float32);
  EXPECT_EQ(w1.shape, (std::vector<std::uint64_t>{32, 20}));
  EXPECT_EQ(reader.get_array("params/fc3.weight").shape, (std::vector<std::uint64_t>{1, 32}));
  EXPECT_EQ(reader.get_string("hyperparameters/units"), "32");
  EXPECT_EQ(reader.get_string("hyperparameters/learning_rate"), "0.003");
  EXPECT_EQ(reader.get_string("hyperparameters/epochs"), "10");
  EXPECT_GT(reader.get_array("optimizer/torch_archive").bytes.size(), 0u);
  EXPECT_EQ(reader.get_array("rng/generator_state").dtype, DType::UInt8);
  EXPECT_FALSE(fs::exists(path + ".tmp." + std::to_string(::getpid())));
}

TEST(MlpTrainer, learns_the_default_data_set) {
  TrainingSpec spec;  // the default data set: 5000 samples, 20 features, 6 informative
  const HyperParameters hp = {{"units", std::int64_t{128}},
                              {"learning_rate", 1e-3},
                              {"l2", 1e-5},
                              {"batch_size", std::int64_t{32}}};
  auto trainer = make_trainer(spec, hp, 1);
  double best = 0.0;
  for (int e = 0; e < 5; ++e) {
    const EpochResult r = trainer->train_epoch();
    best = std::max(best, r.metrics.at("validation:accuracy"));
    EXPECT_GT(r.metrics.at("train:loss"), 0.0);
    EXPECT_GT(r.metrics.at("validation:loss"), 0.0);
    EXPECT_GE(r.train_time_s, 0.0);
  }
  EXPECT_GT(best, 0.9);  // about 0.96 (seen with LibTorch 1.13 on the CPU)

  // A clearly bad configuration (very strong L2 regularisation) does clearly worse.
  const HyperParameters bad = {{"units", std::int64_t{10}},
                               {"learning_rate", 1e-3},
                               {"l2", 1.5},
                               {"batch_size", std::int64_t{32}}};
  auto weak = make_trainer(spec, bad, 1);
  double weak_best = 0.0;
  for (int e = 0; e < 5; ++e) {
    weak_best = std::max(weak_best, weak->train_epoch().metrics.at("validation:accuracy"));
  }
  EXPECT_LT(weak_best, best - 0.05);
}

TEST(MlpTrainer, missing_hyperparameters_take_the_defaults) {
  auto trainer = make_trainer(small_spec(), {}, 5);
  const MlpOptions& o = as_mlp(*trainer).options();
  EXPECT_EQ(o.units, 64);
  EXPECT_DOUBLE_EQ(o.learning_rate, 1e-3);
  EXPECT_DOUBLE_EQ(o.l2, 0.0);
  EXPECT_EQ(o.batch_size, 32);
  // SageMaker passes strings; they are read as numbers.
  auto from_strings = make_trainer(small_spec(), {{"units", std::string("12")}}, 5);
  EXPECT_EQ(as_mlp(*from_strings).options().units, 12);
}

TEST(MlpTrainer, is_deterministic_from_the_seed) {
  auto a = make_trainer(small_spec(), good_hp(), 21);
  auto b = make_trainer(small_spec(), good_hp(), 21);
  auto c = make_trainer(small_spec(), good_hp(), 22);
  expect_same_parameters(*a, *b);
  EXPECT_FALSE(torch::equal(as_mlp(*a).model()->named_parameters()["fc1.weight"],
                            as_mlp(*c).model()->named_parameters()["fc1.weight"]));
  EXPECT_EQ(a->train_epoch().metrics, b->train_epoch().metrics);
  expect_same_parameters(*a, *b);
}

TEST(MlpTrainer, trainers_in_threads_match_trainers_run_alone) {
  const TrainingSpec spec = small_spec();
  std::vector<std::uint64_t> seeds = {31, 32, 33};
  std::vector<std::map<std::string, double>> alone;
  for (auto seed : seeds) {
    auto t = make_trainer(spec, good_hp(), seed);
    (void)t->train_epoch();
    alone.push_back(t->train_epoch().metrics);
  }
  std::vector<std::map<std::string, double>> threaded(seeds.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    threads.emplace_back([&, i] {
      auto t = make_trainer(spec, good_hp(), seeds[i]);
      (void)t->train_epoch();
      threaded[i] = t->train_epoch().metrics;
      t->save_checkpoint(scratch("thread" + std::to_string(i) + ".h5"));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(threaded, alone);
}

TEST(MlpTrainer, nan_loss_is_a_trial_error) {
  HyperParameters hp = good_hp();
  hp["learning_rate"] = 1e30;
  auto trainer = make_trainer(small_spec(), hp, 1);
  EXPECT_THROW(
      {
        for (int e = 0; e < 3; ++e) (void)trainer->train_epoch();
      },
      TrialError);
}

TEST(MlpTrainer, unknown_model_names_the_field_the_value_and_the_known_models) {
  TrainingSpec spec = small_spec();
  spec.model = "resnet99";
  try {
    (void)make_trainer(spec, {}, 1);
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_TRUE(contains(m, "rung.model")) << m;
    EXPECT_TRUE(contains(m, "resnet99")) << m;
    EXPECT_TRUE(contains(m, "mlp")) << m;
  }
}

TEST(MlpTrainer, unusable_hyperparameters_are_input_errors) {
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, ParamValue>>{{"units", std::int64_t{0}},
                                                       {"batch_size", std::int64_t{-1}},
                                                       {"learning_rate", 0.0},
                                                       {"l2", -1.0},
                                                       {"units", std::string("wide")}}) {
    HyperParameters hp = good_hp();
    hp[name] = value;
    try {
      (void)make_trainer(small_spec(), hp, 1);
      ADD_FAILURE() << "accepted " << name << " = " << to_string(value);
    } catch (const InputError& e) {
      EXPECT_TRUE(contains(e.what(), name)) << e.what();
    }
  }
}

TEST(MlpTrainer, refuses_checkpoints_of_other_hyperparameters) {
  const std::string path = scratch("hp.h5");
  make_trainer(small_spec(), good_hp(), 1)->save_checkpoint(path);

  HyperParameters other = good_hp();
  other["learning_rate"] = 0.01;
  auto trainer = make_trainer(small_spec(), other, 1);
  std::string m = checkpoint_error_of([&] { trainer->load_checkpoint(path); });
  EXPECT_TRUE(contains(m, path)) << m;
  EXPECT_TRUE(contains(m, "learning_rate")) << m;
  EXPECT_EQ(trainer->epoch(), 0);

  HyperParameters fewer = good_hp();
  fewer.erase("l2");
  auto trainer2 = make_trainer(small_spec(), fewer, 1);
  m = checkpoint_error_of([&] { trainer2->load_checkpoint(path); });
  EXPECT_TRUE(contains(m, "l2")) << m;
}

TEST(MlpTrainer, refuses_a_checkpoint_of_another_data_set) {
  const std::string path = scratch("dataset.h5");
  make_trainer(small_spec(), good_hp(), 1)->save_checkpoint(path);
  TrainingSpec spec = small_spec();
  spec.dataset.features = 12;
  auto trainer = make_trainer(spec, good_hp(), 1);
  const std::string m = checkpoint_error_of([&] { trainer->load_checkpoint(path); });
  EXPECT_TRUE(contains(m, path)) << m;
  EXPECT_TRUE(contains(m, "data set")) << m;
}

TEST(MlpTrainer, refuses_other_models_and_missing_extra_or_misshapen_parameters) {
  const std::string good = scratch("good.h5");
  auto source = make_trainer(small_spec(), good_hp(), 1);
  (void)source->train_epoch();
  source->save_checkpoint(good);

  const std::string missing = scratch("missing_param.h5");
  copy_checkpoint(good, missing,
                  [](const std::string& name, ArrayData&) { return name != "params/fc3.bias"; });
  const std::string misshapen = scratch("misshapen.h5");
  copy_checkpoint(good, misshapen, [](const std::string& name, ArrayData& a) {
    if (name == "params/fc2.weight") a.shape = {16, 64};  // same element count, other shape
    return true;
  });
  const std::string extra = scratch("extra_param.h5");
  copy_checkpoint(good, extra, keep_all, {}, [](CheckpointWriter& w) {
    const float zero[2] = {0.0f, 0.0f};
    w.put_array("params/fc4.weight", DType::Float32, {1, 2}, zero);
  });
  const std::string wrong_model = scratch("wrong_model.h5");
  copy_checkpoint(good, wrong_model, keep_all, {{"model", "resnet20"}});
  const std::string faithful = scratch("faithful_copy.h5");
  copy_checkpoint(good, faithful, keep_all);

  auto trainer = make_trainer(small_spec(), good_hp(), 1);
  std::string m = checkpoint_error_of([&] { trainer->load_checkpoint(missing); });
  EXPECT_TRUE(contains(m, missing)) << m;
  EXPECT_TRUE(contains(m, "fc3.bias")) << m;
  m = checkpoint_error_of([&] { trainer->load_checkpoint(misshapen); });
  EXPECT_TRUE(contains(m, misshapen)) << m;
  EXPECT_TRUE(contains(m, "fc2.weight")) << m;
  EXPECT_TRUE(contains(m, "shape")) << m;
  m = checkpoint_error_of([&] { trainer->load_checkpoint(extra); });
  EXPECT_TRUE(contains(m, extra)) << m;
  EXPECT_TRUE(contains(m, "fc4.weight")) << m;
  m = checkpoint_error_of([&] { trainer->load_checkpoint(wrong_model); });
  EXPECT_TRUE(contains(m, wrong_model)) << m;
  EXPECT_TRUE(contains(m, "resnet20")) << m;
  EXPECT_EQ(trainer->epoch(), 0);

  // The faithful copy loads: the refusals above are about the edits, not the copying.
  trainer->load_checkpoint(faithful);
  EXPECT_EQ(trainer->epoch(), 1);
  expect_same_parameters(*trainer, *source);
}

TEST(MlpTrainer, refuses_missing_foreign_and_truncated_files) {
  auto trainer = make_trainer(small_spec(), good_hp(), 1);
  const std::string missing = scratch("nothing_here.h5");
  std::string m = checkpoint_error_of([&] { trainer->load_checkpoint(missing); });
  EXPECT_TRUE(contains(m, missing)) << m;

  const std::string text = scratch("text.h5");
  std::ofstream(text) << "not a checkpoint\n";
  m = checkpoint_error_of([&] { trainer->load_checkpoint(text); });
  EXPECT_TRUE(contains(m, text)) << m;

  const std::string full = scratch("to_truncate.h5");
  trainer->save_checkpoint(full);
  const std::string cut = scratch("truncated.h5");
  fs::copy_file(full, cut);
  fs::resize_file(cut, fs::file_size(full) / 2);
  m = checkpoint_error_of([&] { trainer->load_checkpoint(cut); });
  EXPECT_TRUE(contains(m, cut)) << m;
  EXPECT_EQ(trainer->epoch(), 0);
}

}  // namespace
}  // namespace rung
