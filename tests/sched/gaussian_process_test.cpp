#include "rung/sched/gaussian_process.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace rung {
namespace {

struct Data {
  std::vector<double> x;  // row-major
  std::vector<double> y;
};

double uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// n points in [0,1]^d with targets from a smooth function of the first two inputs.
Data make_data(std::size_t n, std::size_t d, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Data data;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < d; ++j) data.x.push_back(uniform(rng));
    const double a = data.x[i * d];
    const double b = d > 1 ? data.x[i * d + 1] : 0.0;
    data.y.push_back(std::sin(6.0 * a) + 0.5 * b * b);
  }
  return data;
}

GpHyperparameters some_hyperparameters(std::size_t d) {
  GpHyperparameters hp;
  for (std::size_t j = 0; j < d; ++j) hp.lengthscales.push_back(0.3 + 0.1 * static_cast<double>(j));
  hp.signal_variance = 1.3;
  hp.noise_variance = 1e-4;
  return hp;
}

TEST(GaussianProcess, log_likelihood_gradient_matches_finite_differences) {
  const Data data = make_data(15, 3, 1);
  const std::vector<double> params = {std::log(0.4), std::log(0.7), std::log(1.5), std::log(0.8),
                                      std::log(1e-2)};
  std::vector<double> gradient;
  (void)gp_log_marginal_likelihood(data.x, data.y, params, &gradient);
  ASSERT_EQ(gradient.size(), params.size());
  for (std::size_t k = 0; k < params.size(); ++k) {
    auto up = params;
    auto down = params;
    up[k] += 1e-6;
    down[k] -= 1e-6;
    const double fd = (gp_log_marginal_likelihood(data.x, data.y, up, nullptr) -
                       gp_log_marginal_likelihood(data.x, data.y, down, nullptr)) /
                      2e-6;
    EXPECT_NEAR(gradient[k], fd, 1e-5 * std::max(1.0, std::fabs(fd))) << "parameter " << k;
  }
}

TEST(GaussianProcess, prediction_gradients_match_finite_differences) {
  const Data data = make_data(20, 3, 2);
  GaussianProcess gp(3);
  gp.reset(some_hyperparameters(3), data.x, data.y);
  gp.set_pending({0.5, 0.5, 0.5});
  const std::vector<double> x = {0.31, 0.62, 0.17};
  std::vector<double> d_mean;
  std::vector<double> d_var;
  (void)gp.predict(x, &d_mean, &d_var);
  for (std::size_t j = 0; j < 3; ++j) {
    auto up = x;
    auto down = x;
    up[j] += 1e-6;
    down[j] -= 1e-6;
    const GpPrediction a = gp.predict(up, nullptr, nullptr);
    const GpPrediction b = gp.predict(down, nullptr, nullptr);
    EXPECT_NEAR(d_mean[j], (a.mean - b.mean) / 2e-6, 1e-5) << "input " << j;
    EXPECT_NEAR(d_var[j], (a.variance - b.variance) / 2e-6, 1e-5) << "input " << j;
  }
}

TEST(GaussianProcess, interpolates_observations_when_noise_is_small) {
  const Data data = make_data(12, 2, 3);
  GaussianProcess gp(2);
  GpHyperparameters hp = some_hyperparameters(2);
  hp.noise_variance = 1e-8;
  gp.reset(hp, data.x, data.y);
  std::vector<double> mean;
  std::vector<double> variance;
  gp.predict(data.x, mean, variance);
  const auto at_data = gp.mean_at_observations();
  for (std::size_t i = 0; i < data.y.size(); ++i) {
    EXPECT_NEAR(mean[i], data.y[i], 1e-4);
    EXPECT_NEAR(at_data[i], data.y[i], 1e-4);
    EXPECT_LT(variance[i], 1e-4);
  }
  // Far from every observation the variance returns to the prior's.
  const GpPrediction far = gp.predict({40.0, -40.0}, nullptr, nullptr);
  EXPECT_GT(far.variance, 0.0);
  gp.predict({40.0, -40.0}, mean, variance);
  EXPECT_NEAR(variance[0], far.variance, 1e-12);
  EXPECT_NEAR(mean[0], far.mean, 1e-12);
}

TEST(GaussianProcess, adding_points_one_by_one_equals_a_reset_with_all_of_them) {
  const Data data = make_data(25, 2, 4);
  const GpHyperparameters hp = some_hyperparameters(2);
  GaussianProcess batch(2);
  batch.reset(hp, data.x, data.y);
  GaussianProcess incremental(2);
  incremental.reset(hp, std::vector<double>(data.x.begin(), data.x.begin() + 10 * 2),
                    std::vector<double>(data.y.begin(), data.y.begin() + 10));
  for (std::size_t i = 10; i < 25; ++i) {
    incremental.add({data.x[2 * i], data.x[2 * i + 1]}, data.y[i]);
  }
  const Data queries = make_data(30, 2, 5);
  std::vector<double> m1, v1, m2, v2;
  batch.predict(queries.x, m1, v1);
  incremental.predict(queries.x, m2, v2);
  for (std::size_t i = 0; i < m1.size(); ++i) {
    EXPECT_NEAR(m1[i], m2[i], 1e-8);
    EXPECT_NEAR(v1[i], v2[i], 1e-8);
  }
}

double population_sd(const std::vector<double>& v) {
  double mean = 0.0;
  for (const double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  double var = 0.0;
  for (const double x : v) var += (x - mean) * (x - mean);
  return std::sqrt(var / static_cast<double>(v.size()));
}

TEST(GaussianProcess, pending_points_shrink_the_variance_but_leave_the_mean) {
  const Data data = make_data(15, 2, 6);
  GpHyperparameters hp = some_hyperparameters(2);
  hp.noise_variance = 1e-6 * hp.signal_variance;  // the fantasies' own noise
  GaussianProcess gp(2);
  gp.reset(hp, data.x, data.y);
  const std::vector<double> pending = {0.25, 0.75, 0.8, 0.1};
  const Data queries = make_data(20, 2, 7);
  std::vector<double> m0, v0, m1, v1;
  gp.predict(pending, m0, v0);
  const std::vector<double> fantasy = m0;  // the kriging believer's values
  gp.predict(queries.x, m0, v0);
  gp.set_pending(pending);
  gp.predict(queries.x, m1, v1);
  for (std::size_t i = 0; i < m0.size(); ++i) {
    EXPECT_NEAR(m1[i], m0[i], 1e-9);
    EXPECT_LE(v1[i], v0[i] + 1e-12);
  }
  std::vector<double> m2, v2;
  gp.predict(pending, m2, v2);
  EXPECT_LT(v2[0], 1e-4);
  EXPECT_LT(v2[1], 1e-4);
  // The variance is exactly what observing the pending points gives, up to the
  // standardization (variances are in the targets' units, and the fantasies change the
  // targets' spread; the means differ too, as the fantasies move the targets' mean, which
  // is the prior mean).
  Data with = data;
  with.x.insert(with.x.end(), pending.begin(), pending.end());
  with.y.insert(with.y.end(), fantasy.begin(), fantasy.end());
  GaussianProcess observed(2);
  observed.reset(hp, with.x, with.y);
  std::vector<double> m3, v3;
  observed.predict(queries.x, m3, v3);
  const double scale = std::pow(population_sd(data.y) / population_sd(with.y), 2);
  for (std::size_t i = 0; i < m3.size(); ++i) EXPECT_NEAR(v1[i], v3[i] * scale, 1e-6 * v0[i]);
  // Adding an observation forgets the pending points.
  gp.add({0.5, 0.5}, 0.3);
  gp.predict(pending, m2, v2);
  EXPECT_GT(v2[0], 1e-3);
}

TEST(GaussianProcess, fitted_length_scales_tell_relevant_from_irrelevant_inputs) {
#if !RUNG_HAVE_NLOPT
  GTEST_SKIP() << "built without NLopt: the likelihood screen alone need not separate them";
#endif
  // The targets depend on the first input only.
  std::mt19937_64 rng(8);
  std::vector<double> x;
  std::vector<double> y;
  for (int i = 0; i < 40; ++i) {
    const double a = uniform(rng);
    x.push_back(a);
    x.push_back(uniform(rng));
    y.push_back(std::sin(5.0 * a));
  }
  std::mt19937_64 fit_rng(9);
  const GpHyperparameters hp = fit_gp_hyperparameters(x, y, 2, GpFitOptions{}, fit_rng, nullptr);
  ASSERT_EQ(hp.lengthscales.size(), 2u);
  EXPECT_GT(hp.lengthscales[1], 5.0 * hp.lengthscales[0]);
  EXPECT_LT(hp.noise_variance, 1e-2);
  // And the fit is at least as likely as the default start.
  std::vector<double> fitted = {std::log(hp.lengthscales[0]), std::log(hp.lengthscales[1]),
                                std::log(hp.signal_variance), std::log(hp.noise_variance)};
  std::vector<double> start = {std::log(0.5), std::log(0.5), 0.0, std::log(1e-3)};
  EXPECT_GE(gp_log_marginal_likelihood(x, y, fitted, nullptr),
            gp_log_marginal_likelihood(x, y, start, nullptr));
}

TEST(GaussianProcess, predicts_the_prior_when_it_has_no_data) {
  GaussianProcess gp(2);
  GpHyperparameters hp = some_hyperparameters(2);
  gp.reset(hp, {}, {});
  EXPECT_EQ(gp.size(), 0u);
  const GpPrediction p = gp.predict({0.5, 0.5}, nullptr, nullptr);
  EXPECT_EQ(p.mean, 0.0);
  EXPECT_NEAR(p.variance, hp.signal_variance, 1e-12);
}

TEST(GaussianProcess, rejects_points_when_their_size_does_not_match_the_dimension) {
  GaussianProcess gp(2);
  EXPECT_THROW(gp.reset(some_hyperparameters(2), {0.1, 0.2, 0.3}, {1.0}), std::invalid_argument);
  EXPECT_THROW(gp.add({0.1}, 1.0), std::invalid_argument);
  EXPECT_THROW(gp.reset(some_hyperparameters(3), {0.1, 0.2}, {1.0}), std::invalid_argument);
}

}  // namespace
}  // namespace rung
