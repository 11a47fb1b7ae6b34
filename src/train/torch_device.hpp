// A job's device name -> a torch::Device. Internal to src/train (the ResNet trainer).
#pragma once

#include <torch/torch.h>

#include <string>

namespace rung {

// "cpu", "cuda", "cuda:N" or "auto" (CUDA's current device when LibTorch sees one, else the
// CPU). Throws InputError naming rung.device for anything else or for CUDA without a device.
[[nodiscard]] torch::Device resolve_torch_device(const std::string& name);

}  // namespace rung
