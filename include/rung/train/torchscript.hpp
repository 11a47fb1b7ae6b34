// The TorchScript trainer: the user's scripted module on rung's training loop. Torch types;
// include only where torch is wanted (torchscript.cpp, tests). Others use
// torchscript_trainer.hpp.
//
// Each epoch: a permutation of the training samples from the trainer's own CPU generator
// (seeded with the trial's seed), batches of batch_size (a last batch of a single sample is
// skipped: batch norm cannot train on one), the learning rate of every step from the
// schedule, forward, loss, backward, optimizer step; then the validation split in
// eval_batch_size chunks, in eval mode, without gradients. Reports train:loss and
// validation:loss (the mean over target elements), and for cross_entropy validation:accuracy
// (argmax over dimension 1 equals the class id).
//
// Randomness inside the module (dropout, rand*, bernoulli, ...) draws from LibTorch's global
// generators. When the module's forward graph holds such an operation, the trainer keeps its
// own copy of the global generators' state (seeded from the trial's seed), swaps it in for
// each epoch and out again after it, and holds a process-wide lock meanwhile: trials of one
// process (worker threads) then train such modules one epoch at a time, and each trial's
// stream is its own, so resume is exact. Modules without random operations train unlocked.
#pragma once

#include <torch/script.h>
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>

#include "rung/train/torchscript_trainer.hpp"

namespace rung {

enum class LossKind { CrossEntropy, Mse };

class TorchScriptTrainer final : public Trainer {
 public:
  // `threads` > 0 sets torch's intra-op threads before every epoch.
  TorchScriptTrainer(const TrainingSpec& spec, const HyperParameters& hp, std::uint64_t seed,
                     torch::Device device, int threads, int max_epochs);
  ~TorchScriptTrainer() override;

  [[nodiscard]] EpochResult train_epoch() override;
  [[nodiscard]] int epoch() const override { return epoch_; }
  void save_checkpoint(const std::string& path) const override;
  // Loads onto this trainer's device. Refuses a checkpoint of another model, module file,
  // loss, data set or hyperparameters, or with missing, extra or differently shaped
  // parameters or buffers; on any refusal the trainer is unchanged.
  void load_checkpoint(const std::string& path) override;

  [[nodiscard]] const torch::jit::script::Module& module() const { return module_; }
  [[nodiscard]] const TorchScriptOptions& options() const { return options_; }
  [[nodiscard]] const torch::Device& device() const { return device_; }
  // Whether the module's forward draws random numbers (see above).
  [[nodiscard]] bool uses_global_rng() const { return uses_global_rng_; }
  // The module file's description stored in checkpoints: path, size and FNV-1a hash.
  [[nodiscard]] const std::string& module_description() const { return module_description_; }

  struct DeviceData;  // the data set's tensors on one device (torchscript.cpp)

 private:
  [[nodiscard]] std::unique_ptr<torch::optim::Optimizer> make_optimizer() const;
  [[nodiscard]] torch::Tensor inputs(const torch::Tensor& x) const;
  [[nodiscard]] torch::Tensor forward(const torch::Tensor& x);
  [[nodiscard]] torch::Tensor loss(const torch::Tensor& output, const torch::Tensor& target,
                                   bool sum) const;
  void check_output_fits_targets();
  template <class F>
  void with_global_rng(F&& f);
  void set_threads() const;

  std::string module_path_;
  std::string module_description_;
  std::string dataset_description_;
  LossKind loss_;
  HyperParameters hyperparameters_;
  TorchScriptOptions options_;
  std::uint64_t seed_;
  torch::Device device_;
  int threads_;
  int max_epochs_;
  at::Generator generator_;  // the shuffle
  bool uses_global_rng_ = false;
  // The trial's own state of LibTorch's global generators (CPU, and the device's when it is
  // a GPU), swapped in while it trains a module that draws random numbers.
  torch::Tensor global_cpu_state_;
  torch::Tensor global_cuda_state_;
  torch::jit::script::Module module_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::shared_ptr<const DeviceData> data_;
  int epoch_ = 0;
};

}  // namespace rung
