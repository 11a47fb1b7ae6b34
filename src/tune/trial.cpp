#include "rung/tune/trial.hpp"

namespace rung {

std::optional<TrialId> RunRecord::best_trial(bool maximize) const {
  std::optional<TrialId> best;
  for (const Trial& t : trials) {
    if (!t.objective || t.status == TrialStatus::Failed) continue;
    // Ties go to the trial that trained longer, then to the earlier one.
    if (!best) {
      best = t.id;
      continue;
    }
    const Trial& b = trials[static_cast<std::size_t>(*best)];
    const double tv = maximize ? *t.objective : -*t.objective;
    const double bv = maximize ? *b.objective : -*b.objective;
    if (tv > bv || (tv == bv && t.epochs > b.epochs)) best = t.id;
  }
  return best;
}

}  // namespace rung
