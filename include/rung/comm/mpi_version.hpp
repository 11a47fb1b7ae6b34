// The MPI library rung was compiled against, as text for `rung --version` and bug reports
// (a cluster's module environment may load another one at run time). Only comm includes
// mpi.h, so the text is made here.
#pragma once

#include <string>

namespace rung {

// e.g. "Open MPI 4.1.4 (MPI 3.1)"; other implementations by name where mpi.h says it.
[[nodiscard]] std::string mpi_build_version();

}  // namespace rung
