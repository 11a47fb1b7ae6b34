// ResNet-20 for 32x32 images (He et al. 2016, section 4.2: the CIFAR-10 network) and its
// trainer. Torch types; include only where torch is wanted (resnet.cpp, tests). Others use
// resnet_trainer.hpp.
//
// The network: a 3x3 convolution to 16 channels, then three stages of three basic blocks
// (two 3x3 convolutions with batch norm, ReLU) at 16, 32 and 64 channels and 32, 16 and 8
// pixels a side, global average pooling and a linear layer to 10 classes. Where a stage
// halves the size and doubles the channels, the shortcut is the paper's option A: the
// identity, subsampled by 2 and zero-padded in channels, which adds no parameters (269,722
// for 3 input channels: the paper's 0.27 M).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>

#include "rung/train/resnet_trainer.hpp"

namespace rung {

class BasicBlockImpl : public torch::nn::Module {
 public:
  BasicBlockImpl(std::int64_t in_channels, std::int64_t out_channels, std::int64_t stride);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  std::int64_t pad_channels_;  // option A: zero channels added on each side of the shortcut
  std::int64_t stride_;
  torch::nn::Conv2d conv1_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr};
  torch::nn::Conv2d conv2_{nullptr};
  torch::nn::BatchNorm2d bn2_{nullptr};
};
TORCH_MODULE(BasicBlock);

class ResNet20Impl : public torch::nn::Module {
 public:
  ResNet20Impl(std::int64_t in_channels, std::int64_t classes);

  // [n, in_channels, 32, 32] -> [n, classes] logits.
  torch::Tensor forward(const torch::Tensor& x);

  // He et al.'s initialisation, drawn from `generator` (not the global one, so trainers in
  // threads of one process neither share nor disturb a stream): convolutions normal with
  // std sqrt(2 / fan_in); batch norm weight 1, bias 0; the linear layer PyTorch's default
  // (uniform in +-1/sqrt(fan_in)).
  void reset_parameters(at::Generator& generator);

  // The nine basic blocks, in order (for tests of the stage shapes).
  [[nodiscard]] const torch::nn::Sequential& blocks() const { return stages_; }

 private:
  torch::nn::Conv2d conv_{nullptr};
  torch::nn::BatchNorm2d bn_{nullptr};
  torch::nn::Sequential stages_{nullptr};
  torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(ResNet20);

// Trains a ResNet20 with SGD (momentum, weight decay, Nesterov off) on an ImageDataset whose
// pixels live on the trainer's device as uint8 (one copy per process and device, shared by
// the trainers). Each epoch: a random permutation, and per image a random crop offset
// (0..8 in each direction of the 4-pixel zero-padded image) and a horizontal flip, all drawn
// from the trainer's own CPU generator (so its state in the checkpoint makes resume exact)
// and applied on the device, then per-channel normalisation with the training split's mean
// and standard deviation. A last batch of a single image is skipped (batch norm needs two).
// Reports train:loss, validation:loss and validation:accuracy (the test split, every epoch).
class ResNetTrainer final : public Trainer {
 public:
  ResNetTrainer(std::shared_ptr<const ImageDataset> data, std::string dataset_description,
                const HyperParameters& hp, std::uint64_t seed, torch::Device device, int threads,
                int max_epochs);

  [[nodiscard]] EpochResult train_epoch() override;
  [[nodiscard]] int epoch() const override { return epoch_; }
  void save_checkpoint(const std::string& path) const override;
  // Loads onto this trainer's device, whichever device wrote the file. Refuses a checkpoint
  // of another model, data set or hyperparameters; on any refusal the trainer is unchanged.
  void load_checkpoint(const std::string& path) override;

  [[nodiscard]] const ResNet20& model() const { return model_; }
  [[nodiscard]] const ResNetOptions& options() const { return options_; }
  [[nodiscard]] const torch::Device& device() const { return device_; }

  struct DeviceImages;  // the data set's tensors on one device (resnet.cpp)

 private:
  [[nodiscard]] std::unique_ptr<torch::optim::SGD> make_optimizer() const;
  [[nodiscard]] torch::Tensor normalise(const torch::Tensor& images) const;
  void set_threads() const;

  std::shared_ptr<const ImageDataset> data_;
  std::string dataset_description_;
  HyperParameters hyperparameters_;
  ResNetOptions options_;
  std::uint64_t seed_;
  torch::Device device_;
  int threads_;
  int max_epochs_;
  at::Generator generator_;
  ResNet20 model_{nullptr};
  std::unique_ptr<torch::optim::SGD> optimizer_;
  std::shared_ptr<const DeviceImages> images_;
  int epoch_ = 0;
};

// Parameters of `model` (for the 0.27 M check).
[[nodiscard]] std::int64_t parameter_count(const torch::nn::Module& model);

}  // namespace rung
