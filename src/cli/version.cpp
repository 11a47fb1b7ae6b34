// `rung --version`: this rung's version and commit, the libraries it was built with, and
// where it looks for the data it ships. Users paste it into bug reports; on a cluster it shows
// whether the loaded modules are the ones rung was built against.
#include <iostream>
#include <string>

#include "commands.hpp"
#include "rung/ckpt/hdf5_version.hpp"
#include "rung/comm/mpi_version.hpp"
#include "rung/config/data_files.hpp"
#include "rung/config/error.hpp"
#include "rung/train/torch_version.hpp"

// Set by CMake on this file only (so a new commit recompiles one file): the project version
// and `git describe --always --dirty` at configure time.
#ifndef RUNG_VERSION
#define RUNG_VERSION "unknown"
#endif
#ifndef RUNG_GIT_COMMIT
#define RUNG_GIT_COMMIT "unknown"
#endif

namespace rung::cli {

int version_command() {
  std::string data;
  for (const auto& folder : data_search_path()) {
    data += (data.empty() ? "" : ", ") + folder.string();
  }
  std::cout << "rung " RUNG_VERSION "\n"
            << "commit: " RUNG_GIT_COMMIT "\n"
            << "built with: " << torch_build_version() << ", " << mpi_build_version() << ", "
            << hdf5_build_version() << '\n'
            << "data folders: " << (data.empty() ? "none (set RUNG_DATA_DIR)" : data) << '\n';
  return kExitOk;
}

}  // namespace rung::cli
