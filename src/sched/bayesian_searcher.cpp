#include "rung/sched/bayesian_searcher.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include "random_draws.hpp"
#include "rung/sched/expected_improvement.hpp"
#include "rung/sched/model_fit_data.hpp"

// Choices the field disagrees on, made here:
// - Categoricals are one-hot inside the model (n coordinates for n values), so that all
//   values are equally far apart; a point decodes to the value of its largest coordinate.
//   Candidates are always projected onto real configurations (one-hot vectors, integers on
//   their cell's centre) before their EI is compared, so the model never scores a point no
//   trial could run. The local L-BFGS polish moves the numeric coordinates only (integers
//   relaxed, then rounded by the projection and scored again); categoricals change through
//   the candidates.
// - Data: an ended trial's last score, Completed or Stopped (an early-stopped trial's last
//   score is what it reached; it is lower than a full run would give, which steers the
//   search away from it, as the stopping rule intended). Failed trials and trials whose
//   last score is not finite are not data.
// - Scores are standardized after clipping the bad tail (BayesianOptions::clip_mads): one
//   diverged run must not flatten the differences among the others. On the synthetic
//   benchmarks this removed most runs that got stuck (bench/strategies/README.md).
// - Pending trials (suggested, not ended) are fantasised by the kriging believer, running
//   ones with partial results included (a partial score is an early epoch's, not comparable
//   with the final scores the model holds); the most recent max_fantasies of them. The
//   incumbent of EI is the best posterior mean over observations and fantasies, so a
//   pending point predicted to be the best sets the bar; candidates highly correlated with a
//   pending point are left out. Together these keep proposals from piling up.
// - The incumbent is the best posterior mean at the observations rather than the best
//   observed score, which a noisy lucky result would inflate.
// - Expected improvement is compared in log space (expected_improvement.hpp).

namespace rung {

BayesianSearcher::BayesianSearcher(SearchSpace space, std::uint64_t seed, BayesianOptions options)
    : encoding_(std::move(space)), options_(options), rng_(seed), gp_(0) {
  dims_ = encoding_.dims();
  gp_ = GaussianProcess(dims_);
  // Latin hypercube: every range's [0,1) cut into n strata, each used once, in an order
  // shuffled per range (Fisher-Yates on raw bits).
  const std::size_t d = encoding_.space().dims();
  const auto n = static_cast<std::size_t>(options_.initial_design > 0
                                              ? options_.initial_design
                                              : std::max<int>(5, static_cast<int>(d) + 1));
  design_.assign(n, std::vector<double>(d));
  std::vector<std::size_t> strata(n);
  for (std::size_t j = 0; j < d; ++j) {
    std::iota(strata.begin(), strata.end(), std::size_t{0});
    for (std::size_t i = n; i > 1; --i) std::swap(strata[i - 1], strata[index_below(rng_, i)]);
    for (std::size_t i = 0; i < n; ++i) {
      design_[i][j] = (static_cast<double>(strata[i]) + uniform01(rng_)) / static_cast<double>(n);
    }
  }
}

std::optional<HyperParameters> BayesianSearcher::suggest(TrialId trial) {
  if (encoding_.space().empty()) return HyperParameters{};
  std::vector<double> point;
  if (suggested_ < design_.size()) {
    point = encoding_.point_of_cube(design_[suggested_]);
  } else if (data_y_.size() < 2) {
    point = encoding_.random_point(rng_);
  } else {
    point = propose();
  }
  ++suggested_;
  HyperParameters hp = encoding_.decode(point.data());
  pending_[trial] =
      Pending{std::move(point), std::numeric_limits<double>::quiet_NaN(), suggested_ - 1};
  return hp;
}

void BayesianSearcher::observe(TrialId trial, int /*epoch*/, double score) {
  const auto it = pending_.find(trial);
  if (it == pending_.end()) return;  // not ours, or already ended
  it->second.score = std::isfinite(score) ? score : std::numeric_limits<double>::quiet_NaN();
}

void BayesianSearcher::on_trial_end(TrialId trial, TrialEnd end) {
  const auto it = pending_.find(trial);
  if (it == pending_.end()) return;
  if (end != TrialEnd::Failed && std::isfinite(it->second.score) && dims_ > 0) {
    data_x_.insert(data_x_.end(), it->second.point.begin(), it->second.point.end());
    data_y_.push_back(it->second.score);
  }
  pending_.erase(it);
}

void BayesianSearcher::update_model() {
  const std::size_t n = data_y_.size();
  targets_ = clip_low_outliers(data_y_, options_.clip_mads);
  const auto step = std::max<std::size_t>(
      1, static_cast<std::size_t>(options_.refit_growth * static_cast<double>(fit_points_)));
  if (has_fit_ && n < fit_points_ + step) {
    for (; gp_points_ < n; ++gp_points_) {
      const auto row = data_x_.begin() + static_cast<std::ptrdiff_t>(gp_points_ * dims_);
      gp_.add(std::vector<double>(row, row + static_cast<std::ptrdiff_t>(dims_)),
              targets_[gp_points_]);
    }
    gp_.set_targets(targets_);  // the clipping bound may have moved
    return;
  }
  const std::vector<std::size_t> chosen = fit_subset(
      data_y_, static_cast<std::size_t>(std::max(options_.max_fit_points, 2)), rng_);
  std::vector<double> x;
  std::vector<double> y;
  x.reserve(chosen.size() * dims_);
  y.reserve(chosen.size());
  for (const std::size_t i : chosen) {
    const auto row = data_x_.begin() + static_cast<std::ptrdiff_t>(i * dims_);
    x.insert(x.end(), row, row + static_cast<std::ptrdiff_t>(dims_));
    y.push_back(targets_[i]);
  }
  GpFitOptions fit;
  fit.random_starts = options_.fit_random_starts;
  fit.lbfgs_starts = options_.fit_lbfgs_starts;
  fit.max_evals = options_.fit_max_evals;
  const GpHyperparameters previous = gp_.hyperparameters();
  const GpHyperparameters hp =
      fit_gp_hyperparameters(x, y, dims_, fit, rng_, has_fit_ ? &previous : nullptr);
  gp_.reset(hp, data_x_, targets_);
  gp_points_ = n;
  fit_points_ = n;
  has_fit_ = true;
  ++refits_;
}

std::vector<double> BayesianSearcher::fantasy_points() const {
  std::vector<const Pending*> fantasies;
  for (const auto& entry : pending_) fantasies.push_back(&entry.second);
  std::sort(fantasies.begin(), fantasies.end(),
            [](const Pending* a, const Pending* b) { return a->order > b->order; });
  fantasies.resize(
      std::min(fantasies.size(), static_cast<std::size_t>(std::max(options_.max_fantasies, 0))));
  std::vector<double> points;
  points.reserve(fantasies.size() * dims_);
  for (const Pending* p : fantasies) points.insert(points.end(), p->point.begin(), p->point.end());
  return points;
}

std::vector<double> BayesianSearcher::propose() {
  update_model();
  const std::size_t n = data_y_.size();
  // Pending points: their (unchanged) means may raise the bar; their fantasies shrink the
  // variance around them.
  const std::vector<double> pending = fantasy_points();
  const std::vector<double> incumbents = gp_.mean_at_observations();
  double best = *std::max_element(incumbents.begin(), incumbents.end());
  if (!pending.empty()) {
    std::vector<double> mean;
    std::vector<double> variance;
    gp_.predict(pending, mean, variance);
    best = std::max(best, *std::max_element(mean.begin(), mean.end()));
  }
  gp_.set_pending(pending);
  const double y_mean =
      std::accumulate(targets_.begin(), targets_.end(), 0.0) / static_cast<double>(n);
  double y_var = 0.0;
  for (const double y : targets_) y_var += (y - y_mean) * (y - y_mean);
  best += options_.exploration * std::sqrt(y_var / static_cast<double>(n));

  // Local candidates around the five best observations (by posterior mean).
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return incumbents[a] > incumbents[b]; });
  std::vector<std::vector<double>> centres;
  for (std::size_t i = 0; i < std::min<std::size_t>(5, n); ++i) {
    const auto row = data_x_.begin() + static_cast<std::ptrdiff_t>(order[i] * dims_);
    centres.emplace_back(row, row + static_cast<std::ptrdiff_t>(dims_));
  }
  AcquisitionOptions acquisition;
  acquisition.random_candidates = options_.random_candidates;
  acquisition.local_candidates = options_.local_candidates;
  acquisition.refine_starts = options_.refine_starts;
  acquisition.refine_max_evals = options_.refine_max_evals;
  acquisition.max_pending_correlation = options_.max_pending_correlation;
  return maximize_expected_improvement(GpPosterior(gp_), encoding_, acquisition, best, pending,
                                       centres, rng_);
}

}  // namespace rung
