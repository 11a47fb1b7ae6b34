// The HDF5 library rung was compiled against, as text for `rung --version` and bug reports.
// Only ckpt includes HDF5's headers, so the text is made here.
#pragma once

#include <string>

namespace rung {

// e.g. "HDF5 1.10.8".
[[nodiscard]] std::string hdf5_build_version();

}  // namespace rung
