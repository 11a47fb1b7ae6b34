#include "rung/comm/mpi_version.hpp"

#include <mpi.h>

namespace rung {

std::string mpi_build_version() {
  // The compile-time macros, not MPI_Get_library_version: the question is what rung was
  // built with, and the macros answer it without touching the library.
#if defined(OMPI_MAJOR_VERSION)
  std::string name = "Open MPI " + std::to_string(OMPI_MAJOR_VERSION) + "." +
                     std::to_string(OMPI_MINOR_VERSION) + "." +
                     std::to_string(OMPI_RELEASE_VERSION);
#elif defined(MPICH_VERSION)
  std::string name = std::string("MPICH ") + MPICH_VERSION;
#else
  std::string name = "an MPI library";
#endif
  return name + " (MPI " + std::to_string(MPI_VERSION) + "." + std::to_string(MPI_SUBVERSION) +
         ")";
}

}  // namespace rung
