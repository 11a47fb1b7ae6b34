// Coordinator, decisions: the only code that feeds the scheduler, the searcher and the
// completion criteria. A live event and its replay on resume both come through here, so a
// resumed run's models end in exactly the interrupted run's state.
#include "rung/tune/coordinator.hpp"

#include <cmath>

namespace rung {

std::optional<std::pair<HyperParameters, int>> Coordinator::decide_start(TrialId id) {
  std::optional<HyperParameters> hp = searcher_->suggest(id);
  if (!hp) return std::nullopt;
  const int until = scheduler_->on_start(id);
  return std::make_pair(std::move(*hp), until);
}

Coordinator::ReportVerdict Coordinator::decide_report(const Trial& t, int epoch,
                                                      const std::map<std::string, double>& metrics) {
  ReportVerdict verdict;
  const auto it = metrics.find(job_.objective.metric_name);
  if (it == metrics.end() || !std::isfinite(it->second)) {
    scheduler_->on_failed(t.id);  // the trial fails: its release says so
    return verdict;
  }
  const double score = job_.objective.score(it->second);
  verdict.decision = scheduler_->on_report(t.id, epoch, score);
  searcher_->observe(t.id, epoch, score);
  verdict.ends_job = completion_.on_report(it->second);
  return verdict;
}

Decision Coordinator::ending_adjusted(Decision d) const {
  if (state_.is_stopping && (d == Decision::Continue || d == Decision::Pause)) {
    return Decision::Stop;
  }
  return d;
}

std::optional<EndReason> Coordinator::decide_release(const Trial& t, TrialOutcome outcome,
                                                     bool is_suspend_pause) {
  // Checkpointed for a suspension: the scheduler still counts it as running.
  if (is_suspend_pause) return std::nullopt;
  switch (outcome) {
    case TrialOutcome::Paused:
      return std::nullopt;
    case TrialOutcome::Stopped:
      return decide_trial_end(t, t.failure_reason.empty() ? TrialEnd::Stopped : TrialEnd::Failed);
    case TrialOutcome::Completed:
      return decide_trial_end(t, TrialEnd::Completed);
    case TrialOutcome::Failed:
      scheduler_->on_failed(t.id);
      return decide_trial_end(t, TrialEnd::Failed);
  }
  return std::nullopt;
}

std::optional<EndReason> Coordinator::decide_trial_end(const Trial& t, TrialEnd end) {
  searcher_->on_trial_end(t.id, end);
  if (end == TrialEnd::Failed || !t.objective) return std::nullopt;
  return completion_.on_trial_finished(*t.objective);
}

}  // namespace rung
