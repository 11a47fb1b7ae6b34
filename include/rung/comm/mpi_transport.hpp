// The MPI transport: rank 0 is the coordinator, ranks 1..size-1 are workers. Messages are
// the byte encoding of messages.hpp sent point to point on MPI_COMM_WORLD. Receives poll
// with MPI_Iprobe and sleep between polls (with a short backoff), because Open MPI's
// blocking receive busy-waits and rank 0 shares cores with the workers.
// mpi.h stays out of this header: only src/comm/mpi/ includes it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "rung/comm/transport.hpp"

namespace rung {

// RAII for MPI_Init_thread/MPI_Finalize, plus the facts about this rank a run needs.
class MpiEnvironment {
 public:
  MpiEnvironment(int& argc, char**& argv);
  ~MpiEnvironment() noexcept;
  MpiEnvironment(const MpiEnvironment&) = delete;
  MpiEnvironment& operator=(const MpiEnvironment&) = delete;

  [[nodiscard]] int rank() const noexcept { return rank_; }
  [[nodiscard]] int size() const noexcept { return size_; }
  // Rank among the ranks on this node (MPI_Comm_split_type with MPI_COMM_TYPE_SHARED).
  [[nodiscard]] int node_local_rank() const noexcept { return local_rank_; }
  [[nodiscard]] const std::string& host() const noexcept { return host_; }
  // Every rank agrees on `value` from rank 0 (used for the exit code and the job seed).
  [[nodiscard]] std::int64_t broadcast_from_root(std::int64_t value) const;
  // CPU seconds each rank used so far, gathered on rank 0 (empty elsewhere).
  [[nodiscard]] std::vector<double> gather_cpu_seconds(double mine) const;
  void barrier() const;
  [[noreturn]] void abort(int code) const noexcept;

 private:
  int rank_ = 0;
  int size_ = 1;
  int local_rank_ = 0;
  std::string host_;
};

// Traffic counters, for the coordinator benchmark and the end-of-run summary.
struct TrafficStats {
  std::uint64_t messages_sent = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t messages_received = 0;
  std::uint64_t bytes_received = 0;
};

class MpiCoordinatorTransport final : public CoordinatorTransport {
 public:
  explicit MpiCoordinatorTransport(int world_size);
  [[nodiscard]] int num_workers() const override { return world_size_ - 1; }
  void send(int worker, const ToWorker& msg) override;
  [[nodiscard]] std::optional<FromWorker> receive(std::chrono::milliseconds timeout) override;
  [[nodiscard]] const TrafficStats& traffic() const noexcept { return traffic_; }

 private:
  int world_size_;
  TrafficStats traffic_;
};

class MpiWorkerTransport final : public WorkerTransport {
 public:
  // `heartbeat_every` > 0: a thread sends a Heartbeat this often, from construction until
  // Shutdown arrives, so that the coordinator can tell a rank busy with a long epoch from one
  // that has vanished (MPI_THREAD_SERIALIZED: the two threads take turns in MPI).
  explicit MpiWorkerTransport(int rank,
                              std::chrono::milliseconds heartbeat_every = std::chrono::milliseconds(0));
  ~MpiWorkerTransport() override;
  MpiWorkerTransport(const MpiWorkerTransport&) = delete;
  MpiWorkerTransport& operator=(const MpiWorkerTransport&) = delete;
  [[nodiscard]] int worker_id() const override { return rank_; }
  void send(const FromWorkerBody& msg) override;
  [[nodiscard]] ToWorker receive() override;

 private:
  void send_heartbeats(std::chrono::milliseconds every);
  void stop_heartbeats();

  int rank_;
  std::mutex mpi_;  // held for every MPI call of this rank's two threads
  std::mutex heartbeat_mutex_;
  std::condition_variable heartbeat_wake_;
  bool is_heartbeat_stopping_ = false;
  std::thread heartbeat_;
};

}  // namespace rung
