#include "rung/ckpt/hdf5_version.hpp"

#include <H5public.h>

namespace rung {

std::string hdf5_build_version() {
  return "HDF5 " + std::to_string(H5_VERS_MAJOR) + "." + std::to_string(H5_VERS_MINOR) + "." +
         std::to_string(H5_VERS_RELEASE) + (*H5_VERS_SUBRELEASE ? "-" H5_VERS_SUBRELEASE : "");
}

}  // namespace rung
