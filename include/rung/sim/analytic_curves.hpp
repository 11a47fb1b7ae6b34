// A multi-fidelity test function with no data, for fast tests and quick simulations: over
// any search space, accuracy(hp, e) = a(u) - b(u) * exp(-c(u) * e) + noise, where u is the
// configuration in the space's unit cube. a peaks at a known optimum u*, so the best
// configuration is known; c varies with u so early rankings are informative but imperfect.
#pragma once

#include <cstdint>
#include <vector>

#include "rung/config/search_space.hpp"
#include "rung/sim/curve_source.hpp"

namespace rung {

struct AnalyticCurveOptions {
  int max_epochs = 100;
  double noise = 0.005;          // half-width of the uniform noise added to every value
  double base_epoch_s = 10.0;    // epoch time ranges over [base, 3 base] across the cube
  std::uint64_t seed = 0;        // the noise's hash seed
  std::string metric = "validation:accuracy";  // also reports "validation:loss" = 1 - it
};

class AnalyticCurves final : public CurveSource {
 public:
  AnalyticCurves(SearchSpace space, AnalyticCurveOptions options);

  [[nodiscard]] std::map<std::string, double> metrics_at(const HyperParameters& hp,
                                                         int epoch) const override;
  [[nodiscard]] double epoch_seconds(const HyperParameters& hp, int epoch) const override;
  [[nodiscard]] int max_epochs() const override { return options_.max_epochs; }
  [[nodiscard]] std::string name() const override { return "analytic"; }

  // The noise-free value at max_epochs of a configuration, and the global maximum of it.
  [[nodiscard]] double final_value(const HyperParameters& hp) const;
  [[nodiscard]] double best_final_value() const;
  // The optimum (decoded; integer and categorical ranges round, so it may lie a little off u*).
  [[nodiscard]] HyperParameters best_hyperparameters() const;

 private:
  [[nodiscard]] double noiseless(const std::vector<double>& u, int epoch) const;

  SearchSpace space_;
  AnalyticCurveOptions options_;
  std::vector<double> optimum_;  // u*, one coordinate per range
};

}  // namespace rung
