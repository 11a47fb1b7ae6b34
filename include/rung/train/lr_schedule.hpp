// Learning-rate schedules over a trial's whole life, shared by the trainers that step their own
// optimizer (ResNet-20, TorchScript modules). No torch here.
#pragma once

#include <cstdint>

#include "rung/config/hyperparameters.hpp"

namespace rung {

enum class LrSchedule { Cosine, Step, Constant };

struct LrScheduleOptions {
  double learning_rate = 0.1;  // the schedule's peak
  // "lr_schedule": cosine (from learning_rate down to 0 at MaxResource epochs), step (x0.1 at
  // 50% and 75% of MaxResource, as He et al.) or constant.
  LrSchedule schedule = LrSchedule::Cosine;
  double warmup_epochs = 0.0;  // "warmup_epochs": linear ramp from 0 over this many epochs

  // Reads "lr_schedule" and "warmup_epochs" from `hp` over the values already set (the
  // caller's defaults); learning_rate is the caller's. Throws InputError naming the
  // hyperparameter, its value and the rule.
  void read(const HyperParameters& hp);
};

// The learning rate of optimizer step `step` (0-based) of `steps_per_epoch` in epoch `epoch`
// (0-based, counted over the trial's whole life), for a trial that trains at most
// `max_epochs` (MaxResource). A pure function of these: a trial paused after epoch 3 and
// resumed on any rank continues the same curve. With p = epoch + step / steps_per_epoch:
//   warmup  (p + 1 / steps_per_epoch) / warmup_epochs times the rate below, while below 1
//   cosine  learning_rate * (1 + cos(pi * min(p / max_epochs, 1))) / 2
//   step    learning_rate * 0.1^(number of 0.5 * max_epochs, 0.75 * max_epochs that p reached)
//   constant learning_rate
[[nodiscard]] double scheduled_learning_rate(const LrScheduleOptions& options, int epoch,
                                             std::int64_t step, std::int64_t steps_per_epoch,
                                             int max_epochs);

}  // namespace rung
