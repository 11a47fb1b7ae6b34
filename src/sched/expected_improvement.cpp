#include "rung/sched/expected_improvement.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#if RUNG_HAVE_NLOPT
#include <nlopt.hpp>
#endif
#include <numeric>
#include <stdexcept>
#include <utility>

namespace rung {
namespace {

constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kHalfLog2Pi = 0.91893853320467274178;  // log(sqrt(2 pi))

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

struct RefineContext {
  const Posterior* model = nullptr;
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
  const GpPrediction p = ctx.model->predict(ctx.point, grad ? &ctx.d_mean : nullptr,
                                            grad ? &ctx.d_variance : nullptr);
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

// Uniform candidates, then perturbations of the centres at three scales, in that order.
std::vector<double> candidate_points(const ModelEncoding& encoding,
                                     const AcquisitionOptions& options,
                                     const std::vector<std::vector<double>>& centres,
                                     std::mt19937_64& rng) {
  const std::size_t dims = encoding.dims();
  const auto n_random = static_cast<std::size_t>(std::max(options.random_candidates, 1));
  const auto n_local =
      centres.empty() ? 0 : static_cast<std::size_t>(std::max(options.local_candidates, 0));
  std::vector<double> candidates;
  candidates.reserve((n_random + n_local) * dims);
  for (std::size_t c = 0; c < n_random; ++c) {
    const std::vector<double> point = encoding.random_point(rng);
    candidates.insert(candidates.end(), point.begin(), point.end());
  }
  const double scales[] = {0.1, 0.03, 0.01};
  for (std::size_t c = 0; c < n_local; ++c) {
    std::vector<double> point = centres[c % centres.size()];
    encoding.perturb(point.data(), scales[(c / centres.size()) % 3], rng);
    candidates.insert(candidates.end(), point.begin(), point.end());
  }
  return candidates;
}

}  // namespace

GpPosterior::GpPosterior(const GaussianProcess& gp, std::vector<double> fixed)
    : gp_(gp), fixed_(std::move(fixed)), dims_(gp.dims() - fixed_.size()) {
  if (fixed_.size() > gp.dims()) {
    throw std::invalid_argument("GpPosterior: more fixed coordinates than the GP has inputs");
  }
}

std::vector<double> GpPosterior::extend(const double* point) const {
  std::vector<double> out(point, point + dims_);
  out.insert(out.end(), fixed_.begin(), fixed_.end());
  return out;
}

void GpPosterior::predict(const std::vector<double>& points, std::vector<double>& mean,
                          std::vector<double>& variance) const {
  if (fixed_.empty()) return gp_.predict(points, mean, variance);
  const std::size_t count = dims_ == 0 ? 0 : points.size() / dims_;
  std::vector<double> extended;
  extended.reserve(count * gp_.dims());
  for (std::size_t i = 0; i < count; ++i) {
    extended.insert(extended.end(), points.begin() + static_cast<std::ptrdiff_t>(i * dims_),
                    points.begin() + static_cast<std::ptrdiff_t>((i + 1) * dims_));
    extended.insert(extended.end(), fixed_.begin(), fixed_.end());
  }
  gp_.predict(extended, mean, variance);
}

GpPrediction GpPosterior::predict(const std::vector<double>& point,
                                  std::vector<double>* mean_gradient,
                                  std::vector<double>* variance_gradient) const {
  if (fixed_.empty()) return gp_.predict(point, mean_gradient, variance_gradient);
  const GpPrediction p = gp_.predict(extend(point.data()), mean_gradient, variance_gradient);
  if (mean_gradient) mean_gradient->resize(dims_);
  if (variance_gradient) variance_gradient->resize(dims_);
  return p;
}

double GpPosterior::correlation(const double* a, const double* b) const {
  if (fixed_.empty()) return gp_.correlation(a, b);
  return gp_.correlation(extend(a).data(), extend(b).data());
}

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

std::vector<double> maximize_expected_improvement(const Posterior& model,
                                                  const ModelEncoding& encoding,
                                                  const AcquisitionOptions& options, double best,
                                                  const std::vector<double>& avoid,
                                                  const std::vector<std::vector<double>>& centres,
                                                  std::mt19937_64& rng) {
  const std::size_t dims = encoding.dims();
  const std::vector<double> candidates = candidate_points(encoding, options, centres, rng);
  std::vector<double> mean;
  std::vector<double> variance;
  model.predict(candidates, mean, variance);
  const std::size_t count = candidates.size() / dims;
  std::vector<double> score(count);
  for (std::size_t c = 0; c < count; ++c) {
    score[c] = log_expected_improvement(mean[c], variance[c], best).value;
  }
  const std::size_t n_avoid = avoid.size() / dims;
  const auto near_pending = [&](const double* point) {
    for (std::size_t q = 0; q < n_avoid; ++q) {
      if (model.correlation(point, avoid.data() + q * dims) > options.max_pending_correlation) {
        return true;
      }
    }
    return false;
  };
  if (n_avoid > 0) {
    std::vector<double> kept = score;
    bool any = false;
    for (std::size_t c = 0; c < count; ++c) {
      if (near_pending(candidates.data() + c * dims)) {
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
      std::min(count, static_cast<std::size_t>(std::max(options.refine_starts, 0)));
  std::partial_sort(ranked.begin(),
                    ranked.begin() + static_cast<std::ptrdiff_t>(std::max<std::size_t>(starts, 1)),
                    ranked.end(), [&](std::size_t a, std::size_t b) {
                      return score[a] > score[b] || (score[a] == score[b] && a < b);
                    });
  const auto row = [&](std::size_t c) {
    return std::vector<double>(candidates.begin() + static_cast<std::ptrdiff_t>(c * dims),
                               candidates.begin() + static_cast<std::ptrdiff_t>((c + 1) * dims));
  };
  std::vector<double> best_point = row(ranked[0]);
  [[maybe_unused]] double best_score = score[ranked[0]];

  // Polish the best candidates' numeric coordinates with L-BFGS on log EI, then project
  // (integers round) and score the configuration actually proposed. Categoricals change
  // through the candidates only.
#if RUNG_HAVE_NLOPT
  const std::vector<std::size_t>& numeric = encoding.numeric();
  if (!numeric.empty() && options.refine_max_evals > 0) {
    for (std::size_t s = 0; s < starts; ++s) {
      const std::size_t c = ranked[s];
      if (!(score[c] > kLowestLogEi)) continue;
      RefineContext ctx;
      ctx.model = &model;
      ctx.coords = &numeric;
      ctx.point = row(c);
      ctx.best = best;
      std::vector<double> x(numeric.size());
      for (std::size_t i = 0; i < numeric.size(); ++i) x[i] = ctx.point[numeric[i]];
      nlopt::opt opt(nlopt::LD_LBFGS, static_cast<unsigned>(numeric.size()));
      opt.set_lower_bounds(0.0);
      opt.set_upper_bounds(1.0);
      opt.set_max_objective(refine_objective, &ctx);
      opt.set_maxeval(options.refine_max_evals);
      opt.set_ftol_abs(1e-4);
      opt.set_xtol_abs(1e-5);
      double value = 0.0;
      try {
        (void)opt.optimize(x, value);
      } catch (const std::runtime_error&) {
        // Roundoff-limited or a failed line search: the best point seen is kept.
      }
      if (ctx.best_point.empty()) continue;
      encoding.project(ctx.best_point.data());
      if (near_pending(ctx.best_point.data())) continue;
      const GpPrediction p = model.predict(ctx.best_point, nullptr, nullptr);
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
