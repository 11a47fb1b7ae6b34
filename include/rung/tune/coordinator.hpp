// The coordinator: rank 0's event loop. It owns the trial table, asks the scheduler what to
// promote and the searcher what to start, assigns work to idle workers, and journals every
// event before acting on it. It sees workers only through a CoordinatorTransport.
//
// A killed or suspended run resumes by replaying its journal through the same scheduler and
// searcher (resume_from): their state is then exactly the interrupted run's. Trials the run
// left on workers restart from their last checkpoint; the epochs they train again get the
// decisions the journal recorded, so the scheduler never sees an epoch twice.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "rung/comm/transport.hpp"
#include "rung/config/job_config.hpp"
#include "rung/sched/scheduler.hpp"
#include "rung/sched/searcher.hpp"
#include "rung/tune/clock.hpp"
#include "rung/tune/completion.hpp"
#include "rung/tune/journal.hpp"
#include "rung/tune/resume_plan.hpp"
#include "rung/tune/trial.hpp"

namespace rung {

struct CoordinatorOptions {
  double status_interval_s = 10.0;  // a status line on the console this often
  // The console is a terminal: the status line is a progress bar redrawn in place (and
  // cleared before each event line), not a new line in the log.
  bool is_terminal = false;
  // Non-zero (a signal number) asks the run to suspend: nothing new starts or is promoted,
  // each running trial is paused (checkpointed) at its next report, and run() returns with
  // is_suspended(). Usually &suspend_request() (rung/tune/suspend_request.hpp).
  const std::atomic<int>* suspend_signal = nullptr;
  // Seconds from run()'s start by which the run must be suspended (the segment's end, from
  // `--deadline` or Slurm's end time less a margin). Before it, nothing starts or is
  // promoted whose estimated time would overrun it; at it, the run suspends.
  std::optional<double> deadline_in_s;
};

// The signal number a deadline suspends with (suspend events name it "deadline").
inline constexpr int kDeadlineSignal = -1;

class Coordinator {
 public:
  Coordinator(const JobConfig& job, CoordinatorTransport& transport, Journal& journal,
              const Clock& clock, std::ostream& console, CoordinatorOptions options);

  // Makes run() continue the run `plan` holds instead of starting one. Throws Error when the
  // replay does not reproduce the journal (another job, another rung, a damaged journal).
  void resume_from(ResumePlan plan);

  // Runs the job to its end (or until a suspend request) and shuts every worker down.
  // Returns the run's record, previous segments included.
  RunRecord run();

  // run() stopped on a suspend request: the outputs stand as they are, resume to finish.
  [[nodiscard]] bool is_suspended() const noexcept { return is_suspended_; }
  // Epochs this segment trained a second time (restarted trials before their checkpoint).
  [[nodiscard]] int recomputed_epochs() const noexcept { return recomputed_epochs_; }

 private:
  // Epochs a restarted trial trains again: they get the journal's decisions, the last one
  // (at through_epoch) `at_end`, every earlier one Continue.
  struct Retrain {
    int through_epoch = 0;
    Decision at_end = Decision::Continue;
  };

  [[nodiscard]] double now() const { return time_offset_s_ + clock_.now_s(); }
  void journal_job_start();
  // Replays resume_'s events (coordinator_replay.cpp), then plans the restarts.
  void replay_journal();
  void replay_event(const std::string& json);
  void plan_restarts();
  void restart_trial(int worker, TrialId id);
  void on_recomputed(int worker, const EpochReport& report, Trial& t);
  // The bookkeeping of one report, shared by live reports and the replay: the curve, the
  // scheduler, the searcher and the completion criteria. Returns the decision.
  Decision record_report(Trial& t, int worker, int epoch,
                         const std::map<std::string, double>& metrics, double train_s,
                         double eval_s, double at_s);
  // A trial's release, shared likewise: its new status, and the searcher and criteria.
  void record_release(Trial& t, TrialOutcome outcome, const std::string& message, double at_s);
  void journal_release(const Trial& t, int worker, int epoch, TrialOutcome outcome,
                       double checkpoint_s, const char* why);
  void begin_suspend(int signal);
  void finish_suspend();
  // Seconds an epoch of `t` is expected to take: the mean of its last few epochs, else the
  // mean over every epoch of the run; nullopt before any epoch.
  [[nodiscard]] std::optional<double> epoch_estimate_s(const Trial* t) const;
  // Whether `epochs` more epochs of `t` (nullptr: a new trial) would end past the deadline.
  [[nodiscard]] bool would_overrun(const Trial* t, int epochs) const;

  void dispatch_idle_workers();
  void start_new_trial(int worker);
  void resume_trial(int worker, const Promotion& promotion);
  // The message that starts trial `t` (or resumes it from its checkpoint at t.epochs).
  [[nodiscard]] Assign assignment(const Trial& t, int until_epoch, int start_epoch) const;
  [[nodiscard]] int next_milestone(int epoch) const;
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
  // The console, for a new event line: clears the progress bar first when one is showing.
  std::ostream& console_line();
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
  bool is_bar_shown_ = false;  // a progress bar ends the console's last line (is_terminal)
  // Resuming: the plan, time already spent by earlier segments, this segment's number.
  std::optional<ResumePlan> resume_;
  double time_offset_s_ = 0.0;
  int segment_ = 1;
  bool is_replaying_ = false;
  double replay_ms_ = 0.0;
  std::deque<TrialId> restarts_;         // interrupted trials waiting for a worker
  std::map<TrialId, int> restart_from_;  // ... and the checkpoint epoch each restarts from
  std::map<TrialId, Retrain> retrain_;
  std::set<TrialId> promoted_restarts_;  // restarts the scheduler promoted (times_resumed)
  // Replay only: the last journaled decision of each trial since its start or promotion,
  // trials promoted before their pause was released, and trials paused by a suspension.
  std::map<TrialId, Decision> last_decision_;
  std::set<TrialId> reserved_;
  std::set<TrialId> suspend_paused_;
  int recomputed_epochs_ = 0;
  int recomputed_mismatches_ = 0;
  // Suspending: set by a suspend request, until every running trial is released.
  bool is_suspending_ = false;
  bool is_suspended_ = false;
  int suspend_signal_ = 0;
  // The deadline in job time, and what it held back (nothing is dispatched after a hold).
  std::optional<double> deadline_s_;
  bool is_held_by_deadline_ = false;
  int held_starts_ = 0;
  std::vector<TrialId> held_promotions_;
  // Decision latency, wall time per handled message (CoordinatorStats); a steady_clock read
  // on each side and one float per message.
  std::vector<float> latency_us_;
};

// The seed of trial `id` in a job with seed `job_seed` (weights, data order).
[[nodiscard]] std::uint64_t trial_seed(std::uint64_t job_seed, TrialId id);

}  // namespace rung
