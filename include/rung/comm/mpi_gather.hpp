// Collective helpers for start-up facts that rank 0 reports once (the placement table):
// each call must be made by every rank of MPI_COMM_WORLD. mpi.h stays in src/comm/mpi/.
#pragma once

#include <string>
#include <vector>

#include "rung/comm/mpi_transport.hpp"

namespace rung {

// Every rank's `mine`, in rank order, on rank 0; empty on the other ranks.
[[nodiscard]] std::vector<std::string> gather_strings_to_root(const MpiEnvironment& mpi,
                                                              const std::string& mine);

// Whether world rank 0 runs on this rank's node (MPI_COMM_TYPE_SHARED): there it holds
// node-local rank 0, and the node's workers count from node-local rank 1.
[[nodiscard]] bool coordinator_shares_node(const MpiEnvironment& mpi);

}  // namespace rung
