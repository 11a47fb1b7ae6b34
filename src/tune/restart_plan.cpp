#include "rung/tune/restart_plan.hpp"

namespace rung {

RestartPlan plan_restarts(const CoordinatorState& state,
                          const std::map<std::string, int>& checkpoint_epochs) {
  RestartPlan plan;
  for (const Trial& t : state.record.trials) {
    const bool is_promoted = state.pending_promotions.count(t.id) > 0;
    const bool is_interrupted = t.status == TrialStatus::Running ||
                                state.suspend_paused.count(t.id) > 0 ||
                                (is_promoted && t.status == TrialStatus::Paused);
    if (!is_interrupted) continue;
    // The last decision the journal holds for it (a suspension pauses only trials the
    // scheduler let go on, so theirs is Continue); a promoted trial goes on.
    const auto last = state.last_decision.find(t.id);
    const Decision decision =
        last == state.last_decision.end() || is_promoted ? Decision::Continue : last->second;
    if (decision == Decision::Stop || decision == Decision::Complete) {
      plan.releases.push_back(
          {t.id, decision == Decision::Stop ? TrialOutcome::Stopped : TrialOutcome::Completed});
      continue;
    }
    // The trial's latest checkpoint, when it is readable and not ahead of the journal.
    int from = 0;
    const auto ckpt = checkpoint_epochs.find(t.name);
    if (ckpt != checkpoint_epochs.end() && ckpt->second <= t.epochs) from = ckpt->second;
    if (decision == Decision::Pause && from == t.epochs) {
      plan.releases.push_back({t.id, TrialOutcome::Paused});  // written, not journaled
      continue;
    }
    // Planned even when the checkpoint is at the last epoch: a worker that cannot load it
    // trains the trial again from scratch, and those epochs need the journal's decisions too.
    plan.restarts.push_back({t.id, from, t.epochs,
                             decision == Decision::Pause ? Decision::Pause : Decision::Continue,
                             is_promoted});
    plan.to_recompute += t.epochs - from;
  }
  return plan;
}

}  // namespace rung
