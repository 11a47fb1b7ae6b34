#include "rung/comm/mpi_transport.hpp"

#include <mpi.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <thread>
#include <vector>

#include "mpi_call.hpp"
#include "rung/config/error.hpp"

namespace rung {
namespace {

constexpr int kTag = 17;

using mpi::Backoff;
using mpi::check;

// Polls for a message with kTag from `source`; true with its status when one arrived.
bool probe(int source, MPI_Status& status) {
  int flag = 0;
  check(MPI_Iprobe(source, kTag, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
  return flag != 0;
}

std::string receive_bytes(const MPI_Status& status) {
  int count = 0;
  check(MPI_Get_count(&status, MPI_BYTE, &count), "MPI_Get_count");
  std::string buffer(static_cast<std::size_t>(count), '\0');
  check(MPI_Recv(buffer.data(), count, MPI_BYTE, status.MPI_SOURCE, kTag, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE),
        "MPI_Recv");
  return buffer;
}

void send_bytes(const std::string& bytes, int dest) {
  check(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, dest, kTag,
                 MPI_COMM_WORLD),
        "MPI_Send");
}

}  // namespace

MpiEnvironment::MpiEnvironment(int& argc, char**& argv) {
  int provided = 0;
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread");
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
  MPI_Comm node = MPI_COMM_NULL;
  check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node),
        "MPI_Comm_split_type");
  check(MPI_Comm_rank(node, &local_rank_), "MPI_Comm_rank");
  MPI_Comm_free(&node);
  char name[MPI_MAX_PROCESSOR_NAME];
  int len = 0;
  check(MPI_Get_processor_name(name, &len), "MPI_Get_processor_name");
  host_.assign(name, static_cast<std::size_t>(len));
}

MpiEnvironment::~MpiEnvironment() noexcept { MPI_Finalize(); }

std::int64_t MpiEnvironment::broadcast_from_root(std::int64_t value) const {
  // A sleeping wait: rank 0 may take a while (a failed parse prints first), and MPI_Bcast
  // would busy-poll the other ranks meanwhile.
  MPI_Request request = MPI_REQUEST_NULL;
  check(MPI_Ibcast(&value, 1, MPI_INT64_T, 0, MPI_COMM_WORLD, &request), "MPI_Ibcast");
  mpi::wait(request);
  return value;
}

std::vector<double> MpiEnvironment::gather_cpu_seconds(double mine) const {
  std::vector<double> all(rank_ == 0 ? static_cast<std::size_t>(size_) : 0);
  MPI_Request request = MPI_REQUEST_NULL;
  check(MPI_Igather(&mine, 1, MPI_DOUBLE, all.data(), 1, MPI_DOUBLE, 0, MPI_COMM_WORLD, &request),
        "MPI_Igather");
  mpi::wait(request);
  return all;
}

void MpiEnvironment::barrier() const {
  MPI_Request request = MPI_REQUEST_NULL;
  check(MPI_Ibarrier(MPI_COMM_WORLD, &request), "MPI_Ibarrier");
  mpi::wait(request);
}

void MpiEnvironment::abort(int code) const noexcept {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

MpiCoordinatorTransport::MpiCoordinatorTransport(int world_size) : world_size_(world_size) {}

void MpiCoordinatorTransport::send(int worker, const ToWorker& msg) {
  // Rank 0 would send to itself and read the message back as a worker's.
  if (worker < 1 || worker >= world_size_) {
    throw Error("no such worker: " + std::to_string(worker) + " (workers are 1.." +
                std::to_string(world_size_ - 1) + ")");
  }
  const std::string bytes = encode(msg);
  send_bytes(bytes, worker);
  traffic_.messages_sent += 1;
  traffic_.bytes_sent += bytes.size();
}

std::optional<FromWorker> MpiCoordinatorTransport::receive(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Backoff backoff;
  MPI_Status status;
  while (!probe(MPI_ANY_SOURCE, status)) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    backoff.wait();
  }
  const std::string bytes = receive_bytes(status);
  traffic_.messages_received += 1;
  traffic_.bytes_received += bytes.size();
  return FromWorker{status.MPI_SOURCE, decode_from_worker(bytes)};
}

MpiWorkerTransport::MpiWorkerTransport(int rank, std::chrono::milliseconds heartbeat_every)
    : rank_(rank) {
  if (heartbeat_every.count() > 0) {
    heartbeat_ = std::thread([this, heartbeat_every] { send_heartbeats(heartbeat_every); });
  }
}

MpiWorkerTransport::~MpiWorkerTransport() { stop_heartbeats(); }

void MpiWorkerTransport::send_heartbeats(std::chrono::milliseconds every) {
  const std::string beat = encode(FromWorkerBody{Heartbeat{}});
  std::unique_lock<std::mutex> lock(heartbeat_mutex_);
  while (!heartbeat_wake_.wait_for(lock, every, [this] { return is_heartbeat_stopping_; })) {
    try {
      const std::lock_guard<std::mutex> in_mpi(mpi_);
      send_bytes(beat, 0);
    } catch (const std::exception&) {
      return;  // the coordinator is gone; the main thread will hear of it
    }
  }
}

void MpiWorkerTransport::stop_heartbeats() {
  if (!heartbeat_.joinable()) return;
  {
    const std::lock_guard<std::mutex> lock(heartbeat_mutex_);
    is_heartbeat_stopping_ = true;
  }
  heartbeat_wake_.notify_all();
  heartbeat_.join();
}

void MpiWorkerTransport::send(const FromWorkerBody& msg) {
  const std::string bytes = encode(msg);
  const std::lock_guard<std::mutex> in_mpi(mpi_);
  send_bytes(bytes, 0);
}

ToWorker MpiWorkerTransport::receive() {
  Backoff backoff;
  MPI_Status status;
  std::string bytes;
  for (;;) {
    {
      const std::lock_guard<std::mutex> in_mpi(mpi_);
      if (probe(0, status)) {
        bytes = receive_bytes(status);
        break;
      }
    }
    backoff.wait();
  }
  ToWorker msg = decode_to_worker(bytes);
  // Nothing may reach rank 0 after its last receive: the shutdown ends the heartbeats.
  if (std::holds_alternative<Shutdown>(msg)) stop_heartbeats();
  return msg;
}

}  // namespace rung
