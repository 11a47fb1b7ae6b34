// Expected improvement, maximised over configurations: the acquisition shared by the
// Bayesian, MOBSTER and Hyper-Tune searchers. A model is seen through `Posterior` (its
// predictive mean and variance over points of a ModelEncoding, with gradients); EI is
// compared in log space (Ament et al., 2023, "LogEI"), so that candidates far from the
// incumbent still rank where plain EI underflows to 0.
#pragma once

#include <cstddef>
#include <random>
#include <vector>

#include "rung/sched/gaussian_process.hpp"
#include "rung/sched/model_encoding.hpp"

namespace rung {

class Posterior {
 public:
  virtual ~Posterior() = default;
  // Mean and variance at every point (row-major, ModelEncoding::dims() numbers each).
  virtual void predict(const std::vector<double>& points, std::vector<double>& mean,
                       std::vector<double>& variance) const = 0;
  // One point, with gradients (either may be null).
  [[nodiscard]] virtual GpPrediction predict(const std::vector<double>& point,
                                             std::vector<double>* mean_gradient,
                                             std::vector<double>* variance_gradient) const = 0;
  // Prior correlation of two configurations, 1 for the same one.
  [[nodiscard]] virtual double correlation(const double* a, const double* b) const = 0;
};

// A GaussianProcess whose inputs are a configuration followed by `fixed` coordinates held at
// their values: MOBSTER's resource level; none for the Bayesian searcher. Holds a reference.
class GpPosterior final : public Posterior {
 public:
  explicit GpPosterior(const GaussianProcess& gp, std::vector<double> fixed = {});
  void predict(const std::vector<double>& points, std::vector<double>& mean,
               std::vector<double>& variance) const override;
  [[nodiscard]] GpPrediction predict(const std::vector<double>& point,
                                     std::vector<double>* mean_gradient,
                                     std::vector<double>* variance_gradient) const override;
  [[nodiscard]] double correlation(const double* a, const double* b) const override;
  // A configuration's point with the fixed coordinates appended: the GP's input.
  [[nodiscard]] std::vector<double> extend(const double* point) const;

 private:
  const GaussianProcess& gp_;
  std::vector<double> fixed_;
  std::size_t dims_;  // configuration coordinates
};

constexpr double kLowestLogEi = -1e10;  // "no improvement to speak of"

struct LogEi {
  double value = kLowestLogEi;
  double d_mean = 0.0;
  double d_variance = 0.0;
};
// log EI of a posterior (mean, variance) over the bar `best` (higher is better), with its
// derivatives with respect to mean and variance.
[[nodiscard]] LogEi log_expected_improvement(double mean, double variance, double best);

struct AcquisitionOptions {
  // EI is maximised over this many uniform candidates, plus local_candidates Gaussian
  // perturbations of the best observed points (at scales 0.1, 0.03, 0.01), then the best
  // refine_starts candidates are polished by L-BFGS on log EI (refine_max_evals each).
  int random_candidates = 256;
  int local_candidates = 128;
  int refine_starts = 2;
  int refine_max_evals = 25;
  // A candidate whose prior correlation with a pending point exceeds this is left out: the
  // pending trial will tell what it would.
  double max_pending_correlation = 0.99;
};

// The configuration (a projected point) with the largest log EI over `best` among the
// candidates, polished. `avoid`: points candidates keep away from (row-major): the trials
// still pending, and for the multi-fidelity searchers every configuration tried so far;
// `centres`: observed points to search near, best first.
[[nodiscard]] std::vector<double> maximize_expected_improvement(
    const Posterior& model, const ModelEncoding& encoding, const AcquisitionOptions& options,
    double best, const std::vector<double>& avoid,
    const std::vector<std::vector<double>>& centres, std::mt19937_64& rng);

}  // namespace rung
