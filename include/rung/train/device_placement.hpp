// Which device a worker rank trains on, as a pure function of what the rank can see (its
// environment, its node-local rank, the CUDA devices visible to it), and the cross-rank
// check that no device gets more workers than rung.workers_per_gpu. No torch, no MPI here:
// the CLI gathers the facts (rung/comm/mpi_gather.hpp) and prints the table on rank 0.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace rung {

struct PlacementInput {
  std::string requested = "cpu";  // rung.device: cpu, cuda or auto
  // CUDA_VISIBLE_DEVICES, SLURM_LOCALID, OMPI_COMM_WORLD_LOCAL_RANK; a variable not in the
  // map is unset.
  std::map<std::string, std::string> environment;
  int node_local_rank = 0;  // MPI's rank among all ranks on this node (MPI_COMM_TYPE_SHARED)
  // World rank 0 (the coordinator, which trains nothing) runs on this node and holds its
  // node-local rank 0, so the workers here count from node-local rank 1.
  bool coordinator_on_node = false;
  int visible_devices = 0;  // CUDA devices this process sees
  int workers_per_gpu = 1;  // rung.workers_per_gpu
};

struct Placement {
  std::string device;    // for this process: "cpu" or "cuda:N"
  std::string physical;  // the device on its node: "cpu", a CUDA_VISIBLE_DEVICES entry, or N
  std::string reason;    // which rule chose it, for the placement table
};

// The rules, in order:
//  1. rung.device cpu: the CPU.
//  2. No CUDA device visible: the CPU for auto; an InputError for cuda.
//  3. CUDA_VISIBLE_DEVICES lists exactly one device (Slurm's --gpus-per-task=1 binding):
//     that device, cuda:0 in this process.
//  4. Otherwise the node-local worker slot s (node-local rank, less 1 on the coordinator's
//     node) picks device s mod visible_devices; s >= visible_devices * workers_per_gpu
//     would put more workers on a device than allowed and is an InputError that says so.
//     SLURM_LOCALID / OMPI_COMM_WORLD_LOCAL_RANK, when set, are compared with MPI's
//     node-local rank; a disagreement is noted in the reason (MPI's rank is used).
[[nodiscard]] Placement place_worker(const PlacementInput& input);

// The placement variables of this process's environment, for PlacementInput::environment.
[[nodiscard]] std::map<std::string, std::string> placement_environment();

// The CUDA devices LibTorch sees in this process (0 in a CPU-only build).
[[nodiscard]] int cuda_device_count();

// One rank's line of the placement table.
struct PlacementRow {
  std::string host;
  int rank = 0;
  std::string device;    // "coordinator" for rank 0
  std::string physical;  // as Placement::physical; empty for the coordinator
  std::string reason;
};

// Throws InputError naming the ranks when more than `workers_per_gpu` rows of one host share
// a CUDA device (the same physical id), e.g. two ranks bound to the same CUDA_VISIBLE_DEVICES.
void check_shared_devices(const std::vector<PlacementRow>& rows, int workers_per_gpu);

// The table rank 0 prints: one line per rank, columns host, rank, device, reason.
[[nodiscard]] std::string format_placement_table(const std::vector<PlacementRow>& rows);

// A row as one line of text and back, for gathering rows over MPI.
[[nodiscard]] std::string encode_placement_row(const PlacementRow& row);
[[nodiscard]] PlacementRow decode_placement_row(const std::string& text);

}  // namespace rung
