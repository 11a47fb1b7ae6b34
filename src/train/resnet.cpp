// ResNet-20, its trainer and its checkpoint (module_checkpoint.hpp has the layout: SGD's
// momentum buffers are the optimizer archive; batch norm's running mean, variance and batch
// count are the buffers). Parameters and buffers are written from whatever device trains and
// copied onto whatever device resumes: a checkpoint written on cuda:1 loads on cuda:0 or on
// the CPU.
#include "rung/train/resnet.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>
#include <c10/core/DeviceGuard.h>
#include <torch/version.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <utility>

#include "rung/config/error.hpp"
#include "module_checkpoint.hpp"
#include "torch_device.hpp"

// LibTorch 2.4 replaced the per-device autocast switches by ones that take the device type;
// before 1.10 there is no CPU autocast (and no bf16 autocast at all), so rung refuses it.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define RUNG_AUTOCAST_BY_DEVICE_TYPE 1
#endif
#if TORCH_VERSION_MAJOR > 1 || (TORCH_VERSION_MAJOR == 1 && TORCH_VERSION_MINOR >= 10)
#define RUNG_HAVE_BF16_AUTOCAST 1
#endif

namespace rung {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

constexpr std::int64_t kCropPadding = 4;  // pad 4 + random crop back to the original size

[[noreturn]] void bad_hyperparameter(const std::string& name, const std::string& value,
                                     const std::string& rule) {
  throw InputError("hyperparameter \"" + name + "\" is " + value + "; " + rule);
}

bool get_bool_or(const HyperParameters& hp, const std::string& name, bool fallback) {
  const auto it = hp.find(name);
  if (it == hp.end()) return fallback;
  const std::string text = to_string(it->second);
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  bad_hyperparameter(name, text, "use true or false (or 1 or 0)");
}

// bf16 autocast for the forward pass, on the trainer's device, for the life of the guard.
// Autocast state is per thread, so trainers in threads of one process do not interfere.
class AutocastGuard {
 public:
  AutocastGuard(const torch::Device& device, bool enabled)
      : device_type_(device.type()), enabled_(enabled) {
    if (!enabled_) return;
#ifndef RUNG_HAVE_BF16_AUTOCAST
    throw InputError("hyperparameter \"autocast\" is bf16, but LibTorch " TORCH_VERSION
                     " has no bf16 autocast (it needs 1.10 or later); use off");
#elif defined(RUNG_AUTOCAST_BY_DEVICE_TYPE)
    was_enabled_ = at::autocast::is_autocast_enabled(device_type_);
    was_dtype_ = at::autocast::get_autocast_dtype(device_type_);
    at::autocast::set_autocast_dtype(device_type_, at::kBFloat16);
    at::autocast::set_autocast_enabled(device_type_, true);
#else
    if (device_type_ == torch::kCUDA) {
      was_enabled_ = at::autocast::is_enabled();
      was_dtype_ = at::autocast::get_autocast_gpu_dtype();
      at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
      at::autocast::set_enabled(true);
    } else {
      was_enabled_ = at::autocast::is_cpu_enabled();
      was_dtype_ = at::autocast::get_autocast_cpu_dtype();
      at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
      at::autocast::set_cpu_enabled(true);
    }
#endif
    at::autocast::increment_nesting();
  }
  ~AutocastGuard() {
    if (!enabled_) return;
    // Casts of the weights are cached while autocast is on; the last guard out drops them.
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
#ifndef RUNG_HAVE_BF16_AUTOCAST
#elif defined(RUNG_AUTOCAST_BY_DEVICE_TYPE)
    at::autocast::set_autocast_enabled(device_type_, was_enabled_);
    at::autocast::set_autocast_dtype(device_type_, was_dtype_);
#else
    if (device_type_ == torch::kCUDA) {
      at::autocast::set_enabled(was_enabled_);
      at::autocast::set_autocast_gpu_dtype(was_dtype_);
    } else {
      at::autocast::set_cpu_enabled(was_enabled_);
      at::autocast::set_autocast_cpu_dtype(was_dtype_);
    }
#endif
  }
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  torch::DeviceType device_type_;
  bool enabled_;
  bool was_enabled_ = false;
  at::ScalarType was_dtype_ = at::kBFloat16;
};

}  // namespace

// The data set's tensors on one device: uint8 pixels [n, c, h, w], int64 labels, and the
// normalisation as [1, c, 1, 1] float tensors.
struct ResNetTrainer::DeviceImages {
  torch::Tensor train_images, train_labels, test_images, test_labels, mean, stddev;
};

namespace {

torch::Tensor uint8_tensor(const std::vector<std::uint8_t>& bytes, std::vector<std::int64_t> shape,
                           const torch::Device& device) {
  // from_blob does not copy; clone() does, so the tensor owns its memory.
  return torch::from_blob(const_cast<std::uint8_t*>(bytes.data()), shape, torch::kByte)
      .clone()
      .to(device);
}

// One copy per process, data set and device: every trainer on that device shares it.
std::shared_ptr<const ResNetTrainer::DeviceImages> shared_device_images(
    const std::shared_ptr<const ImageDataset>& data, const std::string& description,
    const torch::Device& device) {
  static std::mutex mutex;
  // Kept for the life of the process: the next trial on this device finds the images there.
  static std::map<std::string, std::shared_ptr<const ResNetTrainer::DeviceImages>> cache;
  const std::string key = description + " device=" + device.str();
  const std::lock_guard<std::mutex> lock(mutex);
  if (const auto it = cache.find(key); it != cache.end()) return it->second;
  auto images = std::make_shared<ResNetTrainer::DeviceImages>();
  const std::vector<std::int64_t> image_shape{data->channels, data->height, data->width};
  auto shape_of = [&](std::int64_t n) {
    std::vector<std::int64_t> shape{n};
    shape.insert(shape.end(), image_shape.begin(), image_shape.end());
    return shape;
  };
  images->train_images = uint8_tensor(data->train_images, shape_of(data->train_size()), device);
  images->test_images = uint8_tensor(data->test_images, shape_of(data->test_size()), device);
  images->train_labels =
      uint8_tensor(data->train_labels, {data->train_size()}, device).to(torch::kLong);
  images->test_labels =
      uint8_tensor(data->test_labels, {data->test_size()}, device).to(torch::kLong);
  auto channel_tensor = [&](const std::vector<double>& values) {
    return torch::tensor(values, torch::kDouble)
        .to(torch::kFloat)
        .view({1, data->channels, 1, 1})
        .to(device);
  };
  images->mean = channel_tensor(data->mean);
  images->stddev = channel_tensor(data->stddev);
  cache[key] = images;
  return images;
}

// Pad by 4 with zeros, crop back to h x w at per-image offsets (0..8 each way), and flip
// horizontally where `flips` is 1: one gather on the device, still uint8.
torch::Tensor crop_and_flip(const torch::Tensor& images, const torch::Tensor& offsets,
                            const torch::Tensor& flips) {
  const std::int64_t n = images.size(0);
  const std::int64_t c = images.size(1);
  const std::int64_t h = images.size(2);
  const std::int64_t w = images.size(3);
  const std::int64_t padded_w = w + 2 * kCropPadding;
  const torch::Tensor padded =
      torch::constant_pad_nd(images, {kCropPadding, kCropPadding, kCropPadding, kCropPadding}, 0);
  const auto long_options = torch::TensorOptions(torch::kLong).device(images.device());
  const torch::Tensor row_steps = torch::arange(h, long_options);
  const torch::Tensor col_steps = torch::arange(w, long_options);
  const torch::Tensor rows = offsets.select(1, 0).unsqueeze(1) + row_steps;  // [n, h]
  const torch::Tensor flipped_cols = torch::where(
      flips.unsqueeze(1).eq(1), (w - 1) - col_steps.unsqueeze(0), col_steps.unsqueeze(0));
  const torch::Tensor cols = offsets.select(1, 1).unsqueeze(1) + flipped_cols;  // [n, w]
  const torch::Tensor flat = (rows.unsqueeze(2) * padded_w + cols.unsqueeze(1)).view({n, 1, h * w});
  return padded.flatten(2).gather(2, flat.expand({n, c, h * w})).view({n, c, h, w});
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Options and schedule

ResNetOptions ResNetOptions::from(const HyperParameters& hp) {
  ResNetOptions o;
  o.batch_size = get_int_or(hp, "batch_size", o.batch_size);
  o.learning_rate = get_double_or(hp, "learning_rate", o.learning_rate);
  o.momentum = get_double_or(hp, "momentum", o.momentum);
  o.weight_decay = get_double_or(hp, "weight_decay", o.weight_decay);
  o.eval_batch_size = get_int_or(hp, "eval_batch_size", o.eval_batch_size);
  o.channels_last = get_bool_or(hp, "channels_last", o.channels_last);
  LrScheduleOptions schedule{o.learning_rate, o.schedule, o.warmup_epochs};
  schedule.read(hp);  // lr_schedule and warmup_epochs
  o.schedule = schedule.schedule;
  o.warmup_epochs = schedule.warmup_epochs;
  if (hp.count("autocast")) {
    const std::string a = to_string(hp.at("autocast"));
    if (a == "off") {
      o.autocast = Autocast::Off;
    } else if (a == "bf16") {
#ifndef RUNG_HAVE_BF16_AUTOCAST
      bad_hyperparameter("autocast", a,
                         "LibTorch " TORCH_VERSION
                         " has no bf16 autocast (it needs 1.10 or later); use off");
#endif
      o.autocast = Autocast::BFloat16;
    } else {
      bad_hyperparameter("autocast", a, "use off or bf16");
    }
  }
  if (o.batch_size < 2) {
    bad_hyperparameter("batch_size", std::to_string(o.batch_size),
                       "batch norm needs at least 2 images per batch");
  }
  if (o.eval_batch_size < 1) {
    bad_hyperparameter("eval_batch_size", std::to_string(o.eval_batch_size), "it must be >= 1");
  }
  if (!(o.learning_rate > 0.0) || !std::isfinite(o.learning_rate)) {
    bad_hyperparameter("learning_rate", to_string(ParamValue(o.learning_rate)),
                       "SGD needs a finite learning rate > 0");
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

double scheduled_learning_rate(const ResNetOptions& options, int epoch, std::int64_t step,
                               std::int64_t steps_per_epoch, int max_epochs) {
  return scheduled_learning_rate(
      LrScheduleOptions{options.learning_rate, options.schedule, options.warmup_epochs}, epoch,
      step, steps_per_epoch, max_epochs);
}

// ---------------------------------------------------------------------------------------------
// Model

BasicBlockImpl::BasicBlockImpl(std::int64_t in_channels, std::int64_t out_channels,
                               std::int64_t stride)
    : pad_channels_((out_channels - in_channels) / 2),
      stride_(stride),
      conv1_(register_module(
          "conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, 3)
                                         .stride(stride)
                                         .padding(1)
                                         .bias(false)))),
      bn1_(register_module("bn1", torch::nn::BatchNorm2d(out_channels))),
      conv2_(register_module(
          "conv2",
          torch::nn::Conv2d(
              torch::nn::Conv2dOptions(out_channels, out_channels, 3).padding(1).bias(false)))),
      bn2_(register_module("bn2", torch::nn::BatchNorm2d(out_channels))) {}

torch::Tensor BasicBlockImpl::forward(const torch::Tensor& x) {
  torch::Tensor out = torch::relu(bn1_->forward(conv1_->forward(x)));
  out = bn2_->forward(conv2_->forward(out));
  torch::Tensor shortcut = x;
  if (stride_ != 1 || pad_channels_ != 0) {
    // Option A: every second pixel, and zero channels on both sides.
    shortcut = x.slice(2, 0, x.size(2), stride_).slice(3, 0, x.size(3), stride_);
    shortcut = torch::constant_pad_nd(shortcut, {0, 0, 0, 0, pad_channels_, pad_channels_}, 0);
  }
  return torch::relu(out + shortcut);
}

ResNet20Impl::ResNet20Impl(std::int64_t in_channels, std::int64_t classes)
    : conv_(register_module(
          "conv",
          torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, 16, 3).padding(1).bias(false)))),
      bn_(register_module("bn", torch::nn::BatchNorm2d(16))),
      stages_(register_module("stages", torch::nn::Sequential())),
      fc_(register_module("fc", torch::nn::Linear(64, classes))) {
  std::int64_t channels = 16;
  for (const std::int64_t width : {16, 32, 64}) {
    for (int block = 0; block < 3; ++block) {
      const std::int64_t stride = (block == 0 && width != 16) ? 2 : 1;
      stages_->push_back(BasicBlock(channels, width, stride));
      channels = width;
    }
  }
}

torch::Tensor ResNet20Impl::forward(const torch::Tensor& x) {
  torch::Tensor h = torch::relu(bn_->forward(conv_->forward(x)));
  h = stages_->forward(h);
  h = torch::adaptive_avg_pool2d(h, {1, 1}).flatten(1);
  return fc_->forward(h);
}

void ResNet20Impl::reset_parameters(at::Generator& generator) {
  torch::NoGradGuard no_grad;
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* conv = module->as<torch::nn::Conv2d>()) {
      const double fan_in = static_cast<double>(conv->weight[0].numel());
      conv->weight.normal_(0.0, std::sqrt(2.0 / fan_in), generator);
    } else if (auto* bn = module->as<torch::nn::BatchNorm2d>()) {
      bn->weight.fill_(1.0);
      bn->bias.zero_();
    } else if (auto* linear = module->as<torch::nn::Linear>()) {
      const double bound = 1.0 / std::sqrt(static_cast<double>(linear->weight.size(1)));
      linear->weight.uniform_(-bound, bound, generator);
      linear->bias.uniform_(-bound, bound, generator);
    }
  }
}

std::int64_t parameter_count(const torch::nn::Module& model) {
  std::int64_t n = 0;
  for (const auto& p : model.parameters()) n += p.numel();
  return n;
}

// ---------------------------------------------------------------------------------------------
// Trainer

ResNetTrainer::ResNetTrainer(std::shared_ptr<const ImageDataset> data,
                             std::string dataset_description, const HyperParameters& hp,
                             std::uint64_t seed, torch::Device device, int threads, int max_epochs)
    : data_(std::move(data)),
      dataset_description_(std::move(dataset_description)),
      hyperparameters_(hp),
      options_(ResNetOptions::from(hp)),
      seed_(seed),
      device_(device),
      threads_(threads),
      max_epochs_(max_epochs),
      generator_(at::make_generator<at::CPUGeneratorImpl>(seed)) {
  if (!data_ || data_->train_size() < 2 || data_->test_size() == 0) {
    throw InputError("resnet20 needs a data set with at least 2 training and 1 test image");
  }
  if (max_epochs_ < 1) throw InputError("resnet20: MaxResource must be >= 1 epoch");
  // The rank's device is also the current one, so nothing lands on (or opens a context on)
  // another GPU by default.
  const c10::DeviceGuard device_guard(device_);
  set_threads();
  // Built and initialised on the CPU from our generator, then moved.
  model_ = ResNet20(data_->channels, kImageClasses);
  model_->reset_parameters(generator_);
  model_->to(device_);
  if (options_.channels_last) {
    torch::NoGradGuard no_grad;
    for (auto& p : model_->parameters()) {
      if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
    }
  }
  optimizer_ = make_optimizer();
  images_ = shared_device_images(data_, dataset_description_, device_);
}

void ResNetTrainer::set_threads() const {
  if (threads_ > 0 && torch::get_num_threads() != threads_) torch::set_num_threads(threads_);
}

std::unique_ptr<torch::optim::SGD> ResNetTrainer::make_optimizer() const {
  return std::make_unique<torch::optim::SGD>(model_->parameters(),
                                             torch::optim::SGDOptions(options_.learning_rate)
                                                 .momentum(options_.momentum)
                                                 .weight_decay(options_.weight_decay)
                                                 .nesterov(false));
}

torch::Tensor ResNetTrainer::normalise(const torch::Tensor& images) const {
  torch::Tensor x = images.to(torch::kFloat).div_(255.0).sub_(images_->mean).div_(images_->stddev);
  if (options_.channels_last) x = x.contiguous(at::MemoryFormat::ChannelsLast);
  return x;
}

EpochResult ResNetTrainer::train_epoch() {
  EpochResult result;
  const int next_epoch = epoch_ + 1;
  const bool bf16 = options_.autocast == Autocast::BFloat16;
  try {
    const c10::DeviceGuard device_guard(device_);
    set_threads();
    const auto train_start = Clock::now();
    model_->train();
    const std::int64_t n = images_->train_images.size(0);
    // Everything random is drawn on the CPU from our generator (a few hundred kB per epoch)
    // and moved once: the same stream on any device, and a checkpointable state.
    const auto cpu_long = torch::TensorOptions(torch::kLong);
    const torch::Tensor order = torch::randperm(n, generator_, cpu_long).to(device_);
    const torch::Tensor offsets =
        torch::randint(0, 2 * kCropPadding + 1, {n, 2}, generator_, cpu_long).to(device_);
    const torch::Tensor flips = torch::randint(0, 2, {n}, generator_, cpu_long).to(device_);
    const std::int64_t batch = options_.batch_size;
    const std::int64_t steps = (n + batch - 1) / batch;
    // The epoch's loss is summed on the device and read once: no per-batch synchronisation.
    torch::Tensor loss_sum = torch::zeros({}, torch::TensorOptions(torch::kDouble).device(device_));
    std::int64_t trained = 0;
    for (std::int64_t step = 0; step < steps; ++step) {
      const std::int64_t start = step * batch;
      const std::int64_t end = std::min(n, start + batch);
      if (end - start < 2) break;  // batch norm cannot train on a single image
      const torch::Tensor index = order.slice(0, start, end);
      const torch::Tensor x =
          normalise(crop_and_flip(images_->train_images.index_select(0, index),
                                  offsets.index_select(0, index), flips.index_select(0, index)));
      const torch::Tensor y = images_->train_labels.index_select(0, index);
      const double rate = scheduled_learning_rate(options_, epoch_, step, steps, max_epochs_);
      for (auto& group : optimizer_->param_groups()) {
        static_cast<torch::optim::SGDOptions&>(group.options()).lr(rate);
      }
      optimizer_->zero_grad();
      torch::Tensor loss;
      {
        const AutocastGuard autocast(device_, bf16);
        loss = torch::nn::functional::cross_entropy(model_->forward(x).to(torch::kFloat), y);
      }
      loss.backward();
      optimizer_->step();
      loss_sum += loss.detach().to(torch::kDouble) * static_cast<double>(end - start);
      trained += end - start;
    }
    const double train_loss = loss_sum.item<double>() / static_cast<double>(trained);
    result.train_time_s = seconds_since(train_start);
    if (!std::isfinite(train_loss)) {
      throw TrialError("resnet20: training loss is " + std::to_string(train_loss) + " in epoch " +
                       std::to_string(next_epoch) + " (learning_rate " +
                       to_string(ParamValue(options_.learning_rate)) + ", weight_decay " +
                       to_string(ParamValue(options_.weight_decay)) + ")");
    }

    const auto eval_start = Clock::now();
    model_->eval();
    torch::NoGradGuard no_grad;
    const std::int64_t m = images_->test_images.size(0);
    torch::Tensor eval_loss =
        torch::zeros({}, torch::TensorOptions(torch::kDouble).device(device_));
    torch::Tensor correct = torch::zeros({}, torch::TensorOptions(torch::kLong).device(device_));
    for (std::int64_t start = 0; start < m; start += options_.eval_batch_size) {
      const std::int64_t end = std::min(m, start + options_.eval_batch_size);
      const torch::Tensor x = normalise(images_->test_images.slice(0, start, end));
      const torch::Tensor y = images_->test_labels.slice(0, start, end);
      torch::Tensor logits;
      {
        const AutocastGuard autocast(device_, bf16);
        logits = model_->forward(x).to(torch::kFloat);
      }
      eval_loss +=
          torch::nn::functional::cross_entropy(
              logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
              .to(torch::kDouble);
      correct += logits.argmax(1).eq(y).sum();
    }
    const double validation_loss = eval_loss.item<double>() / static_cast<double>(m);
    const double accuracy =
        static_cast<double>(correct.item<std::int64_t>()) / static_cast<double>(m);
    result.eval_time_s = seconds_since(eval_start);
    if (!std::isfinite(validation_loss)) {
      throw TrialError("resnet20: validation loss is " + std::to_string(validation_loss) +
                       " in epoch " + std::to_string(next_epoch));
    }
    result.metrics["train:loss"] = train_loss;
    result.metrics["validation:loss"] = validation_loss;
    result.metrics["validation:accuracy"] = accuracy;
  } catch (const c10::Error& e) {
    throw TrialError("resnet20: epoch " + std::to_string(next_epoch) +
                     " failed in LibTorch: " + e.what_without_backtrace());
  }
  epoch_ = next_epoch;
  return result;
}

void ResNetTrainer::save_checkpoint(const std::string& path) const {
  const module_checkpoint::Identity identity{kResNet20ModelName, seed_, dataset_description_,
                                             hyperparameters_};
  module_checkpoint::save(path, identity, epoch_, *model_, *optimizer_, generator_);
}

void ResNetTrainer::load_checkpoint(const std::string& path) {
  const module_checkpoint::Identity identity{kResNet20ModelName, seed_, dataset_description_,
                                             hyperparameters_};
  // The optimizer's state refers to the parameters: it is loaded into a fresh optimizer
  // over them, with the momentum buffers placed on this trainer's device.
  const c10::DeviceGuard device_guard(device_);
  std::unique_ptr<torch::optim::SGD> optimizer = make_optimizer();
  module_checkpoint::State state =
      module_checkpoint::read(path, identity, *model_, *optimizer, device_);
  // Everything read and checked: nothing below can fail for a reason the file decides.
  module_checkpoint::apply(state, *model_);
  optimizer_ = std::move(optimizer);
  generator_ = std::move(state.generator);
  epoch_ = state.epoch;
}

std::unique_ptr<Trainer> make_resnet20_trainer(std::shared_ptr<const ImageDataset> data,
                                               std::string dataset_description,
                                               const HyperParameters& hp, std::uint64_t seed,
                                               const std::string& device, int threads,
                                               int max_epochs) {
  return std::make_unique<ResNetTrainer>(std::move(data), std::move(dataset_description), hp, seed,
                                         resolve_torch_device(device), threads, max_epochs);
}

}  // namespace rung
