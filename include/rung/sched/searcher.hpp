// Searchers decide what to try next ("what"), never when to stop ("when": the Scheduler).
// Pure and deterministic given the job's seed: no MPI, files or clocks.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>

#include "rung/config/job_config.hpp"
#include "rung/sched/scheduler.hpp"

namespace rung {

enum class TrialEnd { Completed, Stopped, Failed };

class Searcher {
 public:
  virtual ~Searcher() = default;
  // The next configuration to try, or nullopt when the searcher has nothing left (a grid).
  [[nodiscard]] virtual std::optional<HyperParameters> suggest(TrialId trial) = 0;
  // A result for a trial it suggested (model-based searchers learn from these). Called
  // after every epoch; the latest one is the trial's current score.
  virtual void observe(TrialId trial, int epoch, double score) = 0;
  // The trial will train no more: its last observed score is final (Completed, Stopped), or
  // it has none worth learning from (Failed). Until then a suggested trial is pending.
  virtual void on_trial_end(TrialId trial, TrialEnd end) = 0;
  [[nodiscard]] virtual std::string name() const = 0;
};

class RandomSearcher final : public Searcher {
 public:
  RandomSearcher(SearchSpace space, std::uint64_t seed) : space_(std::move(space)), rng_(seed) {}
  [[nodiscard]] std::optional<HyperParameters> suggest(TrialId) override {
    return space_.sample(rng_);
  }
  void observe(TrialId, int, double) override {}
  void on_trial_end(TrialId, TrialEnd) override {}
  [[nodiscard]] std::string name() const override { return "Random"; }

 private:
  SearchSpace space_;
  std::mt19937_64 rng_;
};

// The job's searcher: Random -> RandomSearcher, Grid -> GridSearcher, Bayesian ->
// BayesianSearcher, Hyperband -> by rung.searcher (RandomSearcher, MobsterSearcher,
// HyperTuneSearcher); all seeded with job.seed. Hyper-Tune built here has no say in the
// brackets: use make_strategy.
[[nodiscard]] std::unique_ptr<Searcher> make_searcher(const JobConfig& job);

// The job's scheduler and searcher together, wired to each other where the strategy needs it
// (Hyper-Tune's bracket advice to the HyperbandScheduler). What `rung run` and `rung simulate`
// use.
struct StrategyParts {
  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<Searcher> searcher;
};
[[nodiscard]] StrategyParts make_strategy(const JobConfig& job);

}  // namespace rung
