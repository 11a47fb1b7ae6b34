// Hyper-Tune (Li et al., 2022, "Hyper-Tune: Towards Efficient Hyper-parameter Tuning at
// Scale"), rung.searcher: hypertune under Strategy Hyperband. A model per rung level, and
// proposals that maximise expected improvement under their ensemble: mean sum_l w_l mu_l(x),
// variance sum_l w_l^2 var_l(x). The level models are MOBSTER's joint Gaussian process over
// (configuration, resource) sliced at each level, as Syne Tune's "joint" Hyper-Tune model
// does, rather than independent per-level processes: a configuration stopped at a low level
// then tells the higher levels' models something (with independent ones, they kept proposing
// it again), and one fit serves all levels. The weights w say
// how well each level ranks the results of the highest level with enough of them: for each
// level, posterior samples of the fraction of that level's pairs of configurations it orders
// wrongly (the top level's own by cross-validation, up to 5 folds), and w_l = the share of
// samples in which level l has the smallest loss (below 1% dropped). Where early epochs
// mislead, the low levels lose their weight; where they predict well, their many cheap
// results steer the search.
//
// Under multi-bracket Hyperband the same weights choose where new trials start: bracket s
// (whose first rung is level s) gets probability proportional to w_s / r_s (a level that
// ranks well and costs little is worth starting at), written to the BracketAdvice the
// HyperbandScheduler draws from. As in Syne Tune's implementation, the weights are learned as
// soon as the second level has enough results (not only once the top bracket's first level
// has), and brackets beyond the supported levels keep Hyperband's own allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rung/sched/bracket_advice.hpp"
#include "rung/sched/multi_fidelity_searcher.hpp"

namespace rung {

class HyperTuneSearcher final : public MultiFidelitySearcher {
 public:
  // `advice` (may be null) receives the bracket distribution over the first `brackets`
  // brackets.
  HyperTuneSearcher(SearchSpace space, std::vector<int> levels, std::uint64_t seed,
                    MultiFidelityOptions options = {},
                    std::shared_ptr<BracketAdvice> advice = nullptr, std::size_t brackets = 0);
  [[nodiscard]] std::string name() const override { return "Hyper-Tune"; }
  // The ensemble's weight of each rung level (0 where a level has no say).
  [[nodiscard]] const std::vector<double>& level_weights() const noexcept { return weights_; }

 private:
  [[nodiscard]] std::optional<std::vector<double>> propose() override;
  void learn_weights(std::size_t supported);
  // Posterior samples of a model's ranking loss on the points (rows of its inputs) with the
  // given scores.
  [[nodiscard]] std::vector<double> ranking_losses(const GaussianProcess& model,
                                                   const std::vector<double>& points,
                                                   const std::vector<double>& scores);
  [[nodiscard]] std::vector<double> top_level_losses(std::size_t top,
                                                     const std::vector<double>& points,
                                                     const std::vector<double>& scores);

  std::vector<double> weights_;  // per level
  std::pair<std::size_t, std::size_t> learned_for_{0, 0};  // (supported levels, top results)
  std::shared_ptr<BracketAdvice> advice_;
  std::size_t brackets_;
};

}  // namespace rung
