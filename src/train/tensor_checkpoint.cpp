#include "tensor_checkpoint.hpp"

#include <torch/version.h>

#include <cstring>
#include <limits>
#include <set>
#include <sstream>

#include "rung/config/error.hpp"

namespace rung::tensor_checkpoint {
namespace {

DType to_dtype(torch::ScalarType type, const std::string& name) {
  switch (type) {
    case torch::kFloat:
      return DType::Float32;
    case torch::kDouble:
      return DType::Float64;
    case torch::kLong:
      return DType::Int64;
    case torch::kByte:
      return DType::UInt8;
    default:
      throw CheckpointError(std::string("cannot checkpoint \"") + name + "\": element type " +
                            c10::toString(type) + " (want float32, float64, int64 or uint8)");
  }
}

torch::ScalarType to_scalar_type(DType dtype) {
  switch (dtype) {
    case DType::Float32:
      return torch::kFloat;
    case DType::Float64:
      return torch::kDouble;
    case DType::Int64:
      return torch::kLong;
    case DType::UInt8:
      return torch::kByte;
  }
  return torch::kByte;
}

}  // namespace

void refuse(const std::string& path, const std::string& why) {
  throw CheckpointError("checkpoint " + path + ": " + why);
}

void put_tensor(CheckpointWriter& writer, const std::string& name, const torch::Tensor& tensor) {
  const torch::Tensor cpu = tensor.detach().to(torch::kCPU).contiguous();
  const std::vector<std::uint64_t> shape(cpu.sizes().begin(), cpu.sizes().end());
  writer.put_array(name, to_dtype(cpu.scalar_type(), name), shape, cpu.data_ptr());
}

torch::Tensor from_array(const ArrayData& array) {
  const std::vector<std::int64_t> shape(array.shape.begin(), array.shape.end());
  torch::Tensor tensor =
      torch::empty(shape, torch::TensorOptions().dtype(to_scalar_type(array.dtype)));
  if (!array.bytes.empty()) std::memcpy(tensor.data_ptr(), array.bytes.data(), array.bytes.size());
  return tensor;
}

std::vector<torch::Tensor> read_named(const CheckpointReader& reader, const std::string& group,
                                      const std::string& what, const NamedTensors& named) {
  const std::string& path = reader.path();
  std::set<std::string> in_file;
  if (reader.has(group)) {
    for (auto& name : reader.list(group)) in_file.insert(name);
  }
  std::vector<torch::Tensor> out;
  for (const auto& [name, current] : named) {
    const std::string key = group + "/" + name;
    if (in_file.erase(name) == 0) {
      refuse(path, what + " \"" + name + "\" is missing (no " + key + ")");
    }
    const ArrayData array = reader.get_array(key);
    if (to_scalar_type(array.dtype) != current.scalar_type()) {
      refuse(path, what + " \"" + name + "\" is " + to_string(array.dtype) + ", the model's is " +
                       c10::toString(current.scalar_type()));
    }
    torch::Tensor tensor = from_array(array);
    if (tensor.sizes() != current.sizes()) {
      refuse(path, what + " \"" + name + "\" has shape " + shape_string(tensor.sizes()) +
                       ", the model's is " + shape_string(current.sizes()));
    }
    out.push_back(std::move(tensor));
  }
  if (!in_file.empty()) {
    refuse(path, "unexpected " + what + " \"" + *in_file.begin() + "\" (not in this model)");
  }
  return out;
}

void put_header(CheckpointWriter& writer, const std::string& model, int epoch,
                std::uint64_t seed, const std::string& dataset, const HyperParameters& hp) {
  writer.put_string("model", model);
  writer.put_int("epoch", epoch);
  writer.put_int("seed", static_cast<std::int64_t>(seed));
  writer.put_string("dataset", dataset);
  writer.put_string("torch_version", TORCH_VERSION);
  put_hyperparameters(writer, hp);
}

void put_module_state(CheckpointWriter& writer, const torch::nn::Module& module) {
  for (const auto& item : module.named_parameters()) {
    put_tensor(writer, "params/" + item.key(), item.value());
  }
  for (const auto& item : module.named_buffers()) {
    put_tensor(writer, "buffers/" + item.key(), item.value());
  }
}

void put_named(CheckpointWriter& writer, const std::string& group, const NamedTensors& named) {
  for (const auto& [name, tensor] : named) put_tensor(writer, group + "/" + name, tensor);
}

int check_header(const CheckpointReader& reader, const std::string& model,
                 const std::string& dataset, const HyperParameters& hp) {
  const std::string& path = reader.path();
  if (!reader.has("model")) refuse(path, "no model name (root attribute \"model\")");
  const std::string in_file = reader.get_string("model");
  if (in_file != model) refuse(path, "holds a \"" + in_file + "\" model, not \"" + model + "\"");
  if (!reader.has("dataset") || reader.get_string("dataset") != dataset) {
    refuse(path, "was trained on another data set (" +
                     (reader.has("dataset") ? reader.get_string("dataset") : "none named") +
                     "), not on this one (" + dataset + ")");
  }
  check_hyperparameters(reader, hp);
  const std::int64_t epoch = reader.get_int("epoch");
  if (epoch < 0 || epoch > std::numeric_limits<int>::max()) {
    refuse(path, "epoch " + std::to_string(epoch) + " is not a valid epoch count");
  }
  return static_cast<int>(epoch);
}

void put_hyperparameters(CheckpointWriter& writer, const HyperParameters& hp) {
  for (const auto& [name, value] : hp)
    writer.put_string("hyperparameters/" + name, to_string(value));
}

void check_hyperparameters(const CheckpointReader& reader, const HyperParameters& hp) {
  std::set<std::string> in_file;
  if (reader.has("hyperparameters")) {
    for (auto& name : reader.list_attributes("hyperparameters")) in_file.insert(name);
  }
  std::string differences;
  auto note = [&](const std::string& text) {
    differences += (differences.empty() ? "" : "; ") + text;
  };
  for (const auto& [name, value] : hp) {
    const std::string mine = to_string(value);
    if (in_file.erase(name) == 0) {
      note(name + " is " + mine + " here but not in the file");
      continue;
    }
    const std::string theirs = reader.get_string("hyperparameters/" + name);
    if (theirs != mine) note(name + " is " + theirs + " in the file, " + mine + " here");
  }
  for (const auto& name : in_file) {
    note(name + " is " + reader.get_string("hyperparameters/" + name) +
         " in the file but not set here");
  }
  if (!differences.empty()) {
    refuse(reader.path(), "hyperparameters differ from this trial's: " + differences);
  }
}

void put_archive(CheckpointWriter& writer, const std::string& name,
                 torch::serialize::OutputArchive& archive) {
  std::ostringstream bytes;
  archive.save_to(bytes);
  const std::string text = bytes.str();
  writer.put_array(name, DType::UInt8, {text.size()}, text.data());
}

void load_archive(const CheckpointReader& reader, const std::string& name,
                  const torch::Device& device, torch::serialize::InputArchive& archive) {
  const ArrayData array = reader.get_array(name);
  if (array.dtype != DType::UInt8) refuse(reader.path(), name + " is not uint8");
  try {
    std::istringstream bytes(std::string(array.bytes.begin(), array.bytes.end()));
    archive.load_from(bytes, device);
  } catch (const c10::Error& e) {
    refuse(reader.path(), name + " unreadable: " + e.what_without_backtrace());
  }
}

std::string shape_string(c10::IntArrayRef shape) {
  std::ostringstream out;
  out << '[';
  for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << ']';
  return out.str();
}


void put_optimizer(CheckpointWriter& writer, const std::string& name,
                   const torch::optim::Optimizer& optimizer) {
  torch::serialize::OutputArchive archive;
  optimizer.save(archive);
  put_archive(writer, name, archive);
}

void load_optimizer(const CheckpointReader& reader, const std::string& path,
                    const std::string& name, const torch::Device& device,
                    torch::optim::Optimizer& optimizer) {
  torch::serialize::InputArchive archive;
  load_archive(reader, name, device, archive);
  try {
    optimizer.load(archive);
  } catch (const c10::Error& e) {
    refuse(path, std::string("optimizer state unreadable: ") + e.what_without_backtrace());
  }
}

at::Generator read_generator(const CheckpointReader& reader, const std::string& path,
                             const std::string& name, std::uint64_t seed) {
  const ArrayData array = reader.get_array(name);
  if (array.dtype != DType::UInt8) refuse(path, name + " is not uint8");
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  try {
    generator.set_state(from_array(array));
  } catch (const c10::Error& e) {
    refuse(path, name + " unreadable: " + e.what_without_backtrace());
  }
  return generator;
}

}  // namespace rung::tensor_checkpoint
