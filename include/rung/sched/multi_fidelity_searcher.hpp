// Searchers that learn from every rung-level result, not only from finished trials: the base
// of MOBSTER (mobster_searcher.hpp) and Hyper-Tune (hypertune_searcher.hpp), which run under
// Strategy Hyperband (rung.searcher). This class keeps the books (each suggested
// configuration as a ModelEncoding point, its scores at the rung levels, the trials still
// pending); a subclass turns them into a proposal, or says it has too little data yet, and a
// uniform configuration is proposed instead. Pure and deterministic given the seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "rung/sched/expected_improvement.hpp"
#include "rung/sched/gaussian_process.hpp"
#include "rung/sched/model_encoding.hpp"
#include "rung/sched/searcher.hpp"

namespace rung {

struct MultiFidelityOptions {
  // A rung level counts (for MOBSTER's acquisition level, in Hyper-Tune's ensemble) once it
  // holds max(min_level_points, ranges + 1) results; until the lowest level does, proposals
  // are uniform.
  int min_level_points = 6;
  // The joint Gaussian process holds at most this many results (update_joint_model says
  // which): the cost of a proposal stays flat however long the job runs.
  int max_model_points = 200;
  // Hyperparameter fits: whenever the data has grown by refit_growth since the last fit; in
  // between the model keeps its hyperparameters and only takes in the new data.
  double refit_growth = 0.1;
  // The fit's starts and effort (fewer L-BFGS evaluations than the Bayesian searcher's: a
  // fit here is redone as the data grows, on up to max_model_points results).
  GpFitOptions fit = [] {
    GpFitOptions o;
    o.max_evals = 60;
    return o;
  }();
  // Pending trials fantasised at the acquisition level (the most recently suggested ones).
  int max_fantasies = 64;
  double clip_mads = 5.0;  // as BayesianOptions::clip_mads
  AcquisitionOptions acquisition;
  // Hyper-Tune: posterior samples of each level's ranking loss, and at most this many of
  // the top level's results ranked.
  int ranking_samples = 50;
  int max_ranked_points = 64;
};

// A Gaussian process whose hyperparameters are refitted when its data has grown by
// MultiFidelityOptions::refit_growth since the last fit; between fits, new data is taken in
// with the fitted hyperparameters.
class RefittedGp {
 public:
  explicit RefittedGp(std::size_t dims) : gp_(dims) {}
  // The model over (points, targets) (row-major, at most max_model_points); `available` is
  // how many results the searcher had to choose them from (what the growth rule counts).
  void update(const std::vector<double>& points, const std::vector<double>& targets,
              std::size_t available, const MultiFidelityOptions& options, std::mt19937_64& rng);
  [[nodiscard]] GaussianProcess& gp() noexcept { return gp_; }
  [[nodiscard]] const GaussianProcess& gp() const noexcept { return gp_; }
  [[nodiscard]] int fits() const noexcept { return fits_; }

 private:
  GaussianProcess gp_;
  std::size_t fitted_at_ = 0;
  int fits_ = 0;
};

class MultiFidelitySearcher : public Searcher {
 public:
  // `levels`: the scheduler's rung levels in epochs, ascending (the last one MaxResource).
  MultiFidelitySearcher(SearchSpace space, std::vector<int> levels, std::uint64_t seed,
                        MultiFidelityOptions options);

  [[nodiscard]] std::optional<HyperParameters> suggest(TrialId trial) final;
  void observe(TrialId trial, int epoch, double score) final;
  void on_trial_end(TrialId trial, TrialEnd end) final;

  // Model-based proposals so far (the rest were uniform).
  [[nodiscard]] int model_proposals() const noexcept { return model_proposals_; }
  // Results recorded at each rung level.
  [[nodiscard]] std::vector<std::size_t> level_counts() const;

 protected:
  struct Result {
    std::size_t config;  // index into points()
    double score;
  };
  // A point for the next trial, or nullopt when there is too little data for a model.
  [[nodiscard]] virtual std::optional<std::vector<double>> propose() = 0;

  [[nodiscard]] const ModelEncoding& encoding() const noexcept { return encoding_; }
  [[nodiscard]] const MultiFidelityOptions& options() const noexcept { return options_; }
  [[nodiscard]] std::mt19937_64& rng() noexcept { return rng_; }
  [[nodiscard]] const std::vector<int>& levels() const noexcept { return levels_; }
  // Results a level needs before it counts (see MultiFidelityOptions::min_level_points).
  [[nodiscard]] std::size_t level_threshold() const noexcept { return threshold_; }
  // Levels 0 .. k-1 hold level_threshold() results or more: k, 0 when even the lowest
  // does not.
  [[nodiscard]] std::size_t supported_levels() const;
  [[nodiscard]] const std::vector<Result>& results(std::size_t level) const {
    return results_[level];
  }
  [[nodiscard]] const std::vector<double>& point(std::size_t config) const {
    return points_[config];
  }
  // The joint model's data: points (configuration, warped level) and scores, row-major.
  struct JointData {
    std::vector<double> x;
    std::vector<double> y;
    std::vector<std::size_t> level_of;  // per point
  };
  // Brings the joint Gaussian process over (configuration, resource) up to date with at most
  // max_model_points results, from the top level down (the levels the acquisition looks at
  // matter most); where a level no longer fits whole, its best quarter and a uniform draw of
  // the rest. The resource is warped to log(r / r_min) / log(r_max / r_min) in [0, 1].
  JointData update_joint_model();
  [[nodiscard]] GaussianProcess& joint_model() noexcept { return joint_.gp(); }
  [[nodiscard]] int joint_fits() const noexcept { return joint_.fits(); }
  [[nodiscard]] double warped(std::size_t level) const;
  // The acquisition at `level` of the joint model: expected improvement over the best
  // posterior mean among the level's results (or a pending trial's, if higher), the pending
  // trials fantasised there; `model` is the posterior to maximise it under (the joint
  // model's slice at the level, or an ensemble of slices).
  [[nodiscard]] std::vector<double> propose_at(std::size_t level, const JointData& data,
                                               const Posterior& model);
  // Points of pending trials without a result at `level` yet, the most recent first, at
  // most max_fantasies; row-major.
  [[nodiscard]] std::vector<double> pending_points(std::size_t level) const;

 private:
  ModelEncoding encoding_;
  std::vector<int> levels_;
  MultiFidelityOptions options_;
  std::mt19937_64 rng_;
  std::size_t threshold_ = 0;
  std::vector<std::vector<double>> points_;      // per suggested configuration
  std::map<TrialId, std::size_t> config_of_;     // trial -> its configuration
  std::map<TrialId, std::size_t> pending_;       // trial -> suggestion number
  std::vector<std::vector<Result>> results_;     // per level
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> slot_;  // (config, level) -> index
  int model_proposals_ = 0;
  RefittedGp joint_;
};


}  // namespace rung
