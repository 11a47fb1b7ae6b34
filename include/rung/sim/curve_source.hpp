// Where a simulated worker's "training" comes from: per (configuration, epoch), the metrics
// the epoch reports and how long it takes. The simulator (`rung simulate`) replays these
// instead of training, so the real coordinator, searchers and schedulers run unchanged.
#pragma once

#include <map>
#include <string>

#include "rung/config/hyperparameters.hpp"

namespace rung {

class CurveSource {
 public:
  virtual ~CurveSource() = default;
  // The metrics reported after `epoch` (1-based) of a trial with these hyperparameters.
  // Deterministic: the same (hp, epoch) always gives the same metrics.
  [[nodiscard]] virtual std::map<std::string, double> metrics_at(const HyperParameters& hp,
                                                                 int epoch) const = 0;
  // Seconds that epoch `epoch` (1-based) takes; always > 0.
  [[nodiscard]] virtual double epoch_seconds(const HyperParameters& hp, int epoch) const = 0;
  // The last epoch the source knows; a trial asked to train past it fails.
  [[nodiscard]] virtual int max_epochs() const = 0;
  // For messages and the simulator's table ("analytic", "lcbench:189905").
  [[nodiscard]] virtual std::string name() const = 0;
};

}  // namespace rung
