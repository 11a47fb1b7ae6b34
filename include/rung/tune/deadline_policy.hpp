// The segment's deadline (`--deadline`, or Slurm's end time less a margin): before it,
// nothing starts or is promoted whose estimated time would overrun it. Estimates are the
// mean of a trial's last few epochs, else the mean epoch of the whole run.
#pragma once

#include <optional>
#include <vector>

#include "rung/tune/trial.hpp"

namespace rung {

class DeadlinePolicy {
 public:
  DeadlinePolicy() = default;  // no deadline: nothing is ever held back
  explicit DeadlinePolicy(double deadline_s) : deadline_s_(deadline_s) {}

  [[nodiscard]] const std::optional<double>& deadline_s() const noexcept { return deadline_s_; }
  [[nodiscard]] bool has_passed(double now_s) const noexcept {
    return deadline_s_ && now_s >= *deadline_s_;
  }
  // Whether `epochs` more epochs of `t` (nullptr: a new trial), begun at now_s, would end past
  // the deadline. False before any epoch was measured. `latest_epoch_s`: the seconds of an
  // epoch of `t` just reported and not yet in its curve.
  [[nodiscard]] bool would_overrun(const RunRecord& record, const Trial* t, int epochs,
                                   double now_s,
                                   std::optional<double> latest_epoch_s = std::nullopt) const;

  // What was held back for the next segment (nothing is dispatched after a hold).
  void hold_start() { ++held_starts_; }
  void hold_promotion(TrialId trial) { held_promotions_.push_back(trial); }
  [[nodiscard]] bool is_holding() const noexcept {
    return held_starts_ > 0 || !held_promotions_.empty();
  }
  [[nodiscard]] int held_starts() const noexcept { return held_starts_; }
  [[nodiscard]] const std::vector<TrialId>& held_promotions() const noexcept {
    return held_promotions_;
  }

 private:
  std::optional<double> deadline_s_;
  int held_starts_ = 0;
  std::vector<TrialId> held_promotions_;
};

// Seconds an epoch of `t` is expected to take: the mean of its last few epochs (`latest_s`
// first, when given), else the mean over every epoch of the run; nullopt before any epoch.
[[nodiscard]] std::optional<double> epoch_estimate_s(const RunRecord& record, const Trial* t,
                                                     std::optional<double> latest_s = {});

}  // namespace rung
