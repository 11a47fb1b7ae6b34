#include "module_checkpoint.hpp"

#include "rung/ckpt/checkpoint_file.hpp"
#include "rung/config/error.hpp"
#include "tensor_checkpoint.hpp"

namespace rung::module_checkpoint {
namespace {

namespace tc = tensor_checkpoint;

tc::NamedTensors named_parameters(const torch::nn::Module& module) {
  tc::NamedTensors out;
  for (const auto& item : module.named_parameters()) out.emplace_back(item.key(), item.value());
  return out;
}

tc::NamedTensors named_buffers(const torch::nn::Module& module) {
  tc::NamedTensors out;
  for (const auto& item : module.named_buffers()) out.emplace_back(item.key(), item.value());
  return out;
}

}  // namespace

void save(const std::string& path, const Identity& identity, int epoch,
          const torch::nn::Module& module, const torch::optim::Optimizer& optimizer,
          const at::Generator& generator) {
  CheckpointWriter writer(path);
  try {
    tc::put_header(writer, identity.model, epoch, identity.seed, identity.dataset,
                   identity.hyperparameters);
    tc::put_module_state(writer, module);
    tc::put_optimizer(writer, "optimizer/torch_archive", optimizer);
    tc::put_tensor(writer, "rng/generator_state", generator.get_state());
  } catch (const c10::Error& e) {
    throw CheckpointError("checkpoint " + path + ": " + e.what_without_backtrace());
  }
  writer.commit();
}

State read(const std::string& path, const Identity& identity, const torch::nn::Module& module,
           torch::optim::Optimizer& fresh_optimizer, const torch::Device& device) {
  const CheckpointReader reader(path);
  State state;
  state.epoch =
      tc::check_header(reader, identity.model, identity.dataset, identity.hyperparameters);
  state.params = tc::read_named(reader, "params", "parameter", named_parameters(module));
  state.buffers = tc::read_named(reader, "buffers", "buffer", named_buffers(module));
  tc::load_optimizer(reader, path, "optimizer/torch_archive", device, fresh_optimizer);
  state.generator = tc::read_generator(reader, path, "rng/generator_state", identity.seed);
  return state;
}

void apply(const State& state, torch::nn::Module& module) {
  const tc::NamedTensors params = named_parameters(module);
  const tc::NamedTensors buffers = named_buffers(module);
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < params.size(); ++i) params[i].second.copy_(state.params[i]);
  for (std::size_t i = 0; i < buffers.size(); ++i) buffers[i].second.copy_(state.buffers[i]);
}

}  // namespace rung::module_checkpoint
