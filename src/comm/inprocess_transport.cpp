#include "rung/comm/inprocess_transport.hpp"

#include "rung/config/error.hpp"

namespace rung {

class InProcessHub::CoordinatorSide final : public CoordinatorTransport {
 public:
  explicit CoordinatorSide(InProcessHub& hub) : hub_(hub) {}
  [[nodiscard]] int num_workers() const override { return hub_.num_workers(); }
  void send(int worker, const ToWorker& msg) override {
    if (worker < 1 || worker > hub_.num_workers()) throw Error("no such worker");
    auto& q = *hub_.to_workers_[static_cast<std::size_t>(worker - 1)];
    {
      std::lock_guard<std::mutex> lock(q.mutex);
      q.items.push_back(msg);
    }
    q.ready.notify_one();
  }
  [[nodiscard]] std::optional<FromWorker> receive(std::chrono::milliseconds timeout) override {
    auto& q = hub_.to_coordinator_;
    std::unique_lock<std::mutex> lock(q.mutex);
    if (!q.ready.wait_for(lock, timeout, [&] { return !q.items.empty(); })) return std::nullopt;
    FromWorker m = std::move(q.items.front());
    q.items.pop_front();
    return m;
  }

 private:
  InProcessHub& hub_;
};

class InProcessHub::WorkerSide final : public WorkerTransport {
 public:
  WorkerSide(InProcessHub& hub, int id) : hub_(hub), id_(id) {}
  [[nodiscard]] int worker_id() const override { return id_; }
  void send(const FromWorkerBody& msg) override {
    auto& q = hub_.to_coordinator_;
    {
      std::lock_guard<std::mutex> lock(q.mutex);
      q.items.push_back(FromWorker{id_, msg});
    }
    q.ready.notify_one();
  }
  [[nodiscard]] ToWorker receive() override {
    auto& q = *hub_.to_workers_[static_cast<std::size_t>(id_ - 1)];
    std::unique_lock<std::mutex> lock(q.mutex);
    q.ready.wait(lock, [&] { return !q.items.empty(); });
    ToWorker m = std::move(q.items.front());
    q.items.pop_front();
    return m;
  }

 private:
  InProcessHub& hub_;
  int id_;
};

InProcessHub::InProcessHub(int num_workers) {
  coordinator_ = std::make_unique<CoordinatorSide>(*this);
  for (int i = 1; i <= num_workers; ++i) {
    to_workers_.push_back(std::make_unique<Queue<ToWorker>>());
    workers_.push_back(std::make_unique<WorkerSide>(*this, i));
  }
}

InProcessHub::~InProcessHub() = default;

CoordinatorTransport& InProcessHub::coordinator() { return *coordinator_; }

WorkerTransport& InProcessHub::worker(int worker) {
  if (worker < 1 || worker > num_workers()) throw Error("no such worker");
  return *workers_[static_cast<std::size_t>(worker - 1)];
}

}  // namespace rung
