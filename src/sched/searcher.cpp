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

// Random and Hyperband with rung.searcher random: RandomSearcher seeded with job.seed itself (so a job's proposals are
// the same as before schedulers had seeds; the scheduler's stream is scheduler_seed(job.seed)).
// Grid: GridSearcher, which needs no seed. Bayesian: BayesianSearcher seeded with job.seed.
std::unique_ptr<Searcher> make_searcher(const JobConfig& job) {
  switch (job.strategy) {
    case Strategy::Random:
      return std::make_unique<RandomSearcher>(job.space, job.seed);
    case Strategy::Hyperband:
      return make_strategy(job).searcher;
    case Strategy::Grid:
      return std::make_unique<GridSearcher>(job.space);
    case Strategy::Bayesian:
      return std::make_unique<BayesianSearcher>(job.space, job.seed);
  }
  throw ConfigError("HyperParameterTuningJobConfig.Strategy",
                    std::string("\"") + to_string(job.strategy) + "\" is not a known strategy");
}

StrategyParts make_strategy(const JobConfig& job) {
  StrategyParts parts;
  if (job.strategy != Strategy::Hyperband || job.searcher == HyperbandSearcher::Random) {
    parts.scheduler = make_scheduler(job);
    parts.searcher = job.strategy == Strategy::Hyperband
                         ? std::make_unique<RandomSearcher>(job.space, job.seed)
                         : make_searcher(job);
    return parts;
  }
  // The union of the brackets' rung levels is bracket 0's.
  std::vector<int> levels =
      asha_rung_levels(job.min_resource, job.max_resource, job.asha.reduction_factor);
  if (job.searcher == HyperbandSearcher::Mobster) {
    parts.scheduler = make_scheduler(job);
    parts.searcher = std::make_unique<MobsterSearcher>(job.space, std::move(levels), job.seed);
    return parts;
  }
  auto advice = std::make_shared<BracketAdvice>();
  auto scheduler = std::make_unique<HyperbandScheduler>(
      job.min_resource, job.max_resource, job.asha, scheduler_seed(job.seed), advice);
  parts.searcher = std::make_unique<HyperTuneSearcher>(job.space, std::move(levels), job.seed,
                                                       MultiFidelityOptions{}, advice,
                                                       scheduler->bracket_count());
  parts.scheduler = std::move(scheduler);
  return parts;
}

}  // namespace rung
