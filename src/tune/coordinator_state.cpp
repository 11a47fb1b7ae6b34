#include "rung/tune/coordinator_state.hpp"

#include <cmath>

#include "rung/config/error.hpp"

namespace rung {

TrialStatus status_after_release(const Trial& t, TrialOutcome outcome, bool is_suspend_pause) {
  if (is_suspend_pause) return TrialStatus::Paused;
  switch (outcome) {
    case TrialOutcome::Paused: return TrialStatus::Paused;
    case TrialOutcome::Stopped:
      return t.failure_reason.empty() ? TrialStatus::Stopped : TrialStatus::Failed;
    case TrialOutcome::Completed: return TrialStatus::Completed;
    case TrialOutcome::Failed: return TrialStatus::Failed;
  }
  return TrialStatus::Failed;
}

Trial& CoordinatorState::trial(TrialId id) {
  if (id < 0 || static_cast<std::size_t>(id) >= record.trials.size()) {
    throw Error("an event about unknown trial " + std::to_string(id));
  }
  return record.trials[static_cast<std::size_t>(id)];
}

const Trial& CoordinatorState::trial(TrialId id) const {
  return const_cast<CoordinatorState*>(this)->trial(id);
}

RunRecord record_from_journal(const std::vector<std::string>& events) {
  CoordinatorState state;
  RunRecord& record = state.record;
  for (const std::string& json : events) {
    const JournalEvent event = parse_event(json);
    if (const auto* start = std::get_if<JobStartEvent>(&event)) {
      state.objective_metric = start->objective;
      record.job_name = start->job;
      record.rungs = start->rungs;
      record.scheduler = start->scheduler;
      record.searcher = start->searcher;
      record.seed = start->seed;
      record.workers = start->workers;
    } else if (const auto* end = std::get_if<JobEndEvent>(&event)) {
      record.runtime_s = end->t;
    }
    state.apply(event);
  }
  record.segment = state.segment;
  return record;
}

void CoordinatorState::apply(const JournalEvent& event) {
  std::visit([this](const auto& e) { on(e); }, event);
}

void CoordinatorState::on(const StartEvent& e) {
  if (e.trial != static_cast<TrialId>(record.trials.size())) {
    throw Error("trial " + std::to_string(e.trial) + " starts out of order");
  }
  Trial t;
  t.id = e.trial;
  t.name = e.name;
  t.tuned = e.hyperparameters;
  t.seed = e.seed;
  t.start_s = e.t;
  t.worker = e.worker;
  record.trials.push_back(std::move(t));
  last_decision.erase(e.trial);
}

void CoordinatorState::on(const ReportEvent& e) {
  Trial& t = trial(e.trial);
  if (e.epoch != t.epochs + 1) {
    throw Error("trial " + t.name + " reports epoch " + std::to_string(e.epoch) +
                " after " + std::to_string(t.epochs));
  }
  EpochRecord r;
  r.epoch = e.epoch;
  r.metrics = e.metrics;
  r.train_time_s = e.train_s;
  r.eval_time_s = e.eval_s;
  r.reported_at_s = e.t;
  r.worker = e.worker;
  t.curve.push_back(std::move(r));
  t.epochs = e.epoch;
  t.worker = e.worker;
  record.total_epochs_trained += 1;
  const auto metric = e.metrics.find(objective_metric);
  if (metric == e.metrics.end()) {
    t.failure_reason = "the trainer did not report the objective metric " + objective_metric;
  } else if (!std::isfinite(metric->second)) {
    t.failure_reason =
        objective_metric + " is not finite at epoch " + std::to_string(e.epoch);
  } else {
    t.objective = metric->second;
    // A job that is ending stops every trial at its next report.
    if (is_stopping && e.decision == Decision::Stop && t.stop_reason.empty()) {
      t.stop_reason = "stopped at epoch " + std::to_string(e.epoch) +
                      ": the job is ending (" + to_string(record.end_reason) + ")";
    }
  }
  last_decision[e.trial] = e.decision;
  if (e.suspend) suspend_paused.insert(e.trial);
}

void CoordinatorState::on(const RecomputedEvent& e) {
  trial(e.trial).worker = e.worker;
  if (e.suspend) suspend_paused.insert(e.trial);
}

void CoordinatorState::on(const ReleaseEvent& e) {
  Trial& t = trial(e.trial);
  const bool is_suspend_pause =
      e.outcome == TrialOutcome::Paused && suspend_paused.count(t.id) > 0;
  t.status = status_after_release(t, e.outcome, is_suspend_pause);
  if (!is_suspend_pause) {
    suspend_paused.erase(t.id);
    if (e.outcome == TrialOutcome::Paused) {
      t.times_paused += 1;
    } else {
      t.end_s = e.t;
    }
    if (e.outcome == TrialOutcome::Failed) t.failure_reason = e.message;
    if (t.status == TrialStatus::Stopped && t.stop_reason.empty()) {
      t.stop_reason = "early-stopped at epoch " + std::to_string(t.epochs);
    }
  }
  // A promotion made before this release goes ahead, unless the job is ending.
  if (e.outcome != TrialOutcome::Paused || is_stopping) pending_promotions.erase(t.id);
}

void CoordinatorState::on(const PromotePendingEvent& e) {
  (void)trial(e.trial);
  pending_promotions.insert(e.trial);
}

void CoordinatorState::on(const PromoteEvent& e) {
  Trial& t = trial(e.trial);
  pending_promotions.erase(t.id);
  t.status = TrialStatus::Running;
  t.times_resumed += 1;
  t.worker = e.worker;
  last_decision.erase(t.id);
}

void CoordinatorState::on(const RestartEvent& e) {
  Trial& t = trial(e.trial);
  t.status = TrialStatus::Running;
  t.worker = e.worker;
  suspend_paused.erase(t.id);
  if (e.promoted) {
    pending_promotions.erase(t.id);
    t.times_resumed += 1;
    last_decision.erase(t.id);
  }
}

void CoordinatorState::on(const StoppingEvent& e) {
  if (!is_stopping) record.end_reason = e.reason;
  is_stopping = true;
  record.end_decided_s = e.t;
}

void CoordinatorState::on(const FinishPausedEvent& e) {
  Trial& t = trial(e.trial);
  t.status = TrialStatus::Stopped;
  t.stop_reason = "paused at epoch " + std::to_string(t.epochs) + ", never promoted";
  t.end_s = e.t;
}

void CoordinatorState::on(const ResumeEvent& e) {
  segment = e.segment;
}

void CoordinatorState::on(const JobEndEvent& e) {
  record.end_reason = e.reason;
}

}  // namespace rung
