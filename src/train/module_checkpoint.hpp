// The checkpoint of a trainer built from one torch::nn::Module, an optimizer and a CPU
// generator (the MLP and ResNet-20 trainers): saved in one call, loaded all or nothing.
// Internal to src/train. Its layout, through tensor_checkpoint.hpp:
//   root attributes  model, epoch, seed, dataset, torch_version
//   params/<name>     every parameter, its own element type and shape (h5py reads them)
//   buffers/<name>    every buffer
//   optimizer/torch_archive   the optimizer's state as the bytes of a torch OutputArchive
//   rng/generator_state       the trainer's CPU generator (Generator::get_state())
//   hyperparameters/<name>    string attributes, rung::to_string of each value
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "rung/config/hyperparameters.hpp"

namespace rung::module_checkpoint {

// What a checkpoint says it is, and what one must match to load: the model, the data set it
// was trained on (its description) and the trial's hyperparameters. The seed seeds the
// generator the file's state is checked on.
struct Identity {
  std::string model;
  std::uint64_t seed = 0;
  std::string dataset;
  HyperParameters hyperparameters;
};

// Writes `path` (through a temporary name, committed once complete). Throws CheckpointError.
void save(const std::string& path, const Identity& identity, int epoch,
          const torch::nn::Module& module, const torch::optim::Optimizer& optimizer,
          const at::Generator& generator);

// A checkpoint read and checked, not yet applied.
struct State {
  int epoch = 0;
  std::vector<torch::Tensor> params;   // in module.named_parameters() order, on the CPU
  std::vector<torch::Tensor> buffers;  // in module.named_buffers() order, on the CPU
  at::Generator generator;
};

// Reads and checks all of `path` against `identity` and `module`, and loads the optimizer
// state into `fresh_optimizer` (a new optimizer over the module's parameters) with its tensors
// on `device`. A file that does not fit is a CheckpointError naming it; the module is not
// touched.
[[nodiscard]] State read(const std::string& path, const Identity& identity,
                         const torch::nn::Module& module, torch::optim::Optimizer& fresh_optimizer,
                         const torch::Device& device);

// Copies the state's parameters and buffers into `module`. copy_ keeps each tensor's device
// and memory format (channels-last stays channels-last).
void apply(const State& state, torch::nn::Module& module);

}  // namespace rung::module_checkpoint
