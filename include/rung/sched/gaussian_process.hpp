// A Gaussian-process regression model for the Bayesian searcher: a Matérn-5/2 kernel with one
// length scale per input dimension (ARD), a signal variance and a noise variance, on
// standardized targets; hyperparameters fitted by maximising the log marginal likelihood.
// Points are row-major std::vectors (dims() numbers per point), so that users of this header
// need no Eigen; Eigen and NLopt stay inside src/sched.
#pragma once

#include <cstddef>
#include <memory>
#include <random>
#include <vector>

namespace rung {

// In the units of the standardized targets (zero mean, unit variance).
struct GpHyperparameters {
  std::vector<double> lengthscales;  // one per input dimension
  double signal_variance = 1.0;
  double noise_variance = 1e-3;
};

// Bounds and effort of the marginal-likelihood fit. The fit works in log space, where the
// bounds make a box: length scales from "wigglier than any sensible objective" to "this
// input does not matter" (the inputs live in the unit cube), signal variance around the
// standardized targets' 1, and noise from "almost noise-free" to "nothing but noise".
struct GpFitOptions {
  // Starting points: the warm start (the previous optimum) when given, a default one and
  // random_starts random ones. All are screened by their likelihood (no gradient, about a
  // fifth of the cost of an evaluation with one: no inverse); L-BFGS runs from the warm
  // start and from the best of the others, lbfgs_starts runs in all.
  int random_starts = 8;
  int lbfgs_starts = 2;
  int max_evals = 100;  // L-BFGS evaluations per run
  double min_lengthscale = 0.01;
  double max_lengthscale = 20.0;
  double min_signal_variance = 0.05;
  double max_signal_variance = 20.0;
  double min_noise_variance = 1e-6;
  double max_noise_variance = 1.0;
};

// The posterior of the latent function at one point, in the targets' units.
struct GpPrediction {
  double mean = 0.0;
  double variance = 0.0;
};

class GaussianProcess {
 public:
  explicit GaussianProcess(std::size_t dims);
  ~GaussianProcess();
  GaussianProcess(GaussianProcess&&) noexcept;
  GaussianProcess& operator=(GaussianProcess&&) noexcept;
  GaussianProcess(const GaussianProcess&) = delete;
  GaussianProcess& operator=(const GaussianProcess&) = delete;

  [[nodiscard]] std::size_t dims() const noexcept;
  [[nodiscard]] std::size_t size() const noexcept;  // observations, pending points excluded
  [[nodiscard]] const GpHyperparameters& hyperparameters() const noexcept;

  // Replaces hyperparameters and data (one Cholesky factorization, O(n^3)); forgets pending
  // points. Targets are in the caller's units; the model standardizes them.
  void reset(const GpHyperparameters& hp, const std::vector<double>& points,
             const std::vector<double>& targets);
  // One more observation, hyperparameters unchanged: the Cholesky factor grows by a row,
  // O(n^2). Forgets pending points.
  void add(const std::vector<double>& point, double target);
  // New targets for the same points (a warping of the scores that moved them all): O(n^2).
  void set_targets(const std::vector<double>& targets);
  // Kriging believer: conditions on each pending point as if it had been observed, without
  // noise, at the posterior mean there. The mean is then unchanged everywhere (conditioning
  // on the mean moves nothing), only the variance shrinks near pending points (to about 0
  // at them), so it is enough to extend the factor by one block of rows, O(n^2 p).
  // Replaces the previous pending set.
  void set_pending(const std::vector<double>& points);

  // The latent function's posterior at each point (row-major), in the targets' units; the
  // variance accounts for the pending points. One triangular solve with all points at once.
  void predict(const std::vector<double>& points, std::vector<double>& mean,
               std::vector<double>& variance) const;
  // One point, with the gradients of mean and variance with respect to it (either may be
  // null).
  [[nodiscard]] GpPrediction predict(const std::vector<double>& point,
                                     std::vector<double>* mean_gradient,
                                     std::vector<double>* variance_gradient) const;
  // `samples` joint draws of the latent function at the points (row-major), in the targets'
  // units: out[i * samples + k] is draw k at point i. Pending points count as observed.
  [[nodiscard]] std::vector<double> sample_joint(const std::vector<double>& points,
                                                 std::size_t samples, std::mt19937_64& rng) const;
  // The prior correlation k(a, b) / signal variance of two points (dims() numbers each):
  // 1 for the same point, towards 0 as they part, measured in length scales.
  [[nodiscard]] double correlation(const double* a, const double* b) const;
  // The posterior mean at each observed point: the noise-aware incumbent for expected
  // improvement. O(n).
  [[nodiscard]] std::vector<double> mean_at_observations() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The log marginal likelihood of the standardized targets under the hyperparameters
// log_params = (log lengthscale_1..d, log signal variance, log noise variance), and, when
// gradient is not null, its gradient with respect to log_params (analytic).
[[nodiscard]] double gp_log_marginal_likelihood(const std::vector<double>& points,
                                                const std::vector<double>& targets,
                                                const std::vector<double>& log_params,
                                                std::vector<double>* gradient);

// Maximises the log marginal likelihood with NLopt's L-BFGS in log-parameter space inside
// the options' bounds, from the starts GpFitOptions describes (random ones drawn from rng);
// returns the best point found.
[[nodiscard]] GpHyperparameters fit_gp_hyperparameters(
    const std::vector<double>& points, const std::vector<double>& targets, std::size_t dims,
    const GpFitOptions& options, std::mt19937_64& rng, const GpHyperparameters* warm_start);

}  // namespace rung
