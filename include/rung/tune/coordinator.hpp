// The coordinator: rank 0's event loop. It asks the scheduler what to promote and the
// searcher what to start, assigns work to idle workers, and journals every event before
// anything acts on it. It sees workers only through a CoordinatorTransport.
//
// Event-sourced: each step decides (the scheduler and searcher are fed here and only here),
// builds the event, appends it to the journal and applies it to the books
// (CoordinatorState::apply, the only code that changes them). Messages to workers wait in an
// outbox until the journal is on disk: events that arrive together are synced once (group
// commit), and no worker acts on an event the journal could lose.
//
// A killed or suspended run resumes by replaying its journal: each event is decided again
// (so the scheduler and searcher end in exactly the interrupted run's state), checked against
// what the journal says, and applied. Trials the run left on workers restart from their last
// checkpoint; the epochs they train again get the decisions the journal recorded.
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
#include <utility>
#include <vector>

#include "rung/comm/transport.hpp"
#include "rung/config/job_config.hpp"
#include "rung/sched/scheduler.hpp"
#include "rung/sched/searcher.hpp"
#include "rung/tune/clock.hpp"
#include "rung/tune/completion.hpp"
#include "rung/tune/coordinator_console.hpp"
#include "rung/tune/coordinator_state.hpp"
#include "rung/tune/deadline_policy.hpp"
#include "rung/tune/journal.hpp"
#include "rung/tune/restart_plan.hpp"
#include "rung/tune/resume_plan.hpp"

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
  // Messages handled together before the journal is synced and the replies go out.
  int max_batch = 256;
  // Set where workers send heartbeats (the MPI transport): a worker silent for this long is
  // given up. Its trial fails (ReleaseEvent, why "worker lost"), the job goes on with the
  // other workers, and when none is left the run suspends (resumable). Unset: never, for
  // workers that cannot vanish unnoticed (in-process threads, the simulator).
  std::optional<double> worker_timeout_s;
};

// The signal number a deadline suspends with (suspend events name it "deadline").
inline constexpr int kDeadlineSignal = -1;
// The signal number of a run suspended because every worker was given up ("workers lost").
inline constexpr int kWorkersLostSignal = -2;

// What the coordinator works with, all made by the caller: the job's scheduler and searcher
// (make_scheduler, make_searcher), the workers, the journal, the clock and the console.
struct CoordinatorParts {
  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<Searcher> searcher;
  CoordinatorTransport& transport;
  Journal& journal;
  const Clock& clock;
  std::ostream& console;
};

class Coordinator {
 public:
  Coordinator(const JobConfig& job, CoordinatorParts parts, CoordinatorOptions options);

  // Makes run() continue the run `plan` holds instead of starting one. run() throws Error
  // when the replay does not reproduce the journal (another job, another rung, a damaged
  // journal).
  void resume_from(ResumePlan plan);

  // Runs the job to its end (or until a suspend request) and shuts every worker down.
  // Returns the run's record, previous segments included.
  RunRecord run();

  // run() stopped on a suspend request: the outputs stand as they are, resume to finish.
  [[nodiscard]] bool is_suspended() const noexcept { return is_suspended_; }
  // Epochs this segment trained a second time (restarted trials before their checkpoint).
  [[nodiscard]] int recomputed_epochs() const noexcept { return recomputed_epochs_; }
  // Workers given up for silence (CoordinatorOptions::worker_timeout_s). Their ranks may
  // still be alive but hung: an MPI run cannot end them collectively.
  [[nodiscard]] const std::set<int>& lost_workers() const noexcept { return lost_workers_; }

 private:
  // What the scheduler, searcher and completion criteria made of a report.
  struct ReportVerdict {
    Decision decision = Decision::Stop;
    std::optional<EndReason> ends_job;
  };

  [[nodiscard]] double now() const { return time_offset_s_ + clock_.now_s(); }
  [[nodiscard]] Trial& trial(TrialId id) { return state_.trial(id); }

  // --- the event loop (coordinator.cpp) ---
  void check_limits();
  [[nodiscard]] bool is_done() const;
  [[nodiscard]] double wait_s() const;
  // Notes when `msg`'s worker was last heard from; false for a message that needs no handling
  // (a heartbeat, or anything from a worker already given up).
  [[nodiscard]] bool hear(const FromWorker& msg);
  void handle(const FromWorker& msg);
  // Gives up every worker silent for longer than options_.worker_timeout_s.
  void give_up_silent_workers();
  void lose_worker(int worker, double silent_s);
  // Journals `event` and applies it to the books.
  void commit(const JournalEvent& event);
  // Queues a message; deliver() sends the queue once the journal is on disk.
  void send(int worker, ToWorker msg);
  void deliver();
  void finish_run();

  // --- decisions, shared by live events and the replay (coordinator_decide.cpp) ---
  // The searcher's hyperparameters for a new trial and the scheduler's first milestone;
  // nullopt when the searcher has nothing left.
  [[nodiscard]] std::optional<std::pair<HyperParameters, int>> decide_start(TrialId id);
  [[nodiscard]] ReportVerdict decide_report(const Trial& t, int epoch,
                                            const std::map<std::string, double>& metrics);
  // A job that is ending lets no trial train on or pause for a promotion that cannot come.
  [[nodiscard]] Decision ending_adjusted(Decision d) const;
  // Tells the scheduler, searcher and criteria that `t` was released with `outcome`.
  [[nodiscard]] std::optional<EndReason> decide_release(const Trial& t, TrialOutcome outcome,
                                                        bool is_suspend_pause);
  [[nodiscard]] std::optional<EndReason> decide_trial_end(const Trial& t, TrialEnd end);

  // --- live events (coordinator.cpp) ---
  void dispatch_idle_workers();
  // Returns false when the deadline held the promotion (nothing more is dispatched).
  bool promote(int worker, const Promotion& promotion);
  void start_new_trial(int worker);
  void resume_trial(int worker, TrialId id, int until_epoch);
  [[nodiscard]] Assign assignment(const Trial& t, int until_epoch, int start_epoch) const;
  [[nodiscard]] int next_milestone(int epoch) const;
  void on_ready(int worker, const Ready& ready);
  void on_report(int worker, const EpochReport& report);
  void on_recomputed(int worker, const EpochReport& report, Trial& t);
  void on_released(int worker, const TrialReleased& released, const char* why = nullptr);
  void release(Trial& t, int worker, int epoch, TrialOutcome outcome, double checkpoint_s,
               const std::string& message, const char* why);
  // Ends the job early for `reason`: nothing new starts or resumes, and every running trial
  // is stopped at its next epoch boundary (Stopped, with its epochs kept).
  void begin_stop(EndReason reason);
  void finish_paused_trials();
  void record_coordinator_stats(double loop_wall_s);

  // --- resuming and suspending (coordinator_resume.cpp) ---
  void journal_job_start();
  void replay_journal();
  void replay(const JournalEvent& event);
  void begin_segment();
  void restart_trial(int worker, const TrialRestart& restart);
  void begin_suspend(int signal);
  void finish_suspend();

  const JobConfig& job_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<Searcher> searcher_;
  CoordinatorTransport& transport_;
  Journal& journal_;
  const Clock& clock_;
  CoordinatorConsole console_;
  CoordinatorOptions options_;
  CompletionCheck completion_;
  CoordinatorState state_;

  // Workers (among the first `parallelism_`) with no trial, and those training one.
  int parallelism_ = 0;
  std::set<int> idle_workers_;
  std::set<int> busy_workers_;
  std::map<TrialId, int> held_workers_;  // promoted trial -> the worker waiting for its release
  int workers_ready_ = 0;
  bool searcher_exhausted_ = false;
  std::vector<std::pair<int, ToWorker>> outbox_;

  // Liveness (with options_.worker_timeout_s): when each worker was last heard from, the
  // workers given up, and promotions whose held worker was given up (any worker takes them).
  std::map<int, std::chrono::steady_clock::time_point> last_heard_;
  std::set<int> used_workers_;  // announced themselves and are within the parallelism limit
  std::set<int> lost_workers_;
  std::deque<TrialId> unheld_promotions_;

  // Resuming: the plan, time already spent by earlier segments, the replay's cost.
  std::optional<ResumePlan> resume_;
  double time_offset_s_ = 0.0;
  double replay_ms_ = 0.0;
  std::deque<TrialRestart> restarts_;  // interrupted trials waiting for a worker
  // Restarted or promoted trials whose epochs up to through_epoch are trained again.
  std::map<TrialId, TrialRestart> retrain_;
  int recomputed_epochs_ = 0;
  int recomputed_mismatches_ = 0;

  // Suspending: set by a suspend request, until every running trial is released.
  bool is_suspending_ = false;
  bool is_suspended_ = false;
  int suspend_signal_ = 0;
  DeadlinePolicy deadline_;

  // Decision latency, wall time per handled message (CoordinatorStats): from its arrival to
  // its replies on their way, the journal sync included.
  std::vector<float> latency_us_;
};

// The seed of trial `id` in a job with seed `job_seed` (weights, data order).
[[nodiscard]] std::uint64_t trial_seed(std::uint64_t job_seed, TrialId id);

}  // namespace rung
