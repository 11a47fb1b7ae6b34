// The LibTorch rung was compiled against, as text for `rung --version` and bug reports.
// Only train includes torch, so the text is made here.
#pragma once

#include <string>

namespace rung {

// e.g. "LibTorch 1.13.1" (TORCH_VERSION of torch/version.h).
[[nodiscard]] std::string torch_build_version();

}  // namespace rung
