// The 3-layer fully connected network of the AWS seed experiment (input -> units -> units ->
// 1 logit, ReLU) and its trainer: Adam, binary cross-entropy on logits, exact checkpoints.
// Torch types; include only where torch is wanted (mlp.cpp, tests). Others use
// mlp_trainer.hpp.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>

#include "rung/train/mlp_trainer.hpp"

namespace rung {

class MlpImpl : public torch::nn::Module {
 public:
  MlpImpl(std::int64_t inputs, std::int64_t units);

  // [n, inputs] -> [n] logits.
  torch::Tensor forward(const torch::Tensor& x);

  // PyTorch's default Linear initialisation (Kaiming-uniform with a = sqrt(5): weights and
  // biases uniform in +-1/sqrt(fan_in)), but drawn from `generator` rather than the global
  // one, so that trainers in threads of one process neither share nor disturb a stream.
  void reset_parameters(at::Generator& generator);

 private:
  torch::nn::Linear fc1_{nullptr};
  torch::nn::Linear fc2_{nullptr};
  torch::nn::Linear fc3_{nullptr};
};
TORCH_MODULE(Mlp);

// Trains an Mlp on a TabularDataset. Everything random (initial weights, the per-epoch
// shuffle) comes from the trainer's own CPU generator seeded with `seed`; its state is part
// of the checkpoint, so 2 epochs + save + load + 2 epochs equals 4 epochs straight, to the bit
// (on the CPU, with the same number of threads).
class MlpTrainer final : public Trainer {
 public:
  MlpTrainer(std::shared_ptr<const TabularDataset> data, std::string dataset_description,
             const HyperParameters& hp, std::uint64_t seed, torch::Device device, int threads);

  [[nodiscard]] EpochResult train_epoch() override;
  [[nodiscard]] int epoch() const override { return epoch_; }
  void save_checkpoint(const std::string& path) const override;
  // Also refuses a checkpoint of another model, data set or hyperparameters, or one with a
  // missing, extra or differently shaped parameter. On any refusal the trainer is unchanged.
  void load_checkpoint(const std::string& path) override;

  [[nodiscard]] const Mlp& model() const { return model_; }
  [[nodiscard]] const MlpOptions& options() const { return options_; }
  [[nodiscard]] const torch::Device& device() const { return device_; }

 private:
  [[nodiscard]] std::unique_ptr<torch::optim::Adam> make_optimizer() const;
  void set_threads() const;

  std::shared_ptr<const TabularDataset> data_;
  std::string dataset_description_;
  HyperParameters hyperparameters_;
  MlpOptions options_;
  std::uint64_t seed_;
  torch::Device device_;
  int threads_;
  at::Generator generator_;
  Mlp model_{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer_;
  torch::Tensor x_train_, y_train_, x_validation_, y_validation_;
  int epoch_ = 0;
};

}  // namespace rung
