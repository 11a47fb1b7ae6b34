#include "rung/comm/mpi_gather.hpp"

#include <mpi.h>

#include "mpi_call.hpp"
#include "rung/config/error.hpp"

namespace rung {

using mpi::check;

std::vector<std::string> gather_strings_to_root(const MpiEnvironment& mpi,
                                                const std::string& mine) {
  const bool is_root = mpi.rank() == 0;
  const int length = static_cast<int>(mine.size());
  std::vector<int> lengths(is_root ? static_cast<std::size_t>(mpi.size()) : 0);
  MPI_Request request = MPI_REQUEST_NULL;
  check(MPI_Igather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD, &request),
        "MPI_Igather");
  mpi::wait(request);
  std::vector<int> offsets(lengths.size(), 0);
  int total = 0;
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    offsets[i] = total;
    total += lengths[i];
  }
  std::string all(static_cast<std::size_t>(total), '\0');
  check(MPI_Igatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(),
                     MPI_CHAR, 0, MPI_COMM_WORLD, &request),
        "MPI_Igatherv");
  mpi::wait(request);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    out.push_back(
        all.substr(static_cast<std::size_t>(offsets[i]), static_cast<std::size_t>(lengths[i])));
  }
  return out;
}

bool coordinator_shares_node(const MpiEnvironment& mpi) {
  MPI_Comm node = MPI_COMM_NULL;
  check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, mpi.rank(), MPI_INFO_NULL, &node),
        "MPI_Comm_split_type");
  int mine = mpi.rank();
  int lowest = 0;
  MPI_Request request = MPI_REQUEST_NULL;
  const int rc = MPI_Iallreduce(&mine, &lowest, 1, MPI_INT, MPI_MIN, node, &request);
  if (rc == MPI_SUCCESS) {
    try {
      mpi::wait(request);
    } catch (...) {
      MPI_Comm_free(&node);
      throw;
    }
  }
  MPI_Comm_free(&node);
  check(rc, "MPI_Iallreduce");
  return lowest == 0;
}

}  // namespace rung
