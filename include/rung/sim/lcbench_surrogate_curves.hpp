// LCBench learning curves for one task, predicted by YAHPO Gym's surrogate
// (rung/sim/lcbench_surrogate.hpp), as a CurveSource: what `--curves lcbench:<task>` and
// rung.model lcbench replay. Every configuration gets its own curve, so a searcher's small
// moves change what it sees and no table caps the best it can find. The numbers are
// predictions of a model fitted on LCBench's runs, not measured runs (cite YAHPO Gym).
//
// The surrogate's inputs: each of LCBench's 7 hyperparameters from the trial (by LCBench's
// names), else from the job's static hyperparameters, else config_space.json's default. Job
// ranges must lie inside LCBench's config space; inside it, values the surrogate was not
// fitted on (num_layers 5, momentum > 0.982, weight_decay < 4.9e-5, batch_size 512) are
// extrapolated like any other. Metrics keep the tables' names (validation:accuracy as a
// fraction 0-1, validation:loss for val_cross_entropy, ...). Epoch time is the step of the
// predicted cumulative time, forced increasing (t_e >= t_{e-1} + 0.01 s) because a few
// predicted steps are <= 0, as for the tables.
//
// The whole 52-epoch curve of a configuration is one batch through the network, cached per
// configuration: the simulator asks for every epoch of a trial, metrics and duration apart.
// Not thread-safe (the cache): callers that share a source serialise (SharedCurves' mutex).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "rung/config/hyperparameters.hpp"
#include "rung/config/search_space.hpp"
#include "rung/sim/curve_source.hpp"
#include "rung/sim/lcbench_surrogate.hpp"

namespace rung {

class LcbenchSurrogateCurves final : public CurveSource {
 public:
  // Throws InputError for a task the surrogate lacks (listing the valid ids), a range that is
  // not one of LCBench's hyperparameters, a categorical value that is not a number, or a
  // range or static value outside LCBench's config space. `fixed` holds the job's static
  // hyperparameters (names that are not LCBench's are ignored).
  LcbenchSurrogateCurves(std::shared_ptr<const LcbenchSurrogate> model, const std::string& task_id,
                         const SearchSpace& space, const HyperParameters& fixed = {});

  [[nodiscard]] std::map<std::string, double> metrics_at(const HyperParameters& hp,
                                                         int epoch) const override;
  [[nodiscard]] double epoch_seconds(const HyperParameters& hp, int epoch) const override;
  [[nodiscard]] int max_epochs() const override { return kLcbenchEpochs; }
  [[nodiscard]] std::string name() const override { return name_; }

  // The values the surrogate receives for `hp`. Throws InputError when a tuned
  // hyperparameter is missing from hp or is not a number.
  [[nodiscard]] LcbenchConfig config_of(const HyperParameters& hp) const;
  [[nodiscard]] std::size_t cached_curves() const noexcept { return cache_.size(); }

  // More configurations than this and the cache starts again empty: a curve is cheap to
  // recompute, and this bounds the cache of a long simulation to about 13 MB.
  static constexpr std::size_t kMaxCachedCurves = 1 << 13;

 private:
  struct Curve {
    std::vector<float> metrics;   // epoch-major: kLcbenchEpochs x metric_names_.size()
    std::vector<double> epoch_s;  // kLcbenchEpochs
  };
  struct ConfigHash {
    std::size_t operator()(const LcbenchConfig& c) const noexcept;
  };

  const Curve& curve(const HyperParameters& hp) const;

  std::shared_ptr<const LcbenchSurrogate> model_;
  std::string name_;
  int task_code_ = 0;
  std::vector<bool> is_tuned_;              // per LCBench hyperparameter
  LcbenchConfig fixed_{};                   // the untuned values
  std::vector<std::string> metric_names_;   // rung's names, per surrogate output but time
  std::vector<std::size_t> metric_column_;  // their output columns
  std::vector<double> metric_scale_;        // to the tables' units (val_accuracy: 1/100)
  std::size_t time_column_ = 0;
  mutable std::unordered_map<LcbenchConfig, Curve, ConfigHash> cache_;
};

}  // namespace rung
