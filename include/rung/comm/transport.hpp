// How the coordinator and the workers talk. The coordinator cannot tell the transports apart:
// MPI for real runs, in-process threads for single-rank runs and tests, and (later) a
// simulated clock for `rung simulate`.
#pragma once

#include <chrono>
#include <optional>

#include "rung/comm/messages.hpp"

namespace rung {

class CoordinatorTransport {
 public:
  virtual ~CoordinatorTransport() = default;
  // Workers are numbered 1..num_workers().
  [[nodiscard]] virtual int num_workers() const = 0;
  virtual void send(int worker, const ToWorker& msg) = 0;
  // The next message from any worker, or nullopt after `timeout` with none. Waiting must not
  // burn a core: the coordinator shares a node with workers.
  [[nodiscard]] virtual std::optional<FromWorker> receive(std::chrono::milliseconds timeout) = 0;
};

class WorkerTransport {
 public:
  virtual ~WorkerTransport() = default;
  [[nodiscard]] virtual int worker_id() const = 0;
  virtual void send(const FromWorkerBody& msg) = 0;
  // Blocks (without spinning) until the coordinator sends something.
  [[nodiscard]] virtual ToWorker receive() = 0;
};

}  // namespace rung
