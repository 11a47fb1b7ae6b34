#include "rung/sched/searcher.hpp"

#include <memory>
#include <string>
#include <utility>

#include "rung/config/error.hpp"
#include "rung/sched/asha_scheduler.hpp"
#include "rung/sched/bayesian_searcher.hpp"
#include "rung/sched/grid_searcher.hpp"
#include "rung/sched/hyperband_scheduler.hpp"
#include "rung/sched/hypertune_searcher.hpp"
#include "rung/sched/mobster_searcher.hpp"

namespace rung {

namespace {

// The rung levels a multi-fidelity searcher learns at: the union of the brackets' levels,
// which is bracket 0's.
std::vector<int> hyperband_levels(const JobConfig& job) {
  return asha_rung_levels(job.min_resource, job.max_resource, job.asha.reduction_factor);
}

// Hyperband's searcher by rung.searcher.
std::unique_ptr<Searcher> make_hyperband_searcher(const JobConfig& job) {
  switch (job.searcher) {
    case HyperbandSearcher::Random:
      return std::make_unique<RandomSearcher>(job.space, job.seed);
    case HyperbandSearcher::Mobster:
      return std::make_unique<MobsterSearcher>(job.space, hyperband_levels(job), job.seed);
    case HyperbandSearcher::HyperTune:
      return std::make_unique<HyperTuneSearcher>(job.space, hyperband_levels(job), job.seed);
  }
  return std::make_unique<RandomSearcher>(job.space, job.seed);
}

}  // namespace

// Random and Hyperband with rung.searcher random: RandomSearcher seeded with job.seed itself
// (so a job's proposals are the same as before schedulers had seeds; the scheduler's stream
// is scheduler_seed(job.seed)). Grid: GridSearcher, which needs no seed. Bayesian:
// BayesianSearcher seeded with job.seed.
std::unique_ptr<Searcher> make_searcher(const JobConfig& job) {
  switch (job.strategy) {
    case Strategy::Random:
      return std::make_unique<RandomSearcher>(job.space, job.seed);
    case Strategy::Hyperband:
      return make_hyperband_searcher(job);
    case Strategy::Grid:
      return std::make_unique<GridSearcher>(job.space);
    case Strategy::Bayesian:
      return std::make_unique<BayesianSearcher>(job.space, job.seed);
  }
  throw ConfigError("HyperParameterTuningJobConfig.Strategy",
                    std::string("\"") + to_string(job.strategy) + "\" is not a known strategy");
}

StrategyParts make_strategy(const JobConfig& job) {
  if (job.strategy != Strategy::Hyperband || job.searcher != HyperbandSearcher::HyperTune) {
    return {make_scheduler(job), make_searcher(job)};
  }
  // Hyper-Tune and the scheduler share the bracket advice.
  auto advice = std::make_shared<BracketAdvice>();
  auto scheduler = std::make_unique<HyperbandScheduler>(
      job.min_resource, job.max_resource, job.asha, scheduler_seed(job.seed), advice);
  auto searcher = std::make_unique<HyperTuneSearcher>(job.space, hyperband_levels(job), job.seed,
                                                      MultiFidelityOptions{}, advice,
                                                      scheduler->bracket_count());
  return {std::move(scheduler), std::move(searcher)};
}

}  // namespace rung
