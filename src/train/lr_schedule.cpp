#include "rung/train/lr_schedule.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "rung/config/error.hpp"

namespace rung {
namespace {

constexpr double kPi = 3.14159265358979323846;

}  // namespace

void LrScheduleOptions::read(const HyperParameters& hp) {
  if (hp.count("lr_schedule")) {
    const std::string s = get_string(hp, "lr_schedule");
    if (s == "cosine") {
      schedule = LrSchedule::Cosine;
    } else if (s == "step") {
      schedule = LrSchedule::Step;
    } else if (s == "constant") {
      schedule = LrSchedule::Constant;
    } else {
      throw InputError("hyperparameter \"lr_schedule\" is " + s + "; use cosine, step or constant");
    }
  }
  warmup_epochs = get_double_or(hp, "warmup_epochs", warmup_epochs);
  if (!(warmup_epochs >= 0.0) || !std::isfinite(warmup_epochs)) {
    throw InputError("hyperparameter \"warmup_epochs\" is " + to_string(ParamValue(warmup_epochs)) +
                     "; it must be finite and >= 0");
  }
}

double scheduled_learning_rate(const LrScheduleOptions& options, int epoch, std::int64_t step,
                               std::int64_t steps_per_epoch, int max_epochs) {
  const double steps = static_cast<double>(std::max<std::int64_t>(1, steps_per_epoch));
  const double p = static_cast<double>(epoch) + static_cast<double>(step) / steps;
  const double horizon = static_cast<double>(std::max(1, max_epochs));
  double rate = options.learning_rate;
  switch (options.schedule) {
    case LrSchedule::Cosine:
      rate *= 0.5 * (1.0 + std::cos(kPi * std::min(p / horizon, 1.0)));
      break;
    case LrSchedule::Step:
      if (p >= 0.5 * horizon) rate *= 0.1;
      if (p >= 0.75 * horizon) rate *= 0.1;
      break;
    case LrSchedule::Constant:
      break;
  }
  if (options.warmup_epochs > 0.0) {
    rate *= std::min(1.0, (p + 1.0 / steps) / options.warmup_epochs);
  }
  return rate;
}

}  // namespace rung
