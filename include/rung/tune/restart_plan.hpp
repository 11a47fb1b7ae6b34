// What a resumed run does with the trials its previous segment left unfinished: from the
// replayed books and the checkpoints found, which trials restart (and from which epoch),
// and which had a final decision journaled but not their release (released now).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "rung/tune/coordinator_state.hpp"

namespace rung {

struct TrialRestart {
  TrialId trial = -1;
  int from = 0;  // the checkpoint's epoch (0: from scratch)
  // The epochs it trains again get the journal's decisions: every one Continue up to
  // through_epoch, at_end there (Pause for a trial whose last decision was a pause).
  int through_epoch = 0;
  Decision at_end = Decision::Continue;
  bool promoted = false;  // promoted before the interruption: it counts as resumed
};

struct TrialRelease {
  TrialId trial = -1;
  TrialOutcome outcome = TrialOutcome::Stopped;
};

struct RestartPlan {
  std::vector<TrialRestart> restarts;  // in trial order
  std::vector<TrialRelease> releases;
  int to_recompute = 0;  // epochs the restarts train a second time
};

// `checkpoint_epochs`: trial name -> the epoch its readable checkpoint holds (ResumePlan's).
[[nodiscard]] RestartPlan plan_restarts(const CoordinatorState& state,
                                        const std::map<std::string, int>& checkpoint_epochs);

}  // namespace rung
