// The TorchScript trainer on small HDF5 files written here and modules scripted by
// examples/torchscript/make_model.py (run with Debian's /usr/bin/python3; the tests skip when
// it has no torch): learning, exact resume across a checkpoint (with dropout drawing from the
// global generators, and in threads), the refusals of foreign checkpoints, and the
// InputErrors for bad data files, modules and hyperparameters.
#include <H5Cpp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "image_files.hpp"
#include "rung/ckpt/checkpoint_file.hpp"
#include "rung/config/error.hpp"
#include "rung/train/hdf5_data.hpp"
#include "rung/train/torchscript.hpp"
#include "rung/train/trainer.hpp"

namespace fs = std::filesystem;

namespace rung {
namespace {

constexpr const char* kPython = "/usr/bin/python3";
constexpr int kFeatures = 8;
constexpr int kClasses = 3;

fs::path test_dir() {
  const fs::path dir = fs::path(RUNG_TEST_TMP) / "torchscript";
  fs::create_directories(dir);
  return dir;
}

std::string scratch(const std::string& name) {
  const fs::path path = test_dir() / name;
  fs::remove_all(path);
  return path.string();
}

bool contains(const std::string& text, const std::string& word) {
  return text.find(word) != std::string::npos;
}

int run_shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
}

// Why the modules cannot be made here ("" when they can).
const std::string& python_problem() {
  static const std::string problem = [] {
    if (!fs::exists(kPython)) return std::string(kPython) + " is missing";
    if (run_shell(std::string(kPython) + " -c 'import torch' >/dev/null 2>&1") != 0) {
      return std::string(kPython) + " has no torch (apt-get install python3-torch)";
    }
    return std::string();
  }();
  return problem;
}

// A module made by make_model.py with `args`, kept in the test directory across test
// processes (ctest runs every test in its own) and remade when the script is newer. Written
// under a temporary name and renamed: tests running in parallel never see half a file.
std::string module_file(const std::string& name, const std::string& args) {
  static std::mutex mutex;
  const std::lock_guard<std::mutex> lock(mutex);
  const fs::path script = fs::path(RUNG_SOURCE_DIR) / "examples/torchscript/make_model.py";
  const fs::path path = test_dir() / name;
  std::error_code ec;
  if (fs::exists(path) && fs::last_write_time(path, ec) >= fs::last_write_time(script, ec)) {
    return path.string();
  }
  const std::string temp = path.string() + ".tmp." + std::to_string(::getpid());
  const std::string command = std::string(kPython) + " " + script.string() + " --module " + temp +
                              " " + args + " > " + temp + ".log 2>&1";
  if (run_shell(command) != 0) {
    std::ifstream log(temp + ".log");
    const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    ADD_FAILURE() << command << " failed:\n" << text;
    return "";
  }
  fs::remove(temp + ".log", ec);
  fs::rename(temp, path);
  return path.string();
}

// An MLP for kFeatures inputs and kClasses classes with batch norm (buffers) and dropout (the
// global generators); seed 0 unless asked.
std::string dropout_module(int seed = 0) {
  return module_file(
      "dropout_" + std::to_string(seed) + ".pt",
      "--inputs 8 --classes 3 --hidden 16 --dropout 0.2 --seed " + std::to_string(seed));
}
std::string plain_module() {
  return module_file("plain.pt", "--inputs 8 --classes 3 --hidden 16 --dropout 0 --no-batchnorm");
}
std::string regression_module() {
  return module_file("regression.pt",
                     "--inputs 8 --classes 1 --hidden 16 --dropout 0 --no-batchnorm");
}

#define REQUIRE_PYTHON_TORCH()                                       \
  do {                                                               \
    if (!python_problem().empty()) GTEST_SKIP() << python_problem(); \
  } while (false)

// ---------------------------------------------------------------------------------------------
// HDF5 files

struct H5Array {
  std::string name;
  H5::PredType type;
  std::vector<hsize_t> shape;
  const void* data;
};

void write_h5(const std::string& path, const std::vector<H5Array>& arrays) {
  H5::H5File file(path, H5F_ACC_TRUNC);
  for (const auto& a : arrays) {
    H5::DataSpace space(static_cast<int>(a.shape.size()), a.shape.data());
    std::string parent;
    if (const auto slash = a.name.rfind('/'); slash != std::string::npos) {
      parent = a.name.substr(0, slash);
      if (!file.nameExists(parent)) file.createGroup(parent);
    }
    file.createDataSet(a.name, a.type, space).write(a.data, a.type);
  }
}

// Gaussian clusters: class c around centre c (a fixed pattern), noise 0.7.
struct Clusters {
  std::vector<float> x_train, x_val, y_train_f, y_val_f;
  std::vector<std::int64_t> y_train, y_val;
  int train = 0, val = 0;

  Clusters(int train_n, int val_n, unsigned seed) : train(train_n), val(val_n) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> noise(0.0f, 0.7f);
    auto draw = [&](int n, std::vector<float>& x, std::vector<std::int64_t>& y,
                    std::vector<float>& yf) {
      for (int i = 0; i < n; ++i) {
        const int c = i % kClasses;
        y.push_back(c);
        float sum = 0.0f;
        for (int f = 0; f < kFeatures; ++f) {
          const float v = ((f + c) % kClasses == 0 ? 1.5f : -0.5f) + noise(rng);
          x.push_back(v);
          sum += v * static_cast<float>(f % 3 - 1);
        }
        yf.push_back(0.5f * sum);  // a linear regression target
      }
    };
    draw(train, x_train, y_train, y_train_f);
    draw(val, x_val, y_val, y_val_f);
  }
};

const Clusters& clusters() {
  static const Clusters c(240, 90, 7);
  return c;
}

H5Array x_array(const std::string& name, const std::vector<float>& x) {
  return {name, H5::PredType::NATIVE_FLOAT, {x.size() / kFeatures, kFeatures}, x.data()};
}
H5Array y_array(const std::string& name, const std::vector<std::int64_t>& y) {
  return {name, H5::PredType::NATIVE_INT64, {y.size()}, y.data()};
}
H5Array yf_array(const std::string& name, const std::vector<float>& y) {
  return {name, H5::PredType::NATIVE_FLOAT, {y.size()}, y.data()};
}

// The classification file (written once per process).
// Written under a temporary name and renamed (the same bytes in every test process).
std::string shared_h5(const std::string& name, const std::vector<H5Array>& arrays) {
  const fs::path path = test_dir() / name;
  const std::string temp = path.string() + ".tmp." + std::to_string(::getpid());
  write_h5(temp, arrays);
  fs::rename(temp, path);
  return path.string();
}

// The classification file (written once per process).
const std::string& classification_file() {
  static const std::string path = [] {
    const Clusters& c = clusters();
    return shared_h5("clusters.h5", {x_array("x_train", c.x_train), y_array("y_train", c.y_train),
                                     x_array("x_val", c.x_val), y_array("y_val", c.y_val)});
  }();
  return path;
}

const std::string& regression_file() {
  static const std::string path = [] {
    const Clusters& c = clusters();
    return shared_h5("regression.h5",
                     {x_array("inputs/train", c.x_train), yf_array("targets/train", c.y_train_f),
                      x_array("inputs/val", c.x_val), yf_array("targets/val", c.y_val_f)});
  }();
  return path;
}

TrainingSpec spec_for(const std::string& module, const std::string& data,
                      const std::string& loss = "cross_entropy") {
  TrainingSpec spec;
  spec.model = "torchscript";
  spec.torchscript.module = module;
  spec.torchscript.loss = loss;
  spec.dataset.kind = "hdf5";
  spec.dataset.path = data;
  spec.threads_per_worker = 1;
  return spec;
}

HyperParameters good_hp() {
  return {{"optimizer", std::string("sgd")},
          {"learning_rate", 0.05},
          {"momentum", 0.9},
          {"weight_decay", 1e-4},
          {"batch_size", std::int64_t{32}},
          {"lr_schedule", std::string("cosine")}};
}

std::unique_ptr<TorchScriptTrainer> trainer(const TrainingSpec& spec, const HyperParameters& hp,
                                            std::uint64_t seed = 11, int max_epochs = 6) {
  return std::make_unique<TorchScriptTrainer>(spec, hp, seed, torch::Device(torch::kCPU), 1,
                                              max_epochs);
}

void expect_same_state(const TorchScriptTrainer& a, const TorchScriptTrainer& b) {
  std::map<std::string, torch::Tensor> pb;
  for (const auto& item : b.module().named_parameters()) pb[item.name] = item.value;
  for (const auto& item : b.module().named_buffers()) pb["buffer " + item.name] = item.value;
  std::size_t count = 0;
  for (const auto& item : a.module().named_parameters()) {
    ++count;
    ASSERT_TRUE(pb.count(item.name)) << item.name;
    EXPECT_TRUE(torch::equal(item.value, pb[item.name])) << item.name << " differs";
  }
  for (const auto& item : a.module().named_buffers()) {
    ++count;
    const std::string key = "buffer " + item.name;
    ASSERT_TRUE(pb.count(key)) << key;
    EXPECT_TRUE(torch::equal(item.value, pb[key])) << key << " differs";
  }
  EXPECT_EQ(count, pb.size());
}

template <class Exception, class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Exception& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "another exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "no exception";
  return "";
}

// ---------------------------------------------------------------------------------------------
// Learning

TEST(TorchScriptTrainer, trains_and_the_loss_falls) {
  REQUIRE_PYTHON_TORCH();
  HyperParameters hp = {{"optimizer", std::string("adam")},
                        {"learning_rate", 0.01},
                        {"batch_size", std::int64_t{16}}};
  auto t = trainer(spec_for(dropout_module(), classification_file()), hp);
  EXPECT_TRUE(t->uses_global_rng());
  const EpochResult first = t->train_epoch();
  EXPECT_EQ(t->epoch(), 1);
  for (const char* name : {"train:loss", "validation:loss", "validation:accuracy"}) {
    ASSERT_TRUE(first.metrics.count(name)) << name;
    EXPECT_TRUE(std::isfinite(first.metrics.at(name))) << name;
  }
  EXPECT_GT(first.train_time_s, 0.0);
  EXPECT_GT(first.eval_time_s, 0.0);
  EpochResult last = first;
  for (int e = 0; e < 5; ++e) last = t->train_epoch();
  EXPECT_LT(last.metrics.at("train:loss"), first.metrics.at("train:loss"));
  EXPECT_LT(last.metrics.at("validation:loss"), first.metrics.at("validation:loss"));
  EXPECT_GT(last.metrics.at("validation:accuracy"), 0.9);
}

TEST(TorchScriptTrainer, every_optimizer_learns) {
  REQUIRE_PYTHON_TORCH();
  for (const char* optimizer : {"sgd", "adam", "adamw"}) {
    HyperParameters hp = {{"optimizer", std::string(optimizer)}, {"batch_size", std::int64_t{16}}};
    hp["learning_rate"] = std::string(optimizer) == "sgd" ? 0.05 : 0.01;
    auto t = trainer(spec_for(plain_module(), classification_file()), hp);
    EXPECT_FALSE(t->uses_global_rng());
    const double first = t->train_epoch().metrics.at("train:loss");
    double last = first;
    for (int e = 0; e < 3; ++e) last = t->train_epoch().metrics.at("train:loss");
    EXPECT_LT(last, first) << optimizer;
  }
}

TEST(TorchScriptTrainer, mse_trains_a_regression_from_float_targets) {
  REQUIRE_PYTHON_TORCH();
  TrainingSpec spec = spec_for(regression_module(), regression_file(), "mse");
  spec.dataset.x_train = "inputs/train";
  spec.dataset.y_train = "targets/train";
  spec.dataset.x_val = "inputs/val";
  spec.dataset.y_val = "targets/val";
  auto t = trainer(spec, {{"optimizer", std::string("adam")}, {"learning_rate", 0.01}});
  const EpochResult first = t->train_epoch();
  EXPECT_FALSE(first.metrics.count("validation:accuracy"));
  EpochResult last = first;
  for (int e = 0; e < 5; ++e) last = t->train_epoch();
  EXPECT_LT(last.metrics.at("validation:loss"), 0.5 * first.metrics.at("validation:loss"));
}

TEST(TorchScriptTrainer, defaults_follow_the_optimizer) {
  TorchScriptOptions o = TorchScriptOptions::from({});
  EXPECT_EQ(o.optimizer, OptimizerKind::Sgd);
  EXPECT_DOUBLE_EQ(o.schedule.learning_rate, 0.01);
  EXPECT_EQ(o.schedule.schedule, LrSchedule::Constant);
  EXPECT_DOUBLE_EQ(o.weight_decay, 0.0);
  EXPECT_DOUBLE_EQ(o.momentum, 0.0);
  EXPECT_EQ(o.batch_size, 32);
  o = TorchScriptOptions::from({{"optimizer", std::string("adamw")}});
  EXPECT_DOUBLE_EQ(o.schedule.learning_rate, 1e-3);
  EXPECT_DOUBLE_EQ(o.weight_decay, 1e-2);
  o = TorchScriptOptions::from({{"optimizer", std::string("adam")},
                                {"lr_schedule", std::string("step")},
                                {"warmup_epochs", 1.5},
                                {"batch_size", std::string("64")}});
  EXPECT_EQ(o.optimizer, OptimizerKind::Adam);
  EXPECT_EQ(o.schedule.schedule, LrSchedule::Step);
  EXPECT_DOUBLE_EQ(o.schedule.warmup_epochs, 1.5);
  EXPECT_EQ(o.batch_size, 64);
}

TEST(TorchScriptTrainer, bad_hyperparameters_are_input_errors_naming_them) {
  auto refused = [](const HyperParameters& hp, const std::vector<std::string>& words) {
    const std::string m = error_of<InputError>([&] { (void)TorchScriptOptions::from(hp); });
    for (const auto& w : words) EXPECT_TRUE(contains(m, w)) << m << " lacks " << w;
  };
  refused({{"optimizer", std::string("rmsprop")}},
          {"\"optimizer\"", "rmsprop", "sgd, adam or adamw"});
  refused({{"learning_rate", 0.0}}, {"\"learning_rate\""});
  refused({{"momentum", 1.0}}, {"\"momentum\" is 1", "[0, 1)"});
  refused({{"weight_decay", -1.0}}, {"\"weight_decay\""});
  refused({{"batch_size", std::int64_t{0}}}, {"\"batch_size\" is 0"});
  refused({{"lr_schedule", std::string("linear")}}, {"use cosine, step or constant"});
  REQUIRE_PYTHON_TORCH();
  // Through the trainer (and make_trainer) too, before anything loads.
  JobConfig job;
  job.max_resource = 3;
  job.training = spec_for(plain_module(), classification_file());
  const std::string m = error_of<InputError>([&] {
    (void)make_trainer(job, {{"optimizer", std::string("lbfgs")}}, 1);
  });
  EXPECT_TRUE(contains(m, "lbfgs")) << m;
}

// ---------------------------------------------------------------------------------------------
// Exact resume

// 4 epochs straight equal 2 epochs + checkpoint + (another trainer) load + 2 epochs, to the
// bit: parameters, batch-norm buffers, optimizer state, the shuffle and the dropout streams.
void expect_exact_resume(const std::string& module, const HyperParameters& hp,
                         const std::string& name) {
  const TrainingSpec spec = spec_for(module, classification_file());
  const std::string path = scratch(name + ".h5");
  auto straight = trainer(spec, hp);
  std::vector<EpochResult> want;
  for (int e = 0; e < 4; ++e) want.push_back(straight->train_epoch());

  auto first = trainer(spec, hp);
  for (int e = 0; e < 2; ++e) {
    EXPECT_EQ(first->train_epoch().metrics, want[static_cast<std::size_t>(e)].metrics);
  }
  first->save_checkpoint(path);
  // As on another rank: another seed and an epoch already trained; the checkpoint replaces it.
  auto resumed = trainer(spec, hp, 99);
  (void)resumed->train_epoch();
  resumed->load_checkpoint(path);
  EXPECT_EQ(resumed->epoch(), 2);
  for (int e = 2; e < 4; ++e) {
    EXPECT_EQ(resumed->train_epoch().metrics, want[static_cast<std::size_t>(e)].metrics)
        << name << ", epoch " << e + 1;
  }
  expect_same_state(*straight, *resumed);
}

TEST(TorchScriptTrainer, resumes_exactly_with_dropout_and_batch_norm) {
  REQUIRE_PYTHON_TORCH();
  expect_exact_resume(dropout_module(), good_hp(), "resume_sgd");
}

TEST(TorchScriptTrainer, resumes_exactly_with_adam_and_adamw) {
  REQUIRE_PYTHON_TORCH();
  for (const char* optimizer : {"adam", "adamw"}) {
    HyperParameters hp = good_hp();
    hp["optimizer"] = std::string(optimizer);
    hp["learning_rate"] = 0.01;
    hp["warmup_epochs"] = 1.0;
    expect_exact_resume(dropout_module(), hp, std::string("resume_") + optimizer);
  }
}

TEST(TorchScriptTrainer, is_deterministic_from_the_seed_and_alone_in_threads) {
  REQUIRE_PYTHON_TORCH();
  const TrainingSpec spec = spec_for(dropout_module(), classification_file());
  const std::vector<std::uint64_t> seeds = {31, 32, 33};
  std::vector<std::map<std::string, double>> alone;
  for (auto seed : seeds) {
    auto t = trainer(spec, good_hp(), seed);
    (void)t->train_epoch();
    alone.push_back(t->train_epoch().metrics);
  }
  EXPECT_NE(alone[0], alone[1]);  // another seed: another shuffle and other dropout masks
  // Threads of one process share LibTorch's global generators; each trial still sees its own
  // stream.
  std::vector<std::map<std::string, double>> threaded(seeds.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    threads.emplace_back([&, i] {
      auto t = trainer(spec, good_hp(), seeds[i]);
      (void)t->train_epoch();
      threaded[i] = t->train_epoch().metrics;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(threaded, alone);
}

// ---------------------------------------------------------------------------------------------
// Checkpoints

TEST(TorchScriptTrainer, checkpoint_layout_is_readable_without_torch) {
  REQUIRE_PYTHON_TORCH();
  const TrainingSpec spec = spec_for(dropout_module(), classification_file());
  auto t = trainer(spec, good_hp(), 3);
  (void)t->train_epoch();
  const std::string path = scratch("layout.h5");
  t->save_checkpoint(path);
  const CheckpointReader reader(path);
  EXPECT_EQ(reader.get_string("model"), "torchscript");
  EXPECT_EQ(reader.get_int("epoch"), 1);
  EXPECT_EQ(reader.get_int("seed"), 3);
  EXPECT_EQ(reader.get_string("dataset"), describe_hdf5_dataset(spec.dataset));
  EXPECT_EQ(reader.get_string("module"), t->module_description());
  EXPECT_TRUE(contains(t->module_description(), spec.torchscript.module));
  EXPECT_EQ(reader.get_string("loss"), "cross_entropy");
  // Sequential(Flatten, Linear, BatchNorm1d, ReLU, Dropout, Linear, BatchNorm1d, ...).
  const auto params = reader.list("params");
  EXPECT_EQ(params.size(), 10u);
  EXPECT_EQ(reader.get_array("params/layers.1.weight").shape,
            (std::vector<std::uint64_t>{16, kFeatures}));
  EXPECT_EQ(reader.get_array("buffers/layers.2.running_mean").dtype, DType::Float32);
  EXPECT_EQ(reader.get_array("buffers/layers.2.num_batches_tracked").dtype, DType::Int64);
  EXPECT_EQ(reader.get_string("hyperparameters/optimizer"), "sgd");
  EXPECT_GT(reader.get_array("optimizer/torch_archive").bytes.size(), 0u);
  EXPECT_EQ(reader.get_array("rng/generator_state").dtype, DType::UInt8);
  EXPECT_EQ(reader.get_array("rng/torch_cpu_state").dtype, DType::UInt8);
}

TEST(TorchScriptTrainer, refuses_foreign_truncated_and_missing_checkpoints) {
  REQUIRE_PYTHON_TORCH();
  const TrainingSpec spec = spec_for(dropout_module(), classification_file());
  auto source = trainer(spec, good_hp());
  (void)source->train_epoch();
  const std::string good = scratch("good.h5");
  source->save_checkpoint(good);

  auto t = trainer(spec, good_hp());
  auto refused = [&](const std::string& path, const std::string& word) {
    const std::string m = error_of<CheckpointError>([&] { t->load_checkpoint(path); });
    EXPECT_TRUE(contains(m, path)) << m;
    EXPECT_TRUE(contains(m, word)) << m << " lacks " << word;
    EXPECT_EQ(t->epoch(), 0);
  };
  refused(scratch("missing.h5"), "missing.h5");
  const std::string text = scratch("text.h5");
  std::ofstream(text) << "not a checkpoint\n";
  refused(text, "text.h5");
  const std::string cut = scratch("truncated.h5");
  fs::copy_file(good, cut);
  fs::resize_file(cut, fs::file_size(good) / 2);
  refused(cut, "truncated.h5");

  // Another module file (the same architecture, other weights): its checkpoints do not fit.
  auto other_module = trainer(spec_for(dropout_module(1), classification_file()), good_hp());
  const std::string foreign = scratch("other_module.h5");
  other_module->save_checkpoint(foreign);
  refused(foreign, "another module");
  // Another trial's hyperparameters.
  HyperParameters hp = good_hp();
  hp["momentum"] = 0.5;
  const std::string other_hp = scratch("other_hp.h5");
  trainer(spec, hp)->save_checkpoint(other_hp);
  refused(other_hp, "momentum is 0.5 in the file, 0.9 here");
  // Another model's checkpoint.
  TrainingSpec mlp;
  mlp.dataset.samples = 200;
  const std::string mlp_file = scratch("mlp.h5");
  make_trainer(mlp, {}, 1)->save_checkpoint(mlp_file);
  refused(mlp_file, "\"mlp\"");

  t->load_checkpoint(good);
  EXPECT_EQ(t->epoch(), 1);
  expect_same_state(*t, *source);
}

// ---------------------------------------------------------------------------------------------
// Bad data and modules

TEST(TorchScriptTrainer, bad_data_files_are_input_errors_naming_the_file_and_dataset) {
  const Clusters& c = clusters();
  auto refused = [](const std::string& path, const std::vector<H5Array>& arrays,
                    const std::vector<std::string>& words, const std::string& loss = "",
                    bool needs_module = false) {
    if (!arrays.empty()) write_h5(path, arrays);
    if (needs_module && !python_problem().empty()) return;
    DatasetSpec ds;
    ds.kind = "hdf5";
    ds.path = path;
    std::string m;
    if (loss.empty()) {
      m = error_of<InputError>([&] { (void)load_hdf5_dataset(ds); });
    } else {
      m = error_of<InputError>([&] { (void)trainer(spec_for(plain_module(), path, loss), {}); });
    }
    EXPECT_TRUE(contains(m, path)) << m;
    for (const auto& w : words) EXPECT_TRUE(contains(m, w)) << m << " lacks " << w;
  };
  const auto x_train = x_array("x_train", c.x_train);
  const auto y_train = y_array("y_train", c.y_train);
  const auto x_val = x_array("x_val", c.x_val);
  const auto y_val = y_array("y_val", c.y_val);

  refused(scratch("absent.h5"), {}, {"does not exist"});
  const std::string text = scratch("text.h5");
  std::ofstream(text) << "x,y\n1,2\n";
  refused(text, {}, {"not an HDF5 file"});
  refused(scratch("no_y_val.h5"), {x_train, y_train, x_val}, {"\"y_val\"", "x_train"});
  // 90 validation inputs, 60 validation targets.
  const std::vector<std::int64_t> short_y(c.y_val.begin(), c.y_val.begin() + 60);
  refused(scratch("counts.h5"), {x_train, y_train, x_val, y_array("y_val", short_y)},
          {"\"x_val\"", "\"y_val\"", "[90, 8]", "[60]", "same number of samples"});
  std::vector<std::uint8_t> bytes(c.x_train.size(), 3);
  refused(scratch("uint8.h5"),
          {{"x_train", H5::PredType::NATIVE_UINT8, {240, kFeatures}, bytes.data()},
           y_train,
           x_val,
           y_val},
          {"\"x_train\"", "uint8", "float32 or float64"});
  refused(scratch("rank1.h5"),
          {{"x_train", H5::PredType::NATIVE_FLOAT, {c.x_train.size()}, c.x_train.data()},
           y_train,
           x_val,
           y_val},
          {"\"x_train\"", "rank >= 2"});
  const std::vector<float> wide(c.x_val.size() / kFeatures * 4, 0.0f);
  refused(scratch("widths.h5"),
          {x_train, y_train, {"x_val", H5::PredType::NATIVE_FLOAT, {90, 4}, wide.data()}, y_val},
          {"\"x_train\"", "\"x_val\"", "same shape per sample"});
  // Targets that do not fit the loss, and class ids out of the module's range.
  refused(scratch("float_targets.h5"),
          {x_train, yf_array("y_train", c.y_train_f), x_val, yf_array("y_val", c.y_val_f)},
          {"\"y_train\"", "cross_entropy", "integer class ids"}, "cross_entropy", true);
  refused(scratch("int_targets.h5"), {x_train, y_train, x_val, y_val},
          {"\"y_train\"", "mse", "floating-point"}, "mse", true);
  std::vector<std::int64_t> big = c.y_val;
  big[5] = 7;
  refused(scratch("labels.h5"), {x_train, y_train, x_val, y_array("y_val", big)},
          {"\"y_val\"", "0..7", "3 classes"}, "cross_entropy", true);
}

TEST(TorchScriptTrainer, bad_modules_are_input_errors_naming_the_file) {
  const std::string missing = scratch("no_such_module.pt");
  std::string m =
      error_of<InputError>([&] { (void)trainer(spec_for(missing, classification_file()), {}); });
  EXPECT_TRUE(contains(m, missing)) << m;
  EXPECT_TRUE(contains(m, "does not exist")) << m;
  const std::string text = scratch("text_module.pt");
  std::ofstream(text) << "def forward(x): return x\n";
  m = error_of<InputError>([&] { (void)trainer(spec_for(text, classification_file()), {}); });
  EXPECT_TRUE(contains(m, text)) << m;
  EXPECT_TRUE(contains(m, "TorchScript")) << m;

  REQUIRE_PYTHON_TORCH();
  // A module for 5 inputs on data with 8 features: its forward fails before any trial trains.
  const std::string narrow = module_file("narrow.pt", "--inputs 5 --classes 3 --hidden 4");
  m = error_of<InputError>([&] { (void)trainer(spec_for(narrow, classification_file()), {}); });
  EXPECT_TRUE(contains(m, narrow)) << m;
  EXPECT_TRUE(contains(m, "forward failed")) << m;
}

// ---------------------------------------------------------------------------------------------
// Image data sets and the factory

TEST(TorchScriptTrainer, trains_on_an_image_data_set) {
  REQUIRE_PYTHON_TORCH();
  const fs::path dir = test_dir() / ("cifar." + std::to_string(::getpid()));
  fs::remove_all(dir);
  test_images::write_cifar(dir, 12, 20);
  TrainingSpec spec =
      spec_for(module_file("cifar.pt", "--inputs 3072 --classes 10 --hidden 16"), "");
  spec.dataset.kind = "cifar10";
  spec.dataset.path = dir.string();
  auto t = trainer(spec, {{"optimizer", std::string("adam")}, {"learning_rate", 0.01}});
  const EpochResult r = t->train_epoch();
  EXPECT_TRUE(std::isfinite(r.metrics.at("validation:accuracy")));
  spec.torchscript.loss = "mse";
  const std::string m = error_of<InputError>([&] { (void)trainer(spec, {}); });
  EXPECT_TRUE(contains(m, "mse")) << m;
  fs::remove_all(dir);
}

TEST(TorchScriptTrainer, make_trainer_builds_it_from_a_job) {
  REQUIRE_PYTHON_TORCH();
  JobConfig job;
  job.max_resource = 3;
  job.training = spec_for(plain_module(), classification_file());
  auto t = make_trainer(job, good_hp(), 5);
  ASSERT_NE(dynamic_cast<TorchScriptTrainer*>(t.get()), nullptr);
  EXPECT_TRUE(std::isfinite(t->train_epoch().metrics.at("validation:loss")));
  EXPECT_THROW((void)make_trainer(job.training, good_hp(), 5), InputError);
  job.training.device = "cuda:7";
  if (!torch::cuda::is_available()) {
    EXPECT_THROW((void)make_trainer(job, good_hp(), 5), InputError);
  }
}

}  // namespace
}  // namespace rung
