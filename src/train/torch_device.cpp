#include "torch_device.hpp"

#include <memory>

#include "rung/config/error.hpp"
#include "rung/train/device_placement.hpp"

namespace rung {

torch::Device resolve_torch_device(const std::string& name) {
  if (name == "auto" || name.empty()) {
    return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  }
  std::unique_ptr<torch::Device> device;
  try {
    device = std::make_unique<torch::Device>(name);
  } catch (const c10::Error&) {
    throw InputError("rung.device: \"" + name +
                     "\" is not a device; use cpu, cuda, cuda:N or auto");
  }
  if (!device->is_cpu() && !device->is_cuda()) {
    throw InputError("rung.device: \"" + name +
                     "\" is not supported; use cpu, cuda, cuda:N or auto");
  }
  if (device->is_cuda()) {
    const int count = cuda_device_count();
    if (count == 0) {
      throw InputError("rung.device: \"" + name +
                       "\" asks for CUDA, but LibTorch sees no CUDA device here; use cpu or auto");
    }
    if (device->has_index() && device->index() >= count) {
      throw InputError("rung.device: \"" + name + "\" asks for CUDA device " +
                       std::to_string(device->index()) + ", but only " + std::to_string(count) +
                       " are visible here");
    }
  }
  return *device;
}

int cuda_device_count() {
  return torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0;
}

}  // namespace rung
