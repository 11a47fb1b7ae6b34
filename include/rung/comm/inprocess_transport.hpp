// Transport between threads of one process: the single-rank `rung run` (workers as threads
// beside the coordinator) and tests. Queues guarded by a mutex; waits sleep on a condition
// variable, so idle parties cost no CPU.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "rung/comm/transport.hpp"

namespace rung {

class InProcessHub {
 public:
  explicit InProcessHub(int num_workers);
  ~InProcessHub();
  [[nodiscard]] CoordinatorTransport& coordinator();
  // worker is 1-based.
  [[nodiscard]] WorkerTransport& worker(int worker);
  [[nodiscard]] int num_workers() const noexcept { return static_cast<int>(workers_.size()); }

 private:
  template <typename T>
  struct Queue {
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<T> items;
  };
  class CoordinatorSide;
  class WorkerSide;

  Queue<FromWorker> to_coordinator_;
  std::vector<std::unique_ptr<Queue<ToWorker>>> to_workers_;
  std::unique_ptr<CoordinatorSide> coordinator_;
  std::vector<std::unique_ptr<WorkerSide>> workers_;
};

}  // namespace rung
