// The coordinator's books as a function of the journal: every state change a run makes is
// an event, and apply() is the only code that changes the books. A live run decides, journals
// the event, then applies it; a resumed run applies the interrupted run's events in order.
// The scheduler and searcher are not here: they are fed by the coordinator's decisions
// (coordinator.hpp), which a resume re-runs and checks against the journal.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "rung/tune/journal_event.hpp"
#include "rung/tune/trial.hpp"

namespace rung {

class CoordinatorState {
 public:
  std::string objective_metric;  // the job's objective (a report without it fails the trial)
  RunRecord record;  // the trial table, its curves and the run's counters
  bool is_stopping = false;  // the job is ending (a `stopping` event)
  int segment = 1;           // the walltime segment the last `resume` event began
  // Trials the scheduler promoted that are not running yet: promoted before their pause was
  // released (they wait for the release), or held back for the next segment by the deadline.
  std::set<TrialId> pending_promotions;
  // Trials checkpointed for a suspension: the scheduler still counts them as running.
  std::set<TrialId> suspend_paused;
  // Each trial's last journaled decision since its start, promotion or restart.
  std::map<TrialId, Decision> last_decision;

  // Changes the books as `event` says. Throws Error for an event these books cannot take
  // (an unknown trial, an epoch out of order): a journal of another run, or a damaged one.
  void apply(const JournalEvent& event);

  [[nodiscard]] Trial& trial(TrialId id);
  [[nodiscard]] const Trial& trial(TrialId id) const;

 private:
  void on(const StartEvent& e);
  void on(const ReportEvent& e);
  void on(const RecomputedEvent& e);
  void on(const ReleaseEvent& e);
  void on(const PromotePendingEvent& e);
  void on(const PromoteEvent& e);
  void on(const RestartEvent& e);
  void on(const StoppingEvent& e);
  void on(const FinishPausedEvent& e);
  void on(const ResumeEvent& e);
  void on(const JobEndEvent& e);
  // job_start, worker_ready, suspending, suspend and event kinds of newer versions change no
  // books (workers are each segment's own).
  template <typename Other>
  void on(const Other&) {}
};

// The record of a run rebuilt from its journal's events alone (the books, plus what
// job_start and job_end say): the outputs of a run killed after it ended but before it wrote
// them. What the journal does not hold stays zero (the coordinator's own statistics, the
// trials-not-improving count). Throws Error for an event that is not one.
[[nodiscard]] RunRecord record_from_journal(const std::vector<std::string>& events);

// The status a release with `outcome` leaves trial `t` in (a trial stopped after a failure
// the coordinator saw is Failed), given whether it was paused for a suspension.
[[nodiscard]] TrialStatus status_after_release(const Trial& t, TrialOutcome outcome,
                                               bool is_suspend_pause);

}  // namespace rung
