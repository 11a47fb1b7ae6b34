// Torch tensors in and out of rung's HDF5 checkpoints (rung/ckpt/checkpoint_file.hpp), and
// the checks every trainer makes before loading one. Internal to src/train: the MLP, ResNet
// and TorchScript trainers share it.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "rung/ckpt/checkpoint_file.hpp"
#include "rung/config/hyperparameters.hpp"

namespace rung::tensor_checkpoint {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

[[noreturn]] void refuse(const std::string& path, const std::string& why);

// Writes `tensor` (any device; float32, float64, int64 or uint8) as a dataset of its shape.
void put_tensor(CheckpointWriter& writer, const std::string& name, const torch::Tensor& tensor);
// A CPU tensor that owns a copy of the array.
[[nodiscard]] torch::Tensor from_array(const ArrayData& array);

// Reads `group`/<name> for every named tensor, checking that the file has exactly these
// names, each with the element type and shape of the current one. CPU tensors, in order.
[[nodiscard]] std::vector<torch::Tensor> read_named(const CheckpointReader& reader,
                                                    const std::string& group,
                                                    const std::string& what,
                                                    const NamedTensors& named);

// The root attributes every trainer's checkpoint starts with (model, epoch, seed, dataset,
// torch_version), its hyperparameters, and the module's params/<name> and buffers/<name>.
void put_header(CheckpointWriter& writer, const std::string& model, int epoch,
                std::uint64_t seed, const std::string& dataset, const HyperParameters& hp);
void put_module_state(CheckpointWriter& writer, const torch::nn::Module& module);
// `group`/<name> for every named tensor (a scripted module's parameters or buffers).
void put_named(CheckpointWriter& writer, const std::string& group, const NamedTensors& named);
// Refuses a file that holds another model, was trained on another data set or with other
// hyperparameters, or has no valid epoch. Returns the epoch.
[[nodiscard]] int check_header(const CheckpointReader& reader, const std::string& model,
                               const std::string& dataset, const HyperParameters& hp);

// Stores hyperparameters/<name> as string attributes, and refuses (naming every difference)
// a file whose hyperparameters are not exactly `hp`.
void put_hyperparameters(CheckpointWriter& writer, const HyperParameters& hp);
void check_hyperparameters(const CheckpointReader& reader, const HyperParameters& hp);

// The bytes of a torch::serialize::OutputArchive as a uint8 dataset, and back (the one form of
// optimizer state that LibTorch 1.13 and 2.x both write and read through public API).
void put_archive(CheckpointWriter& writer, const std::string& name,
                 torch::serialize::OutputArchive& archive);
void load_archive(const CheckpointReader& reader, const std::string& name,
                  const torch::Device& device, torch::serialize::InputArchive& archive);
// The optimizer's state (its OutputArchive) under `name`, through put_archive.
void put_optimizer(CheckpointWriter& writer, const std::string& name,
                   const torch::optim::Optimizer& optimizer);
// Loads the optimizer state stored by put_optimizer under `name` into `optimizer` (a fresh one
// over the parameters), its tensors on `device`; refuses an unreadable state.
void load_optimizer(const CheckpointReader& reader, const std::string& path,
                    const std::string& name, const torch::Device& device,
                    torch::optim::Optimizer& optimizer);
// A uint8 dataset holding a generator state (Generator::get_state), checked by setting it on
// a fresh CPU generator seeded with `seed`, which is returned; refuses anything else.
[[nodiscard]] at::Generator read_generator(const CheckpointReader& reader, const std::string& path,
                                           const std::string& name, std::uint64_t seed);
// "[2, 3, 32, 32]"
[[nodiscard]] std::string shape_string(c10::IntArrayRef shape);

}  // namespace rung::tensor_checkpoint
