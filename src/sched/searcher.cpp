#include "rung/sched/searcher.hpp"

#include <string>

#include "rung/config/error.hpp"

namespace rung {

std::unique_ptr<Searcher> make_searcher(const JobConfig& job) {
  switch (job.strategy) {
    case Strategy::Random:
    case Strategy::Hyperband:  // random proposals inside ASHA, until model-based Hyperband
      return std::make_unique<RandomSearcher>(job.space, job.seed);
    case Strategy::Grid:
    case Strategy::Bayesian:
      break;
  }
  throw ConfigError("HyperParameterTuningJobConfig.Strategy",
                    std::string("\"") + to_string(job.strategy) +
                        "\" is not supported yet; use \"Random\" or \"Hyperband\"");
}

}  // namespace rung
