// The MLP, its trainer and its checkpoint (module_checkpoint.hpp has the layout: Adam's state,
// step, exp_avg and exp_avg_sq per parameter, is the optimizer archive; the MLP has no buffers).
#include "rung/train/mlp.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cmath>
#include <utility>

#include "rung/config/error.hpp"
#include "module_checkpoint.hpp"
#include "torch_device.hpp"

namespace rung {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

constexpr std::int64_t kEvalChunk = 8192;

torch::Tensor to_tensor(const std::vector<float>& values, std::int64_t rows, std::int64_t cols,
                        const torch::Device& device) {
  std::vector<std::int64_t> shape{rows};
  if (cols > 0) shape.push_back(cols);
  // from_blob does not copy; clone() does, so the tensor owns its memory.
  auto tensor = torch::from_blob(const_cast<float*>(values.data()), shape, torch::kFloat).clone();
  return tensor.to(device);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Options

MlpOptions MlpOptions::from(const HyperParameters& hp) {
  MlpOptions o;
  o.units = get_int_or(hp, "units", o.units);
  o.learning_rate = get_double_or(hp, "learning_rate", o.learning_rate);
  o.l2 = get_double_or(hp, "l2", o.l2);
  o.batch_size = get_int_or(hp, "batch_size", o.batch_size);
  if (o.units < 1) {
    throw InputError("hyperparameter \"units\" is " + std::to_string(o.units) +
                     "; the MLP needs at least 1 unit per hidden layer (typically 10..1000)");
  }
  if (o.batch_size < 1) {
    throw InputError("hyperparameter \"batch_size\" is " + std::to_string(o.batch_size) +
                     "; it must be >= 1");
  }
  if (!(o.learning_rate > 0.0) || !std::isfinite(o.learning_rate)) {
    throw InputError("hyperparameter \"learning_rate\" is " +
                     to_string(ParamValue(o.learning_rate)) +
                     "; Adam needs a finite learning rate > 0");
  }
  if (!(o.l2 >= 0.0) || !std::isfinite(o.l2)) {
    throw InputError("hyperparameter \"l2\" is " + to_string(ParamValue(o.l2)) +
                     "; the L2 regularisation must be finite and >= 0");
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Model

MlpImpl::MlpImpl(std::int64_t inputs, std::int64_t units)
    : fc1_(register_module("fc1", torch::nn::Linear(inputs, units))),
      fc2_(register_module("fc2", torch::nn::Linear(units, units))),
      fc3_(register_module("fc3", torch::nn::Linear(units, 1))) {}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = torch::relu(fc1_->forward(x));
  h = torch::relu(fc2_->forward(h));
  return fc3_->forward(h).squeeze(-1);
}

void MlpImpl::reset_parameters(at::Generator& generator) {
  torch::NoGradGuard no_grad;
  for (auto* layer : {&fc1_, &fc2_, &fc3_}) {
    const double bound = 1.0 / std::sqrt(static_cast<double>((*layer)->weight.size(1)));
    (*layer)->weight.uniform_(-bound, bound, generator);
    (*layer)->bias.uniform_(-bound, bound, generator);
  }
}

// ---------------------------------------------------------------------------------------------
// Trainer

MlpTrainer::MlpTrainer(std::shared_ptr<const TabularDataset> data, std::string dataset_description,
                       const HyperParameters& hp, std::uint64_t seed, torch::Device device,
                       int threads)
    : data_(std::move(data)),
      dataset_description_(std::move(dataset_description)),
      hyperparameters_(hp),
      options_(MlpOptions::from(hp)),
      seed_(seed),
      device_(device),
      threads_(threads),
      generator_(at::make_generator<at::CPUGeneratorImpl>(seed)) {
  if (!data_ || data_->train_size() == 0 || data_->validation_size() == 0) {
    throw InputError("the MLP needs a data set with training and validation samples");
  }
  set_threads();
  // Built and initialised on the CPU from our generator, then moved.
  model_ = Mlp(data_->features, options_.units);
  model_->reset_parameters(generator_);
  model_->to(device_);
  optimizer_ = make_optimizer();
  const std::int64_t d = data_->features;
  x_train_ = to_tensor(data_->x_train, data_->train_size(), d, device_);
  y_train_ = to_tensor(data_->y_train, data_->train_size(), 0, device_);
  x_validation_ = to_tensor(data_->x_validation, data_->validation_size(), d, device_);
  y_validation_ = to_tensor(data_->y_validation, data_->validation_size(), 0, device_);
}

// torch's intra-op thread count is a per-thread setting (OpenMP): set it in whichever thread
// trains, and only when it differs (setting it rebuilds thread pools).
void MlpTrainer::set_threads() const {
  if (threads_ > 0 && torch::get_num_threads() != threads_) torch::set_num_threads(threads_);
}

std::unique_ptr<torch::optim::Adam> MlpTrainer::make_optimizer() const {
  return std::make_unique<torch::optim::Adam>(
      model_->parameters(),
      torch::optim::AdamOptions(options_.learning_rate).weight_decay(options_.l2));
}

EpochResult MlpTrainer::train_epoch() {
  EpochResult result;
  const int next_epoch = epoch_ + 1;
  try {
    set_threads();
    const auto train_start = Clock::now();
    model_->train();
    const std::int64_t n = x_train_.size(0);
    const torch::Tensor order = torch::randperm(n, generator_, torch::TensorOptions(torch::kLong));
    // The epoch's loss is summed on the device and read once: no per-batch synchronisation.
    torch::Tensor loss_sum = torch::zeros({}, torch::TensorOptions(torch::kDouble).device(device_));
    for (std::int64_t start = 0; start < n; start += options_.batch_size) {
      const std::int64_t end = std::min(n, start + options_.batch_size);
      const torch::Tensor index = order.slice(0, start, end).to(device_);
      const torch::Tensor x = x_train_.index_select(0, index);
      const torch::Tensor y = y_train_.index_select(0, index);
      optimizer_->zero_grad();
      const torch::Tensor loss = torch::binary_cross_entropy_with_logits(model_->forward(x), y);
      loss.backward();
      optimizer_->step();
      loss_sum += loss.detach().to(torch::kDouble) * static_cast<double>(end - start);
    }
    const double train_loss = loss_sum.item<double>() / static_cast<double>(n);
    result.train_time_s = seconds_since(train_start);
    if (!std::isfinite(train_loss)) {
      throw TrialError("mlp: training loss is " + std::to_string(train_loss) + " in epoch " +
                       std::to_string(next_epoch) + " (learning_rate " +
                       to_string(ParamValue(options_.learning_rate)) + ")");
    }

    const auto eval_start = Clock::now();
    model_->eval();
    torch::NoGradGuard no_grad;
    const std::int64_t m = x_validation_.size(0);
    double eval_loss = 0.0;
    std::int64_t correct = 0;
    for (std::int64_t start = 0; start < m; start += kEvalChunk) {
      const std::int64_t end = std::min(m, start + kEvalChunk);
      const torch::Tensor logits = model_->forward(x_validation_.slice(0, start, end));
      const torch::Tensor y = y_validation_.slice(0, start, end);
      eval_loss += torch::binary_cross_entropy_with_logits(logits, y, {}, {}, at::Reduction::Sum)
                       .item<double>();
      correct += (logits.gt(0.0) == y.gt(0.5)).sum().item<std::int64_t>();
    }
    eval_loss /= static_cast<double>(m);
    result.eval_time_s = seconds_since(eval_start);
    if (!std::isfinite(eval_loss)) {
      throw TrialError("mlp: validation loss is " + std::to_string(eval_loss) + " in epoch " +
                       std::to_string(next_epoch));
    }
    result.metrics["train:loss"] = train_loss;
    result.metrics["validation:loss"] = eval_loss;
    result.metrics["validation:accuracy"] = static_cast<double>(correct) / static_cast<double>(m);
  } catch (const c10::Error& e) {
    throw TrialError("mlp: epoch " + std::to_string(next_epoch) +
                     " failed in LibTorch: " + e.what_without_backtrace());
  }
  epoch_ = next_epoch;
  return result;
}

void MlpTrainer::save_checkpoint(const std::string& path) const {
  const module_checkpoint::Identity identity{kMlpModelName, seed_, dataset_description_,
                                             hyperparameters_};
  module_checkpoint::save(path, identity, epoch_, *model_, *optimizer_, generator_);
}

void MlpTrainer::load_checkpoint(const std::string& path) {
  const module_checkpoint::Identity identity{kMlpModelName, seed_, dataset_description_,
                                             hyperparameters_};
  std::unique_ptr<torch::optim::Adam> optimizer = make_optimizer();
  module_checkpoint::State state =
      module_checkpoint::read(path, identity, *model_, *optimizer, device_);
  // Everything read and checked: nothing below can fail for a reason the file decides.
  module_checkpoint::apply(state, *model_);
  optimizer_ = std::move(optimizer);
  generator_ = std::move(state.generator);
  epoch_ = state.epoch;
}

std::unique_ptr<Trainer> make_mlp_trainer(std::shared_ptr<const TabularDataset> data,
                                          std::string dataset_description,
                                          const HyperParameters& hp, std::uint64_t seed,
                                          const std::string& device, int threads) {
  return std::make_unique<MlpTrainer>(std::move(data), std::move(dataset_description), hp, seed,
                                      resolve_torch_device(device), threads);
}

}  // namespace rung
