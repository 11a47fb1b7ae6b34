// The Bayesian searcher (SageMaker's `Strategy: Bayesian`): a Gaussian process on the search
// space's unit-cube encoding, proposals by expected improvement, asynchronous (several
// trials may be pending). Built by make_searcher; pure and deterministic given the seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "rung/config/search_space.hpp"
#include "rung/sched/gaussian_process.hpp"
#include "rung/sched/model_encoding.hpp"
#include "rung/sched/searcher.hpp"

namespace rung {

struct BayesianOptions {
  // Proposals from a Latin hypercube (in the cube of SearchSpace::encode) before the model
  // is used; 0 means max(5, ranges + 1). Past the design, proposals stay random until two
  // trials have ended with a score.
  int initial_design = 0;
  // Expected improvement is maximised over this many uniform candidates, plus
  // local_candidates Gaussian perturbations of the best observed points, then the best
  // refine_starts candidates are polished by L-BFGS on log EI (refine_max_evals each).
  int random_candidates = 256;
  int local_candidates = 128;
  int refine_starts = 2;
  int refine_max_evals = 25;
  // Hyperparameter fits (maximum marginal likelihood): one whenever the number of
  // observations has grown by refit_growth (10%: at every new result up to 20, every 10th
  // at 100, every 100th at 1,000) since the last fit, on at most max_fit_points of them
  // (the best quarter and a random rest). Between fits the factorization is extended.
  double refit_growth = 0.1;
  int max_fit_points = 256;
  // Fit starts (GpFitOptions): the previous optimum, a default and fit_random_starts random
  // ones screened by likelihood; L-BFGS from the best fit_lbfgs_starts of them.
  int fit_random_starts = 8;
  int fit_lbfgs_starts = 2;
  int fit_max_evals = 100;
  // Pending trials fantasised (the most recently suggested ones): each costs a row of the
  // factorization in every prediction; with thousands of workers, older ones are left out.
  int max_fantasies = 64;
  // A candidate whose prior correlation with a pending point exceeds this (0.99: closer than
  // about 0.11 length scales) is left out: the pending trial will tell what it would. The
  // fantasies make EI small there but not 0 (the mean may still rise beyond the pending
  // point), and a confident model would otherwise propose near-copies of running trials.
  double max_pending_correlation = 0.99;
  // Scores far below the others (a diverged run's loss) would dominate the standardization
  // and flatten the differences that matter: the model sees every score below
  // median - clip_mads * MAD (MAD scaled to a standard deviation) as that bound. Only the
  // bad tail is clipped, so the ranking of the good scores is untouched. 0: no clipping.
  double clip_mads = 5.0;
  // EI's margin xi, in standard deviations of the observed scores: improvements smaller
  // than this count for nothing, which keeps the search from polishing the incumbent. Off
  // by default: 0.01 made the search slower on the synthetic benchmarks (bench/strategies).
  double exploration = 0.0;
};

class BayesianSearcher final : public Searcher {
 public:
  explicit BayesianSearcher(SearchSpace space, std::uint64_t seed, BayesianOptions options = {});

  [[nodiscard]] std::optional<HyperParameters> suggest(TrialId trial) override;
  void observe(TrialId trial, int epoch, double score) override;
  void on_trial_end(TrialId trial, TrialEnd end) override;
  [[nodiscard]] std::string name() const override { return "Bayesian"; }

  [[nodiscard]] const BayesianOptions& options() const noexcept { return options_; }
  // Ended trials whose last score is used as data.
  [[nodiscard]] std::size_t observations() const noexcept { return data_y_.size(); }
  // Hyperparameter fits so far.
  [[nodiscard]] int refits() const noexcept { return refits_; }

 private:
  struct Pending {
    std::vector<double> point;  // internal coordinates
    double score;               // latest reported; NaN when none or not finite
    std::size_t order;          // suggestion number
  };

  [[nodiscard]] std::vector<double> propose();
  void update_model();
  // The most recently suggested pending points, row-major (at most max_fantasies).
  [[nodiscard]] std::vector<double> fantasy_points() const;

  ModelEncoding encoding_;
  BayesianOptions options_;
  std::mt19937_64 rng_;
  std::size_t dims_ = 0;                     // ModelEncoding coordinates
  std::vector<std::vector<double>> design_;  // the initial design, in the encode cube
  std::map<TrialId, Pending> pending_;
  std::vector<double> data_x_;  // row-major, dims_ per ended trial with a score
  std::vector<double> data_y_;
  std::vector<double> targets_;  // data_y_ as the model sees it (clipped)
  GaussianProcess gp_;
  std::size_t gp_points_ = 0;   // observations the model holds
  std::size_t fit_points_ = 0;  // observations at the last hyperparameter fit
  bool has_fit_ = false;
  std::size_t suggested_ = 0;
  int refits_ = 0;
};

}  // namespace rung
