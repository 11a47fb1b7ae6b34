// One process-wide lock for every HDF5 call: the C++ API keeps reference counts and the
// error-printing switch in unguarded state, and a site's HDF5 may be built without thread
// safety, while several trainers (threads of one rank) and the coordinator share a process.
#pragma once

#include <mutex>

namespace rung::detail {

inline std::mutex& hdf5_mutex() {
  static std::mutex mutex;
  return mutex;
}

}  // namespace rung::detail
