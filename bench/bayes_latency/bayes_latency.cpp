// Latency of the Bayesian searcher: one suggest() with n observations in the model (d = 4
// and 8 inputs, 0 or 4 pending trials), and one hyperparameter refit (the marginal-
// likelihood fit on at most BayesianOptions::max_fit_points observations, warm-started from
// the previous optimum, plus the full factorization). The searcher refits when the data has
// grown by 10%, so the amortized cost of a suggest is suggest + refit / (0.1 n).
//
//   taskset -c 0 build/bench/bench_bayes_latency

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "rung/sched/bayesian_searcher.hpp"
#include "rung/sched/gaussian_process.hpp"

namespace {

rung::SearchSpace unit_space(int d) {
  std::vector<rung::ParamRange> ranges;
  for (int j = 0; j < d; ++j) {
    ranges.push_back(rung::ParamRange{"x" + std::to_string(j),
                                      rung::ParamKind::Continuous,
                                      0.0,
                                      1.0,
                                      rung::ScalingType::Linear,
                                      {}});
  }
  return rung::SearchSpace(std::move(ranges));
}

// A smooth score with structure on every axis.
double score_of(const std::vector<double>& x) {
  double s = 0.0;
  for (std::size_t j = 0; j < x.size(); ++j) {
    s += std::sin(3.0 * x[j] + static_cast<double>(j)) - (x[j] - 0.3) * (x[j] - 0.3);
  }
  return s;
}

double score_of(const rung::HyperParameters& hp, int d) {
  std::vector<double> x(static_cast<std::size_t>(d));
  for (int j = 0; j < d; ++j)
    x[static_cast<std::size_t>(j)] = rung::get_double(hp, "x" + std::to_string(j));
  return score_of(x);
}

// One suggest() with n observations and `pending` running trials. The first n proposals
// come from the initial design (cheap), so that setting up 1,000 observations is quick;
// the first model-based suggest fits the hyperparameters, and the timed ones do not refit
// (each timed proposal's trial fails, so the data stays at n).
void BM_Suggest(benchmark::State& state) {
  const int d = static_cast<int>(state.range(0));
  const int n = static_cast<int>(state.range(1));
  const int pending = static_cast<int>(state.range(2));
  rung::BayesianOptions options;
  options.initial_design = n;
  rung::BayesianSearcher searcher(unit_space(d), 42, options);
  rung::TrialId t = 0;
  for (; t < n; ++t) {
    const auto hp = searcher.suggest(t);
    searcher.observe(t, 1, score_of(*hp, d));
    searcher.on_trial_end(t, rung::TrialEnd::Completed);
  }
  for (int p = 0; p < pending; ++p) (void)searcher.suggest(t++);  // fits the model
  if (pending == 0) {
    (void)searcher.suggest(t);
    searcher.on_trial_end(t++, rung::TrialEnd::Failed);
  }
  const int refits = searcher.refits();
  for (auto _ : state) {
    auto hp = searcher.suggest(t);
    benchmark::DoNotOptimize(hp);
    searcher.on_trial_end(t++, rung::TrialEnd::Failed);
  }
  if (searcher.refits() != refits) state.SkipWithError("a timed suggest refitted the model");
  state.counters["observations"] = static_cast<double>(searcher.observations());
}

// One refit as the searcher does it at n observations: fit on min(n, max_fit_points)
// points from the previous optimum (fitted at 0.9 n), then factorize all n.
void BM_Refit(benchmark::State& state) {
  const int d = static_cast<int>(state.range(0));
  const int n = static_cast<int>(state.range(1));
  const rung::BayesianOptions defaults;
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<double> x(static_cast<std::size_t>(n * d));
  std::vector<double> y(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    std::vector<double> p(static_cast<std::size_t>(d));
    for (auto& v : p) v = uniform(rng);
    std::copy(p.begin(), p.end(), x.begin() + i * d);
    y[static_cast<std::size_t>(i)] = score_of(p);
  }
  const auto subset = [&](int count) {
    const int m = std::min(count, defaults.max_fit_points);
    return std::pair{std::vector<double>(x.begin(), x.begin() + m * d),
                     std::vector<double>(y.begin(), y.begin() + m)};
  };
  rung::GpFitOptions fit;
  fit.random_starts = defaults.fit_random_starts;
  fit.lbfgs_starts = defaults.fit_lbfgs_starts;
  fit.max_evals = defaults.fit_max_evals;
  const auto [x0, y0] = subset(std::max(2, n * 9 / 10));
  const rung::GpHyperparameters previous =
      rung::fit_gp_hyperparameters(x0, y0, static_cast<std::size_t>(d), fit, rng, nullptr);
  const auto [x1, y1] = subset(n);
  rung::GaussianProcess gp(static_cast<std::size_t>(d));
  for (auto _ : state) {
    std::mt19937_64 fit_rng(11);
    const auto hp =
        rung::fit_gp_hyperparameters(x1, y1, static_cast<std::size_t>(d), fit, fit_rng, &previous);
    gp.reset(hp, x, y);
    benchmark::DoNotOptimize(gp);
  }
}

void suggest_args(benchmark::internal::Benchmark* b) {
  for (const int pending : {0, 4}) {
    for (const int d : {4, 8}) {
      for (const int n : {10, 100, 300, 1000}) b->Args({d, n, pending});
    }
  }
  b->ArgNames({"d", "n", "pending"});
}

void refit_args(benchmark::internal::Benchmark* b) {
  for (const int d : {4, 8}) {
    for (const int n : {10, 100, 300, 1000}) b->Args({d, n});
  }
  b->ArgNames({"d", "n"});
}

BENCHMARK(BM_Suggest)->Apply(suggest_args)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Refit)->Apply(refit_args)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
