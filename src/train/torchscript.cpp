// The TorchScript trainer and its checkpoint layout. The checkpoint (through the torch-free
// CheckpointWriter) holds:
//   root attributes  model (torchscript), epoch, seed, dataset (the data set's description),
//                    module (the module file: path, size, FNV-1a hash), loss, torch_version
//   params/<name>     every parameter of the module, its own type and shape ("fc1.weight")
//   buffers/<name>    every buffer (batch norm's running statistics, ...)
//   optimizer/torch_archive   the optimizer's state as the bytes of a torch OutputArchive
//   rng/generator_state       the trainer's CPU generator (the shuffle)
//   rng/torch_cpu_state       the trial's state of LibTorch's global CPU generator (dropout)
//   rng/torch_cuda_state      ... and of the device's global CUDA generator (GPU trials whose
//                             module draws random numbers)
//   hyperparameters/<name>    string attributes, rung::to_string of each value
#include "rung/train/torchscript.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/DeviceGuard.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <fmt/format.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <sstream>
#include <utility>

#include "rung/ckpt/checkpoint_file.hpp"
#include "rung/config/error.hpp"
#include "rung/train/hdf5_data.hpp"
#include "rung/train/image_data.hpp"
#include "tensor_checkpoint.hpp"
#include "torch_device.hpp"

namespace rung {

namespace tc = tensor_checkpoint;

namespace {

namespace fs = std::filesystem;

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

[[noreturn]] void bad_hyperparameter(const std::string& name, const std::string& value,
                                     const std::string& rule) {
  throw InputError("hyperparameter \"" + name + "\" is " + value + "; " + rule);
}


// ---------------------------------------------------------------------------------------------
// The module file: read once per process; every trial loads its own copy from the bytes.

struct ModuleFile {
  std::string bytes;
  std::string description;  // path, size and FNV-1a hash: a checkpoint names the module it fits
};

std::string fnv1a64(const std::string& bytes) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", hash);
}

std::shared_ptr<const ModuleFile> shared_module_file(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const ModuleFile>> cache;
  const std::lock_guard<std::mutex> lock(mutex);
  auto& slot = cache[path];
  if (slot) return slot;
  std::error_code ec;
  if (path.empty()) {
    cache.erase(path);
    throw InputError("rung.torchscript.module is empty; name the file saved with torch.jit.save");
  }
  if (!fs::is_regular_file(path, ec)) {
    cache.erase(path);
    throw InputError("rung.torchscript.module: " + path +
                     (fs::exists(path, ec) ? " is not a file" : " does not exist") +
                     " (relative paths start in " + fs::current_path(ec).string() +
                     "); save the module with torch.jit.save(torch.jit.script(model), \"" + path +
                     "\")");
  }
  std::ifstream in(path, std::ios::binary);
  auto file = std::make_shared<ModuleFile>();
  file->bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    cache.erase(path);
    throw InputError("rung.torchscript.module: cannot read " + path);
  }
  file->description = path + " (" + std::to_string(file->bytes.size()) + " bytes, fnv1a64 " +
                      fnv1a64(file->bytes) + ")";
  slot = file;
  return slot;
}

torch::jit::script::Module load_module(const ModuleFile& file, const std::string& path,
                                       const torch::Device& device) {
  try {
    std::istringstream in(file.bytes);
    return torch::jit::load(in, device);
  } catch (const c10::Error& e) {
    throw InputError("rung.torchscript.module: " + path +
                     " is not a TorchScript module that LibTorch " TORCH_VERSION
                     " can load (save it with torch.jit.save(torch.jit.script(model), ...), with "
                     "a PyTorch no newer than this LibTorch): " +
                     e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw InputError(
        "rung.torchscript.module: " + path +
        " is not a TorchScript module that LibTorch " TORCH_VERSION " can load: " + e.what());
  }
}

// Whether the module's forward (with every method and function it calls inlined) holds an
// operation that draws from LibTorch's global generators. LibTorch's own list
// (Node::isNondeterministic) misses some (feature_dropout, the in-place samplers), so names
// of aten operations are matched too. In doubt (a graph that cannot be inspected): yes.
bool draws_random_numbers(const torch::jit::script::Module& module) {
  static const char* const kRandomWords[] = {
      "dropout", "rand",  "bernoulli",   "normal", "uniform",   "multinomial", "poisson",
      "gamma",   "rrelu", "exponential", "cauchy", "geometric", "random_",     "binomial"};
  try {
    const std::shared_ptr<torch::jit::Graph> graph = module.get_method("forward").graph()->copy();
    torch::jit::Inline(*graph);
    std::vector<torch::jit::Block*> blocks{graph->block()};
    while (!blocks.empty()) {
      torch::jit::Block* block = blocks.back();
      blocks.pop_back();
      for (torch::jit::Node* node : block->nodes()) {
        if (node->kind().is_aten()) {
          if (node->isNondeterministic()) return true;
          const std::string name = node->kind().toUnqualString();
          for (const char* word : kRandomWords) {
            // "normal" but not "layer_norm"/"batch_norm": those do not contain "normal".
            if (name.find(word) != std::string::npos) return true;
          }
        }
        for (torch::jit::Block* inner : node->blocks()) blocks.push_back(inner);
      }
    }
    return false;
  } catch (const std::exception&) {
    return true;
  }
}

// One lock per process for the trainers that swap their state into the global generators.
std::mutex& global_rng_mutex() {
  static std::mutex mutex;
  return mutex;
}

// The state of a CPU generator freshly seeded with `seed`: the global CPU generator as a
// trial with that seed starts it.
torch::Tensor seeded_cpu_state(std::uint64_t seed) {
  return at::make_generator<at::CPUGeneratorImpl>(seed).get_state();
}

// Drawn from the trial's seed, but another stream than the shuffle's.
std::uint64_t module_seed(std::uint64_t seed) { return seed ^ 0x9E3779B97F4A7C15ULL; }

void set_generator_state(at::Generator generator, const torch::Tensor& state) {
  const std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}

torch::Tensor generator_state(const at::Generator& generator) {
  at::Generator g = generator;
  const std::lock_guard<std::mutex> lock(g.mutex());
  return g.get_state();
}

bool is_supported_state_type(torch::ScalarType type) {
  return type == torch::kFloat || type == torch::kDouble || type == torch::kLong ||
         type == torch::kByte;
}

tc::NamedTensors named_parameters(const torch::jit::script::Module& module) {
  tc::NamedTensors out;
  for (const auto& item : module.named_parameters()) out.emplace_back(item.name, item.value);
  return out;
}

tc::NamedTensors named_buffers(const torch::jit::script::Module& module) {
  tc::NamedTensors out;
  for (const auto& item : module.named_buffers()) out.emplace_back(item.name, item.value);
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Options

const char* to_string(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::Sgd:
      return "sgd";
    case OptimizerKind::Adam:
      return "adam";
    case OptimizerKind::AdamW:
      return "adamw";
  }
  return "?";
}

TorchScriptOptions TorchScriptOptions::from(const HyperParameters& hp) {
  TorchScriptOptions o;
  if (hp.count("optimizer")) {
    const std::string name = to_string(hp.at("optimizer"));
    if (name == "sgd") {
      o.optimizer = OptimizerKind::Sgd;
    } else if (name == "adam") {
      o.optimizer = OptimizerKind::Adam;
    } else if (name == "adamw") {
      o.optimizer = OptimizerKind::AdamW;
    } else {
      bad_hyperparameter("optimizer", name, "use sgd, adam or adamw");
    }
  }
  // PyTorch's defaults for the optimizer chosen.
  const bool adam_like = o.optimizer != OptimizerKind::Sgd;
  o.schedule.learning_rate = get_double_or(hp, "learning_rate", adam_like ? 1e-3 : 1e-2);
  o.weight_decay =
      get_double_or(hp, "weight_decay", o.optimizer == OptimizerKind::AdamW ? 1e-2 : 0.0);
  o.momentum = get_double_or(hp, "momentum", o.momentum);
  o.batch_size = get_int_or(hp, "batch_size", o.batch_size);
  o.eval_batch_size = get_int_or(hp, "eval_batch_size", o.eval_batch_size);
  o.schedule.read(hp);  // lr_schedule and warmup_epochs
  if (o.batch_size < 1) {
    bad_hyperparameter("batch_size", std::to_string(o.batch_size), "it must be >= 1");
  }
  if (o.eval_batch_size < 1) {
    bad_hyperparameter("eval_batch_size", std::to_string(o.eval_batch_size), "it must be >= 1");
  }
  if (!(o.schedule.learning_rate > 0.0) || !std::isfinite(o.schedule.learning_rate)) {
    bad_hyperparameter("learning_rate", to_string(ParamValue(o.schedule.learning_rate)),
                       "it must be a finite number > 0");
  }
  if (!(o.momentum >= 0.0 && o.momentum < 1.0)) {
    bad_hyperparameter("momentum", to_string(ParamValue(o.momentum)), "it must be in [0, 1)");
  }
  if (!(o.weight_decay >= 0.0) || !std::isfinite(o.weight_decay)) {
    bad_hyperparameter("weight_decay", to_string(ParamValue(o.weight_decay)),
                       "it must be finite and >= 0");
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Data on a device

// The data set's tensors on one device, shared by the trainers there. HDF5 data: float32
// inputs and int64 or float32 targets, exactly as read. Image data: uint8 pixels normalised
// per batch with the training images' per-channel mean and standard deviation, int64 labels.
struct TorchScriptTrainer::DeviceData {
  std::string file;     // for messages: the HDF5 file or the image directory
  bool images = false;  // normalise uint8 pixels
  std::string y_train_name = "training labels";
  std::string y_val_name = "test labels";
  std::shared_ptr<const void> host;  // keeps the host arrays alive (CPU tensors alias them)
  torch::Tensor x_train, y_train, x_val, y_val, mean, stddev;
};

namespace {

using DeviceData = TorchScriptTrainer::DeviceData;

torch::Tensor host_tensor(const SampleArray& a) {
  // Not copied: the tensor aliases the shared, never-modified host array.
  if (a.is_integer) {
    return torch::from_blob(const_cast<std::int64_t*>(a.integers.data()), a.shape, torch::kLong);
  }
  return torch::from_blob(const_cast<float*>(a.floats.data()), a.shape, torch::kFloat);
}

std::shared_ptr<const DeviceData> make_hdf5_data(const DatasetSpec& spec,
                                                 const torch::Device& device) {
  const std::shared_ptr<const Hdf5Dataset> host = shared_hdf5_dataset(spec);
  auto data = std::make_shared<DeviceData>();
  data->file = host->path;
  data->host = host;
  data->y_train_name = host->y_train.name;
  data->y_val_name = host->y_val.name;
  data->x_train = host_tensor(host->x_train).to(device);
  data->y_train = host_tensor(host->y_train).to(device);
  data->x_val = host_tensor(host->x_val).to(device);
  data->y_val = host_tensor(host->y_val).to(device);
  return data;
}

std::shared_ptr<const DeviceData> make_image_data(const DatasetSpec& spec,
                                                  const torch::Device& device) {
  const std::shared_ptr<const ImageDataset> host = shared_image_dataset(spec);
  auto data = std::make_shared<DeviceData>();
  data->file = spec.path;
  data->images = true;
  data->host = host;
  auto pixels = [&](const std::vector<std::uint8_t>& bytes, std::int64_t n) {
    return torch::from_blob(const_cast<std::uint8_t*>(bytes.data()),
                            {n, host->channels, host->height, host->width}, torch::kByte)
        .to(device);
  };
  auto labels = [&](const std::vector<std::uint8_t>& bytes, std::int64_t n) {
    return torch::from_blob(const_cast<std::uint8_t*>(bytes.data()), {n}, torch::kByte)
        .to(device, torch::kLong);
  };
  data->x_train = pixels(host->train_images, host->train_size());
  data->y_train = labels(host->train_labels, host->train_size());
  data->x_val = pixels(host->test_images, host->test_size());
  data->y_val = labels(host->test_labels, host->test_size());
  const std::vector<float> mean(host->mean.begin(), host->mean.end());
  const std::vector<float> stddev(host->stddev.begin(), host->stddev.end());
  const std::vector<std::int64_t> shape{1, host->channels, 1, 1};
  data->mean = torch::tensor(mean).view(shape).to(device);
  data->stddev = torch::tensor(stddev).view(shape).to(device);
  return data;
}

// One copy per process, data set and device (on the CPU, HDF5 data is not even copied).
std::shared_ptr<const DeviceData> shared_device_data(const DatasetSpec& spec,
                                                     const std::string& description,
                                                     const torch::Device& device) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const DeviceData>> cache;
  const std::string key = description + " device=" + device.str();
  const std::lock_guard<std::mutex> lock(mutex);
  if (const auto it = cache.find(key); it != cache.end()) return it->second;
  std::shared_ptr<const DeviceData> data;
  if (spec.kind == "hdf5") {
    data = make_hdf5_data(spec, device);
  } else if (is_image_dataset(spec.kind)) {
    data = make_image_data(spec, device);
  } else {
    throw InputError("model torchscript learns from files; dataset.kind \"" + spec.kind +
                     "\" is not one (use hdf5, cifar10 or fashion_mnist)");
  }
  cache[key] = data;
  return data;
}

std::string describe_data(const DatasetSpec& spec) {
  return spec.kind == "hdf5" ? describe_hdf5_dataset(spec) : describe_image_dataset(spec);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Trainer

TorchScriptTrainer::TorchScriptTrainer(const TrainingSpec& spec, const HyperParameters& hp,
                                       std::uint64_t seed, torch::Device device, int threads,
                                       int max_epochs)
    : module_path_(spec.torchscript.module),
      dataset_description_(describe_data(spec.dataset)),
      loss_(LossKind::CrossEntropy),
      hyperparameters_(hp),
      options_(TorchScriptOptions::from(hp)),
      seed_(seed),
      device_(device),
      threads_(threads),
      max_epochs_(std::max(1, max_epochs)),
      generator_(at::make_generator<at::CPUGeneratorImpl>(seed)),
      global_cpu_state_(seeded_cpu_state(module_seed(seed))) {
  if (spec.torchscript.loss == "mse") {
    loss_ = LossKind::Mse;
  } else if (spec.torchscript.loss != "cross_entropy") {
    throw InputError("rung.torchscript.loss: \"" + spec.torchscript.loss +
                     "\" is not a loss rung knows; use cross_entropy or mse");
  }
  const c10::DeviceGuard device_guard(device_);
  set_threads();
  const std::shared_ptr<const ModuleFile> file = shared_module_file(module_path_);
  module_description_ = file->description;
  module_ = load_module(*file, module_path_, device_);
  for (const auto& [what, named] : {std::pair{"parameter", named_parameters(module_)},
                                    std::pair{"buffer", named_buffers(module_)}}) {
    for (const auto& [name, tensor] : named) {
      if (!is_supported_state_type(tensor.scalar_type())) {
        throw InputError("rung.torchscript.module: " + module_path_ + ": " + what + " \"" + name +
                         "\" is " + c10::toString(tensor.scalar_type()) +
                         "; rung checkpoints float32, float64, int64 and uint8 tensors only");
      }
    }
  }
  if (module_.parameters().size() == 0) {
    throw InputError("rung.torchscript.module: " + module_path_ + " has no parameters to train");
  }
  uses_global_rng_ = draws_random_numbers(module_);
  if (uses_global_rng_ && device_.is_cuda()) {
    // The device's generator as a trial with this seed starts it.
    const std::lock_guard<std::mutex> lock(global_rng_mutex());
    at::Generator cuda = at::globalContext().defaultGenerator(device_);
    {
      const std::lock_guard<std::mutex> generator_lock(cuda.mutex());
      cuda.set_current_seed(module_seed(seed));
    }
    global_cuda_state_ = generator_state(cuda);
  }
  data_ = shared_device_data(spec.dataset, dataset_description_, device_);
  if (data_->x_train.size(0) < 1 || data_->x_val.size(0) < 1) {
    throw InputError("data file " + data_->file +
                     ": model torchscript needs at least one "
                     "training and one validation sample");
  }
  check_output_fits_targets();
  optimizer_ = make_optimizer();
}

TorchScriptTrainer::~TorchScriptTrainer() = default;

void TorchScriptTrainer::set_threads() const {
  if (threads_ > 0 && torch::get_num_threads() != threads_) torch::set_num_threads(threads_);
}

// Runs f with the trial's state in LibTorch's global generators, when the module draws from
// them; the state after f (even after a failure) becomes the trial's.
template <class F>
void TorchScriptTrainer::with_global_rng(F&& f) {
  if (!uses_global_rng_) {
    f();
    return;
  }
  const std::lock_guard<std::mutex> lock(global_rng_mutex());
  at::Generator cpu = at::globalContext().defaultGenerator(torch::Device(torch::kCPU));
  set_generator_state(cpu, global_cpu_state_);
  std::unique_ptr<at::Generator> cuda;
  if (device_.is_cuda() && global_cuda_state_.defined()) {
    cuda = std::make_unique<at::Generator>(at::globalContext().defaultGenerator(device_));
    set_generator_state(*cuda, global_cuda_state_);
  }
  auto keep_states = [&] {
    global_cpu_state_ = generator_state(cpu);
    if (cuda) global_cuda_state_ = generator_state(*cuda);
  };
  try {
    f();
  } catch (...) {
    keep_states();
    throw;
  }
  keep_states();
}

std::unique_ptr<torch::optim::Optimizer> TorchScriptTrainer::make_optimizer() const {
  std::vector<torch::Tensor> params;
  for (const auto& p : module_.parameters()) params.push_back(p);
  const double rate = options_.schedule.learning_rate;
  switch (options_.optimizer) {
    case OptimizerKind::Adam:
      return std::make_unique<torch::optim::Adam>(
          params, torch::optim::AdamOptions(rate).weight_decay(options_.weight_decay));
    case OptimizerKind::AdamW:
      return std::make_unique<torch::optim::AdamW>(
          params, torch::optim::AdamWOptions(rate).weight_decay(options_.weight_decay));
    case OptimizerKind::Sgd:
      break;
  }
  return std::make_unique<torch::optim::SGD>(params, torch::optim::SGDOptions(rate)
                                                         .momentum(options_.momentum)
                                                         .weight_decay(options_.weight_decay));
}

torch::Tensor TorchScriptTrainer::inputs(const torch::Tensor& x) const {
  if (!data_->images) return x;
  return x.to(torch::kFloat).div_(255.0).sub_(data_->mean).div_(data_->stddev);
}

torch::Tensor TorchScriptTrainer::forward(const torch::Tensor& x) {
  const torch::jit::IValue out = module_.forward({x});
  if (!out.isTensor()) {
    throw InputError("rung.torchscript.module: " + module_path_ + ": forward returned a " +
                     out.tagKind() + "; rung needs one tensor (the scores or predictions)");
  }
  return out.toTensor();
}

// The loss of `output` against `target`: the mean over target elements, or their sum.
torch::Tensor TorchScriptTrainer::loss(const torch::Tensor& output, const torch::Tensor& target,
                                       bool sum) const {
  if (loss_ == LossKind::CrossEntropy) {
    return torch::nn::functional::cross_entropy(
        output, target,
        torch::nn::functional::CrossEntropyFuncOptions().reduction(
            sum ? torch::nn::functional::CrossEntropyFuncOptions::reduction_t(torch::kSum)
                : torch::nn::functional::CrossEntropyFuncOptions::reduction_t(torch::kMean)));
  }
  const torch::Tensor y = target.to(output.scalar_type()).reshape(output.sizes());
  return torch::mse_loss(output, y, sum ? at::Reduction::Sum : at::Reduction::Mean);
}

// Runs the module once on two training samples (eval mode, no gradients) and checks that its
// output fits the targets and the loss: what would otherwise fail every trial at its first
// batch, or silently broadcast.
void TorchScriptTrainer::check_output_fits_targets() {
  const DeviceData& d = *data_;
  const std::string y_name =
      d.images ? std::string("the labels") : "dataset \"" + d.y_train_name + "\"";
  const std::string where = "data file " + d.file + ", " + y_name;
  const bool integer_targets = !torch::isFloatingType(d.y_train.scalar_type());
  if (loss_ == LossKind::CrossEntropy && !integer_targets) {
    throw InputError(where + ": is " + std::string(c10::toString(d.y_train.scalar_type())) +
                     "; loss cross_entropy needs integer class ids (store them as int64), or "
                     "use loss: mse for real-valued targets");
  }
  if (loss_ == LossKind::Mse && integer_targets) {
    throw InputError(where + ": holds integers" +
                     (d.images ? std::string(" (class labels)") : std::string()) +
                     "; loss mse needs floating-point targets (store them as float32), or use "
                     "loss: cross_entropy for class ids");
  }
  const std::int64_t k = std::min<std::int64_t>(2, d.x_train.size(0));
  torch::Tensor output;
  with_global_rng([&] {
    torch::NoGradGuard no_grad;
    module_.eval();
    try {
      output = forward(inputs(d.x_train.slice(0, 0, k).clone()));
    } catch (const Error&) {
      module_.train();
      throw;
    } catch (const std::exception& e) {
      module_.train();
      const std::string what = dynamic_cast<const c10::Error*>(&e) != nullptr
                                   ? static_cast<const c10::Error&>(e).what_without_backtrace()
                                   : e.what();
      throw InputError("rung.torchscript.module: " + module_path_ + ": forward failed on " +
                       std::to_string(k) + " training samples of shape " +
                       tc::shape_string(d.x_train.slice(0, 0, k).sizes()) + ": " + what);
    }
    module_.train();
  });
  const torch::Tensor y = d.y_train.slice(0, 0, k);
  const std::string module = "rung.torchscript.module: " + module_path_ + " returns shape " +
                             tc::shape_string(output.sizes()) + " for " + std::to_string(k) +
                             " samples";
  if (!torch::isFloatingType(output.scalar_type())) {
    throw InputError(module + " of " + c10::toString(output.scalar_type()) +
                     "; the loss needs floating-point outputs");
  }
  if (output.dim() < 1 || output.size(0) != k) {
    throw InputError(module + "; the first dimension must count the samples");
  }
  if (loss_ == LossKind::CrossEntropy) {
    // Scores [n, classes, d...] for class ids [n, d...].
    const bool fits = output.dim() == y.dim() + 1 && output.sizes().slice(2) == y.sizes().slice(1);
    if (!fits) {
      throw InputError(module + ", and " + y_name + " has shape " + tc::shape_string(y.sizes()) +
                       " for them; loss cross_entropy needs class scores [samples, classes] for "
                       "class ids [samples] (or [samples, classes, d...] for [samples, d...])");
    }
    const std::int64_t classes = output.size(1);
    for (const auto& [labels, name] :
         {std::pair{d.y_train, d.y_train_name}, std::pair{d.y_val, d.y_val_name}}) {
      const std::int64_t low = labels.min().item<std::int64_t>();
      const std::int64_t high = labels.max().item<std::int64_t>();
      if (low < 0 || high >= classes) {
        throw InputError("data file " + d.file + ", " +
                         (d.images ? std::string("labels") : "dataset \"" + name + "\"") +
                         ": holds class ids " + std::to_string(low) + ".." + std::to_string(high) +
                         ", but rung.torchscript.module " + module_path_ + " scores " +
                         std::to_string(classes) + " classes (output shape " +
                         tc::shape_string(output.sizes()) + "); class ids must be in 0.." +
                         std::to_string(classes - 1));
      }
    }
  } else {
    const std::int64_t out_per_sample = output.numel() / k;
    const std::int64_t y_per_sample = y.numel() / k;
    if (out_per_sample != y_per_sample) {
      throw InputError(module + ", and " + y_name + " has shape " + tc::shape_string(y.sizes()) +
                       " for them; loss mse needs as many outputs as targets per sample");
    }
  }
}

EpochResult TorchScriptTrainer::train_epoch() {
  EpochResult result;
  const int next_epoch = epoch_ + 1;
  const DeviceData& d = *data_;
  try {
    const c10::DeviceGuard device_guard(device_);
    set_threads();
    with_global_rng([&] {
      const auto train_start = Clock::now();
      module_.train();
      const std::int64_t n = d.x_train.size(0);
      const torch::Tensor order =
          torch::randperm(n, generator_, torch::TensorOptions(torch::kLong)).to(device_);
      const std::int64_t batch = options_.batch_size;
      const std::int64_t steps = (n + batch - 1) / batch;
      // The epoch's loss is summed on the device and read once: no per-batch synchronisation.
      torch::Tensor loss_sum =
          torch::zeros({}, torch::TensorOptions(torch::kDouble).device(device_));
      std::int64_t trained = 0;
      for (std::int64_t step = 0; step < steps; ++step) {
        const std::int64_t start = step * batch;
        const std::int64_t end = std::min(n, start + batch);
        if (end - start < 2 && n >= 2) break;  // batch norm cannot train on a single sample
        const double rate =
            scheduled_learning_rate(options_.schedule, epoch_, step, steps, max_epochs_);
        for (auto& group : optimizer_->param_groups()) group.options().set_lr(rate);
        const torch::Tensor index = order.slice(0, start, end);
        const torch::Tensor x = inputs(d.x_train.index_select(0, index));
        const torch::Tensor y = d.y_train.index_select(0, index);
        optimizer_->zero_grad();
        const torch::Tensor batch_loss = loss(forward(x), y, false);
        batch_loss.backward();
        optimizer_->step();
        loss_sum += batch_loss.detach().to(torch::kDouble) * static_cast<double>(end - start);
        trained += end - start;
      }
      const double train_loss = loss_sum.item<double>() / static_cast<double>(trained);
      result.train_time_s = seconds_since(train_start);
      if (!std::isfinite(train_loss)) {
        throw TrialError("torchscript: training loss is " + std::to_string(train_loss) +
                         " in epoch " + std::to_string(next_epoch) + " (optimizer " +
                         to_string(options_.optimizer) + ", learning_rate " +
                         to_string(ParamValue(options_.schedule.learning_rate)) + ")");
      }

      const auto eval_start = Clock::now();
      module_.eval();
      torch::NoGradGuard no_grad;
      const std::int64_t m = d.x_val.size(0);
      const auto on_device = [&](torch::ScalarType type) {
        return torch::TensorOptions(type).device(device_);
      };
      torch::Tensor eval_loss = torch::zeros({}, on_device(torch::kDouble));
      torch::Tensor correct = torch::zeros({}, on_device(torch::kLong));
      for (std::int64_t start = 0; start < m; start += options_.eval_batch_size) {
        const std::int64_t end = std::min(m, start + options_.eval_batch_size);
        // A copy: the module may change its input in place, and the data set is shared.
        const torch::Tensor x = inputs(d.x_val.slice(0, start, end).clone());
        const torch::Tensor y = d.y_val.slice(0, start, end);
        const torch::Tensor output = forward(x);
        eval_loss += loss(output, y, true).to(torch::kDouble);
        if (loss_ == LossKind::CrossEntropy) correct += output.argmax(1).eq(y).sum();
      }
      module_.train();
      const double elements = static_cast<double>(d.y_val.numel());
      const double validation_loss = eval_loss.item<double>() / elements;
      result.eval_time_s = seconds_since(eval_start);
      if (!std::isfinite(validation_loss)) {
        throw TrialError("torchscript: validation loss is " + std::to_string(validation_loss) +
                         " in epoch " + std::to_string(next_epoch));
      }
      result.metrics["train:loss"] = train_loss;
      result.metrics["validation:loss"] = validation_loss;
      if (loss_ == LossKind::CrossEntropy) {
        result.metrics["validation:accuracy"] =
            static_cast<double>(correct.item<std::int64_t>()) / elements;
      }
    });
  } catch (const Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw TrialError("torchscript: epoch " + std::to_string(next_epoch) +
                     " failed in LibTorch: " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    // The module's own failures (TorchScript's raise) are JITExceptions.
    throw TrialError("torchscript: epoch " + std::to_string(next_epoch) + " failed in " +
                     module_path_ + ": " + e.what());
  }
  epoch_ = next_epoch;
  return result;
}

void TorchScriptTrainer::save_checkpoint(const std::string& path) const {
  CheckpointWriter writer(path);
  try {
    tc::put_header(writer, kTorchScriptModelName, epoch_, seed_, dataset_description_,
                   hyperparameters_);
    writer.put_string("module", module_description_);
    writer.put_string("loss", loss_ == LossKind::Mse ? "mse" : "cross_entropy");
    tc::put_named(writer, "params", named_parameters(module_));
    tc::put_named(writer, "buffers", named_buffers(module_));
    tc::put_optimizer(writer, "optimizer/torch_archive", *optimizer_);
    tc::put_tensor(writer, "rng/generator_state", generator_.get_state());
    tc::put_tensor(writer, "rng/torch_cpu_state", global_cpu_state_);
    if (global_cuda_state_.defined()) {
      tc::put_tensor(writer, "rng/torch_cuda_state", global_cuda_state_);
    }
  } catch (const c10::Error& e) {
    throw CheckpointError("checkpoint " + path + ": " + e.what_without_backtrace());
  }
  writer.commit();
}

void TorchScriptTrainer::load_checkpoint(const std::string& path) {
  const CheckpointReader reader(path);
  // Check and read everything first; the trainer changes only once all of it is good.
  const int epoch =
      tc::check_header(reader, kTorchScriptModelName, dataset_description_, hyperparameters_);
  const std::string module_in_file =
      reader.has("module") ? reader.get_string("module") : std::string("none named");
  if (module_in_file != module_description_) {
    tc::refuse(path, "was trained with another module (" + module_in_file + "), not with " +
                         module_description_);
  }
  const std::string loss_here = loss_ == LossKind::Mse ? "mse" : "cross_entropy";
  const std::string loss_in_file =
      reader.has("loss") ? reader.get_string("loss") : std::string("none named");
  if (loss_in_file != loss_here) {
    tc::refuse(path, "was trained with loss " + loss_in_file + ", not " + loss_here);
  }
  const tc::NamedTensors params = named_parameters(module_);
  const tc::NamedTensors buffers = named_buffers(module_);
  const auto param_values = tc::read_named(reader, "params", "parameter", params);
  const auto buffer_values = tc::read_named(reader, "buffers", "buffer", buffers);

  // The optimizer's state refers to the parameters: it is loaded into a fresh optimizer
  // over them, with its tensors placed on this trainer's device.
  const c10::DeviceGuard device_guard(device_);
  std::unique_ptr<torch::optim::Optimizer> optimizer = make_optimizer();
  tc::load_optimizer(reader, path, "optimizer/torch_archive", device_, *optimizer);
  at::Generator generator = tc::read_generator(reader, path, "rng/generator_state", seed_);
  // Checked on a generator of its own, as the global one will take it.
  const torch::Tensor global_cpu_state =
      tc::read_generator(reader, path, "rng/torch_cpu_state", seed_).get_state();
  torch::Tensor global_cuda_state = global_cuda_state_;
  if (device_.is_cuda() && global_cuda_state_.defined() && reader.has("rng/torch_cuda_state")) {
    const ArrayData array = reader.get_array("rng/torch_cuda_state");
    if (array.dtype != DType::UInt8) tc::refuse(path, "rng/torch_cuda_state is not uint8");
    global_cuda_state = tc::from_array(array);
  }

  // Commit: nothing below can fail for a reason the file decides.
  {
    torch::NoGradGuard no_grad;
    for (std::size_t i = 0; i < params.size(); ++i) params[i].second.copy_(param_values[i]);
    for (std::size_t i = 0; i < buffers.size(); ++i) buffers[i].second.copy_(buffer_values[i]);
  }
  optimizer_ = std::move(optimizer);
  generator_ = std::move(generator);
  global_cpu_state_ = global_cpu_state;
  global_cuda_state_ = global_cuda_state;
  epoch_ = epoch;
}

std::unique_ptr<Trainer> make_torchscript_trainer(const TrainingSpec& spec,
                                                  const HyperParameters& hp, std::uint64_t seed,
                                                  int max_epochs) {
  return std::make_unique<TorchScriptTrainer>(spec, hp, seed, resolve_torch_device(spec.device),
                                              spec.threads_per_worker, max_epochs);
}

void check_torchscript_job(const JobConfig& job, const std::string& device) {
  const TorchScriptTrainer probe(job.training, {}, 0, resolve_torch_device(device),
                                 job.training.threads_per_worker, job.max_resource);
}

}  // namespace rung
