#include "rung/train/torch_version.hpp"

#include <torch/version.h>

namespace rung {

std::string torch_build_version() { return "LibTorch " TORCH_VERSION; }

}  // namespace rung
