// MOBSTER (Klein et al., 2020, "Model-based Asynchronous Hyperparameter and Neural
// Architecture Search"), rung.searcher: mobster under Strategy Hyperband. One Gaussian
// process over (configuration, resource), fitted to every rung-level result; a new trial is
// the configuration with the largest expected improvement at the acquisition level: the
// largest rung level holding enough results.
//
// The kernel: rung's Matérn-5/2 ARD kernel with the resource as one more input, warped to
// log(r / r_min) / log(r_max / r_min) in [0, 1] (rung levels are geometric, so they sit evenly
// spaced). Rather than freeze-thaw's exponential-decay kernel, because it reuses the Bayesian
// searcher's tested GP, fit and acquisition as they are, and its own length scale along the
// resource says how far early results predict late ones (long: they do; short: each level
// stands alone, which the model then learns from the data instead of assuming a decay).
// MOBSTER's paper reports the two kernels close on its benchmarks.
//
// Data: at most max_model_points results, from the top level down (the acquisition level's
// results matter most; MultiFidelitySearcher::update_joint_model). Pending trials are fantasised at the acquisition level as the Bayesian
// searcher does (kriging believer, the bar raised to their predicted mean, candidates close
// to them left out).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rung/sched/multi_fidelity_searcher.hpp"

namespace rung {

class MobsterSearcher final : public MultiFidelitySearcher {
 public:
  MobsterSearcher(SearchSpace space, std::vector<int> levels, std::uint64_t seed,
                  MultiFidelityOptions options = {});
  [[nodiscard]] std::string name() const override { return "MOBSTER"; }
  // Hyperparameter fits so far.
  [[nodiscard]] int refits() const noexcept { return joint_fits(); }

 private:
  [[nodiscard]] std::optional<std::vector<double>> propose() override;
};

}  // namespace rung
