// The simulator's transport and clock in one: an event heap keyed by simulated time, with
// simulated workers that "train" by looking up each epoch in a CurveSource. The coordinator
// talks to it as to any CoordinatorTransport and reads the time from it as from any Clock, so
// a study of 1 to 10,000 workers runs the real coordinator, searchers and schedulers in
// seconds. Single-threaded: the workers are state machines driven from send() and receive().
//
// Event order: by simulated time, ties by the order the events were scheduled (FIFO), so a
// run is deterministic. Workers announce Ready at time 0, in worker order. Messages from the
// coordinator arrive instantly; a release (pause, stop, complete, failure) is an event at the
// time of the decision, an epoch report one at decision time + the epoch's duration.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "rung/comm/transport.hpp"
#include "rung/sim/curve_source.hpp"
#include "rung/tune/clock.hpp"

namespace rung {

struct SimulationOptions {
  // Add the coordinator's real (wall) time between consecutive receive() calls to the
  // simulated clock, so decision latency shows at scale. Off: a run is fully deterministic.
  bool charge_decision_time = false;
  double checkpoint_s = 0.0;  // simulated time a pause takes to write its checkpoint
};

// One trained epoch, for timeline.csv.
struct TimelineEntry {
  int worker = 0;
  TrialId trial = -1;
  int epoch = 0;
  double start_s = 0.0;
  double end_s = 0.0;
};

class SimulatedTransport final : public CoordinatorTransport, public Clock {
 public:
  SimulatedTransport(int num_workers, const CurveSource& curves, SimulationOptions options);

  [[nodiscard]] int num_workers() const override { return static_cast<int>(workers_.size()); }
  void send(int worker, const ToWorker& msg) override;
  // Pops the next event, moving the clock to it; when the next event is later than
  // now + timeout, moves the clock by timeout and returns nullopt (so runtime limits and
  // status lines happen in simulated time).
  [[nodiscard]] std::optional<FromWorker> receive(std::chrono::milliseconds timeout) override;
  [[nodiscard]] double now_s() const override { return now_s_; }

  [[nodiscard]] const std::vector<TimelineEntry>& timeline() const noexcept { return timeline_; }
  // Epochs trained per trial (what was charged), for accounting checks.
  [[nodiscard]] const std::map<TrialId, int>& epochs_trained() const noexcept {
    return epochs_trained_;
  }
  [[nodiscard]] double charged_decision_s() const noexcept { return charged_decision_s_; }

 private:
  struct Event {
    double time_s = 0.0;
    std::uint64_t sequence = 0;  // ties: first scheduled, first delivered
    FromWorker message;
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      if (a.time_s != b.time_s) return a.time_s > b.time_s;
      return a.sequence > b.sequence;
    }
  };
  struct Worker {
    bool is_shut_down = false;
    TrialId trial = -1;             // -1: idle
    HyperParameters hyperparameters;
    int epoch = 0;                  // epochs the current trial has trained
  };

  void schedule(double time_s, int worker, FromWorkerBody body);
  void start_epoch(int worker);
  void release(int worker, TrialOutcome outcome, std::string message);
  [[nodiscard]] Worker& worker(int id);

  const CurveSource& curves_;
  SimulationOptions options_;
  std::vector<Worker> workers_;
  std::priority_queue<Event, std::vector<Event>, Later> events_;
  std::uint64_t next_sequence_ = 0;
  double now_s_ = 0.0;
  std::map<TrialId, int> checkpoints_;  // paused trial -> epochs in its checkpoint
  std::map<TrialId, int> epochs_trained_;
  std::vector<TimelineEntry> timeline_;
  bool has_received_ = false;
  std::chrono::steady_clock::time_point last_return_;
  double charged_decision_s_ = 0.0;
};

}  // namespace rung
