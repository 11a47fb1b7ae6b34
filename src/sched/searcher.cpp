#include "rung/sched/searcher.hpp"

#include <string>

#include "rung/config/error.hpp"
#include "rung/sched/bayesian_searcher.hpp"
#include "rung/sched/grid_searcher.hpp"

namespace rung {

// Random and Hyperband: RandomSearcher seeded with job.seed itself (so a job's proposals are
// the same as before schedulers had seeds; the scheduler's stream is scheduler_seed(job.seed)).
// Grid: GridSearcher, which needs no seed. Bayesian: BayesianSearcher seeded with job.seed.
std::unique_ptr<Searcher> make_searcher(const JobConfig& job) {
  switch (job.strategy) {
    case Strategy::Random:
    case Strategy::Hyperband:  // random proposals inside ASHA, until model-based Hyperband
      return std::make_unique<RandomSearcher>(job.space, job.seed);
    case Strategy::Grid:
      return std::make_unique<GridSearcher>(job.space);
    case Strategy::Bayesian:
      return std::make_unique<BayesianSearcher>(job.space, job.seed);
  }
  throw ConfigError("HyperParameterTuningJobConfig.Strategy",
                    std::string("\"") + to_string(job.strategy) + "\" is not a known strategy");
}

}  // namespace rung
