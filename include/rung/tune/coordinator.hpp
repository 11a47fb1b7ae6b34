// The coordinator: rank 0's event loop. It owns the trial table, asks the scheduler what to
// promote and the searcher what to start, assigns work to idle workers, and journals every
// event before acting on it. It sees workers only through a CoordinatorTransport.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <vector>

#include "rung/comm/transport.hpp"
#include "rung/config/job_config.hpp"
#include "rung/sched/scheduler.hpp"
#include "rung/sched/searcher.hpp"
#include "rung/tune/clock.hpp"
#include "rung/tune/completion.hpp"
#include "rung/tune/journal.hpp"
#include "rung/tune/trial.hpp"

namespace rung {

struct CoordinatorOptions {
  double status_interval_s = 10.0;  // a status line on the console this often
};

class Coordinator {
 public:
  Coordinator(const JobConfig& job, CoordinatorTransport& transport, Journal& journal,
              const Clock& clock, std::ostream& console, CoordinatorOptions options);

  // Runs the job to its end and shuts every worker down. Returns the run's record.
  RunRecord run();

 private:
  void dispatch_idle_workers();
  void start_new_trial(int worker);
  void resume_trial(int worker, const Promotion& promotion);
  // The message that starts trial `t` (or resumes it from its checkpoint at t.epochs).
  [[nodiscard]] Assign assignment(const Trial& t, int until_epoch) const;
  void handle(const FromWorker& msg);
  void on_ready(int worker, const Ready& ready);
  void on_report(int worker, const EpochReport& report);
  void on_released(int worker, const TrialReleased& released);
  void finish_paused_trials();
  // Ends the job early for `reason`: nothing new starts or resumes, and every running trial
  // is stopped at its next epoch boundary (Stopped, with its epochs kept).
  void begin_stop(EndReason reason);
  void trial_ended(Trial& t, TrialEnd end);
  void print_status_line();
  // Fills record_.coordinator from latency_us_ and the event loop's wall time.
  void record_coordinator_stats(double loop_wall_s);
  void print_top_trials();
  void journal_event(const std::string& json);
  [[nodiscard]] bool has_work_in_flight() const;
  [[nodiscard]] Trial& trial(TrialId id);

  const JobConfig& job_;
  CoordinatorTransport& transport_;
  Journal& journal_;
  const Clock& clock_;
  std::ostream& console_;
  CoordinatorOptions options_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<Searcher> searcher_;
  RunRecord record_;
  int parallelism_ = 0;
  std::set<int> idle_workers_;     // workers (among the first `parallelism_`) with no trial
  std::set<int> busy_workers_;
  std::map<TrialId, int> awaiting_checkpoint_;  // promoted before its pause was released
  int workers_ready_ = 0;
  bool searcher_exhausted_ = false;
  bool stopping_ = false;
  CompletionCheck completion_;
  double last_status_s_ = 0.0;
  // Decision latency, wall time per handled message (CoordinatorStats); a steady_clock read
  // on each side and one float per message.
  std::vector<float> latency_us_;
};

// The seed of trial `id` in a job with seed `job_seed` (weights, data order).
[[nodiscard]] std::uint64_t trial_seed(std::uint64_t job_seed, TrialId id);

}  // namespace rung
