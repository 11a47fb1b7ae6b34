#include "rung/sched/bayesian_searcher.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#if RUNG_HAVE_NLOPT
#include <nlopt.hpp>
#endif
#include <numeric>
#include <stdexcept>
#include <utility>

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
// - Expected improvement is compared in log space (Ament et al., 2023, "LogEI"), so that
//   candidates far from the incumbent still rank when plain EI underflows to 0.

namespace rung {
namespace {

constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kHalfLog2Pi = 0.91893853320467274178;  // log(sqrt(2 pi))
constexpr double kLowestLogEi = -1e10;                  // "no improvement to speak of"

double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// Standard normal from raw bits (Box-Muller), the same with any standard library.
double normal01(std::mt19937_64& rng) {
  const double u1 = 1.0 - uniform01(rng);  // (0, 1]
  const double u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586477 * u2);
}

// An index in [0, n) from raw bits.
std::size_t index_below(std::mt19937_64& rng, std::size_t n) {
  return std::min(static_cast<std::size_t>(uniform01(rng) * static_cast<double>(n)), n - 1);
}

// log h(z) with h(z) = z Phi(z) + phi(z) (EI = sigma h((mu - best) / sigma)), and
// d log h / dz = Phi(z) / h(z). Far in the lower tail h underflows; there the asymptotic
// series h(z) ~ phi(z) / z^2 (1 - 3/z^2 + 15/z^4) is used instead.
struct LogH {
  double value;
  double slope;
};

LogH log_h(double z) {
  if (z > -25.0) {
    const double cdf = 0.5 * std::erfc(-z * kInvSqrt2);
    const double log_pdf = -0.5 * z * z - kHalfLog2Pi;
    const double h = z * cdf + std::exp(log_pdf);
    if (h > 0.0) return {std::log(h), cdf / h};
  }
  const double t = std::max(-z, 1.0);
  const double t2 = t * t;
  const double series = 1.0 - 3.0 / t2 + 15.0 / (t2 * t2);
  return {-0.5 * z * z - kHalfLog2Pi - 2.0 * std::log(t) + std::log(series),
          t * (1.0 - 1.0 / t2 + 3.0 / (t2 * t2)) / series};
}

// log EI at a posterior (mean, variance) for the bar `best`, and its derivatives with
// respect to mean and variance.
struct LogEi {
  double value = kLowestLogEi;
  double d_mean = 0.0;
  double d_variance = 0.0;
};

LogEi log_expected_improvement(double mean, double variance, double best) {
  LogEi out;
  const double sigma = std::sqrt(std::max(variance, 0.0));
  if (!(sigma > 1e-12)) {
    if (mean > best) out.value = std::log(mean - best);
    return out;
  }
  const double z = (mean - best) / sigma;
  const LogH h = log_h(z);
  out.value = std::max(std::log(sigma) + h.value, kLowestLogEi);
  out.d_mean = h.slope / sigma;
  const double d_sigma = (1.0 - h.slope * z) / sigma;
  out.d_variance = d_sigma / (2.0 * sigma);
  return out;
}

double median_of(std::vector<double> v) {
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  const double upper = *mid;
  if (v.size() % 2 == 1) return upper;
  return 0.5 * (upper + *std::max_element(v.begin(), mid));
}

// Scores below median - mads * 1.4826 MAD become that bound (1.4826 MAD estimates a normal
// distribution's standard deviation). Nothing happens when half the scores or more are equal
// (MAD 0).
std::vector<double> clip_low_outliers(std::vector<double> y, double mads) {
  if (!(mads > 0.0) || y.size() < 3) return y;
  const double median = median_of(y);
  std::vector<double> deviation(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) deviation[i] = std::fabs(y[i] - median);
  const double mad = median_of(std::move(deviation));
  if (!(mad > 0.0)) return y;
  const double bound = median - mads * 1.4826 * mad;
  for (double& v : y) v = std::max(v, bound);
  return y;
}

struct RefineContext {
  const GaussianProcess* gp = nullptr;
  const std::vector<std::size_t>* coords = nullptr;  // the coordinates being moved
  std::vector<double> point;                         // the full point, updated in place
  double best = 0.0;
  std::vector<double> d_mean;
  std::vector<double> d_variance;
  std::vector<double> best_point;
  double best_value = -std::numeric_limits<double>::infinity();
};

[[maybe_unused]] double refine_objective(unsigned count, const double* x, double* grad,
                                         void* data) {
  auto& ctx = *static_cast<RefineContext*>(data);
  const auto& coords = *ctx.coords;
  for (unsigned i = 0; i < count; ++i) ctx.point[coords[i]] = x[i];
  const GpPrediction p =
      ctx.gp->predict(ctx.point, grad ? &ctx.d_mean : nullptr, grad ? &ctx.d_variance : nullptr);
  const LogEi ei = log_expected_improvement(p.mean, p.variance, ctx.best);
  if (grad) {
    for (unsigned i = 0; i < count; ++i) {
      grad[i] = ei.d_mean * ctx.d_mean[coords[i]] + ei.d_variance * ctx.d_variance[coords[i]];
    }
  }
  if (ei.value > ctx.best_value) {
    ctx.best_value = ei.value;
    ctx.best_point = ctx.point;
  }
  return ei.value;
}

}  // namespace

BayesianSearcher::BayesianSearcher(SearchSpace space, std::uint64_t seed, BayesianOptions options)
    : space_(std::move(space)), options_(options), rng_(seed), gp_(0) {
  for (const ParamRange& r : space_.ranges()) {
    offset_.push_back(dims_);
    if (r.kind == ParamKind::Categorical) {
      dims_ += r.values.size();
    } else {
      numeric_.push_back(dims_);
      dims_ += 1;
    }
  }
  gp_ = GaussianProcess(dims_);
  // Latin hypercube: every range's [0,1) cut into n strata, each used once, in an order
  // shuffled per range (Fisher-Yates on raw bits).
  const std::size_t d = space_.dims();
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

std::vector<double> BayesianSearcher::to_cube(const double* point) const {
  const auto& ranges = space_.ranges();
  std::vector<double> u(ranges.size());
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    const double* p = point + offset_[i];
    if (ranges[i].kind == ParamKind::Categorical) {
      const std::size_t n = ranges[i].values.size();
      const auto slot = static_cast<std::size_t>(std::max_element(p, p + n) - p);
      u[i] = (static_cast<double>(slot) + 0.5) / static_cast<double>(n);
    } else {
      u[i] = *p;
    }
  }
  return u;
}

void BayesianSearcher::from_cube(const std::vector<double>& u, double* point) const {
  const auto& ranges = space_.ranges();
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    double* p = point + offset_[i];
    if (ranges[i].kind == ParamKind::Categorical) {
      const std::size_t n = ranges[i].values.size();
      const auto slot =
          std::min(static_cast<std::size_t>(std::max(u[i], 0.0) * static_cast<double>(n)), n - 1);
      std::fill(p, p + n, 0.0);
      p[slot] = 1.0;
    } else {
      *p = u[i];
    }
  }
}

void BayesianSearcher::project(double* point) const {
  from_cube(space_.encode(space_.decode(to_cube(point))), point);
}

std::vector<double> BayesianSearcher::random_point() {
  std::vector<double> u(space_.dims());
  for (auto& ui : u) ui = uniform01(rng_);
  std::vector<double> point(dims_);
  from_cube(u, point.data());
  project(point.data());
  return point;
}

std::optional<HyperParameters> BayesianSearcher::suggest(TrialId trial) {
  if (space_.empty()) return HyperParameters{};
  std::vector<double> point(dims_);
  if (suggested_ < design_.size()) {
    from_cube(design_[suggested_], point.data());
    project(point.data());
  } else if (data_y_.size() < 2) {
    point = random_point();
  } else {
    point = propose();
  }
  ++suggested_;
  HyperParameters hp = space_.decode(to_cube(point.data()));
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
  // The fit's subset: all points while they are few; else the best quarter (where the
  // search is heading, so where the length scales matter) and a uniform draw of the rest.
  std::vector<std::size_t> chosen;
  const auto cap = static_cast<std::size_t>(std::max(options_.max_fit_points, 2));
  if (n <= cap) {
    chosen.resize(n);
    std::iota(chosen.begin(), chosen.end(), std::size_t{0});
  } else {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return data_y_[a] > data_y_[b]; });
    const std::size_t best = cap / 4;
    chosen.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(best));
    std::vector<std::size_t> rest(order.begin() + static_cast<std::ptrdiff_t>(best), order.end());
    std::sort(rest.begin(), rest.end());
    for (std::size_t i = 0; i < cap - best; ++i) {
      std::swap(rest[i], rest[i + index_below(rng_, rest.size() - i)]);
      chosen.push_back(rest[i]);
    }
    std::sort(chosen.begin(), chosen.end());
  }
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

std::vector<double> BayesianSearcher::propose() {
  update_model();
  const std::size_t n = data_y_.size();

  // Pending points: their (unchanged) means may raise the bar; their fantasies shrink the
  // variance around them.
  std::vector<const Pending*> fantasies;
  for (const auto& entry : pending_) fantasies.push_back(&entry.second);
  std::sort(fantasies.begin(), fantasies.end(),
            [](const Pending* a, const Pending* b) { return a->order > b->order; });
  fantasies.resize(
      std::min(fantasies.size(), static_cast<std::size_t>(std::max(options_.max_fantasies, 0))));
  std::vector<double> pending;
  pending.reserve(fantasies.size() * dims_);
  for (const Pending* p : fantasies) {
    pending.insert(pending.end(), p->point.begin(), p->point.end());
  }
  std::vector<double> mean;
  std::vector<double> variance;
  const std::vector<double> incumbents = gp_.mean_at_observations();
  double best = *std::max_element(incumbents.begin(), incumbents.end());
  if (!pending.empty()) {
    gp_.predict(pending, mean, variance);
    best = std::max(best, *std::max_element(mean.begin(), mean.end()));
  }
  gp_.set_pending(pending);
  const double y_mean =
      std::accumulate(targets_.begin(), targets_.end(), 0.0) / static_cast<double>(n);
  double y_var = 0.0;
  for (const double y : targets_) y_var += (y - y_mean) * (y - y_mean);
  best += options_.exploration * std::sqrt(y_var / static_cast<double>(n));

  // Candidates: uniform ones, and perturbations of the best observations at three scales.
  const auto n_random = static_cast<std::size_t>(std::max(options_.random_candidates, 1));
  const auto n_local = static_cast<std::size_t>(std::max(options_.local_candidates, 0));
  std::vector<double> candidates;
  candidates.reserve((n_random + n_local) * dims_);
  for (std::size_t c = 0; c < n_random; ++c) {
    const std::vector<double> point = random_point();
    candidates.insert(candidates.end(), point.begin(), point.end());
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return incumbents[a] > incumbents[b]; });
  const std::size_t centres = std::min<std::size_t>(5, n);
  const std::vector<std::size_t> categorical_ranges = [&] {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < space_.dims(); ++i) {
      if (space_.ranges()[i].kind == ParamKind::Categorical) out.push_back(i);
    }
    return out;
  }();
  const double scales[] = {0.1, 0.03, 0.01};
  for (std::size_t c = 0; c < n_local; ++c) {
    const std::size_t centre = order[c % centres];
    std::vector<double> point(data_x_.begin() + static_cast<std::ptrdiff_t>(centre * dims_),
                              data_x_.begin() + static_cast<std::ptrdiff_t>((centre + 1) * dims_));
    const double scale = scales[(c / centres) % 3];
    for (const std::size_t j : numeric_) {
      point[j] = std::clamp(point[j] + scale * normal01(rng_), 0.0, 1.0);
    }
    // Now and then another value of one categorical (with no numeric range, always).
    if (!categorical_ranges.empty() && (numeric_.empty() || uniform01(rng_) < 0.2)) {
      const std::size_t r = categorical_ranges[index_below(rng_, categorical_ranges.size())];
      const std::size_t values = space_.ranges()[r].values.size();
      double* p = point.data() + offset_[r];
      std::fill(p, p + values, 0.0);
      p[index_below(rng_, values)] = 1.0;
    }
    project(point.data());
    candidates.insert(candidates.end(), point.begin(), point.end());
  }

  gp_.predict(candidates, mean, variance);
  const std::size_t count = candidates.size() / dims_;
  std::vector<double> score(count);
  for (std::size_t c = 0; c < count; ++c) {
    score[c] = log_expected_improvement(mean[c], variance[c], best).value;
  }
  const std::size_t n_pending = pending.size() / dims_;
  const auto near_pending = [&](const double* point) {
    for (std::size_t q = 0; q < n_pending; ++q) {
      if (gp_.correlation(point, pending.data() + q * dims_) > options_.max_pending_correlation) {
        return true;
      }
    }
    return false;
  };
  if (n_pending > 0) {
    std::vector<double> kept = score;
    bool any = false;
    for (std::size_t c = 0; c < count; ++c) {
      if (near_pending(candidates.data() + c * dims_)) {
        kept[c] = -std::numeric_limits<double>::infinity();
      } else {
        any = true;
      }
    }
    if (any) score = std::move(kept);  // else a tiny space: every point is near a pending one
  }
  std::vector<std::size_t> ranked(count);
  std::iota(ranked.begin(), ranked.end(), std::size_t{0});
  const std::size_t starts =
      std::min(count, static_cast<std::size_t>(std::max(options_.refine_starts, 0)));
  std::partial_sort(ranked.begin(),
                    ranked.begin() + static_cast<std::ptrdiff_t>(std::max<std::size_t>(starts, 1)),
                    ranked.end(), [&](std::size_t a, std::size_t b) {
                      return score[a] > score[b] || (score[a] == score[b] && a < b);
                    });
  const auto row = [&](std::size_t c) {
    return std::vector<double>(candidates.begin() + static_cast<std::ptrdiff_t>(c * dims_),
                               candidates.begin() + static_cast<std::ptrdiff_t>((c + 1) * dims_));
  };
  std::vector<double> best_point = row(ranked[0]);
  [[maybe_unused]] double best_score = score[ranked[0]];

  // Polish the best candidates' numeric coordinates with L-BFGS on log EI, then project
  // (integers round) and score the configuration actually proposed.
#if RUNG_HAVE_NLOPT
  if (!numeric_.empty() && options_.refine_max_evals > 0) {
    for (std::size_t s = 0; s < starts; ++s) {
      const std::size_t c = ranked[s];
      if (!(score[c] > kLowestLogEi)) continue;
      RefineContext ctx;
      ctx.gp = &gp_;
      ctx.coords = &numeric_;
      ctx.point = row(c);
      ctx.best = best;
      std::vector<double> x(numeric_.size());
      for (std::size_t i = 0; i < numeric_.size(); ++i) x[i] = ctx.point[numeric_[i]];
      nlopt::opt opt(nlopt::LD_LBFGS, static_cast<unsigned>(numeric_.size()));
      opt.set_lower_bounds(0.0);
      opt.set_upper_bounds(1.0);
      opt.set_max_objective(refine_objective, &ctx);
      opt.set_maxeval(options_.refine_max_evals);
      opt.set_ftol_abs(1e-4);
      opt.set_xtol_abs(1e-5);
      double value = 0.0;
      try {
        (void)opt.optimize(x, value);
      } catch (const std::runtime_error&) {
        // Roundoff-limited or a failed line search: the best point seen is kept.
      }
      if (ctx.best_point.empty()) continue;
      project(ctx.best_point.data());
      if (near_pending(ctx.best_point.data())) continue;
      const GpPrediction p = gp_.predict(ctx.best_point, nullptr, nullptr);
      const double polished = log_expected_improvement(p.mean, p.variance, best).value;
      if (polished > best_score) {
        best_score = polished;
        best_point = std::move(ctx.best_point);
      }
    }
  }
#endif
  return best_point;
}

}  // namespace rung
