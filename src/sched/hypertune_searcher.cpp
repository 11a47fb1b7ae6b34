#include "rung/sched/hypertune_searcher.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "random_draws.hpp"
#include "rung/sched/model_fit_data.hpp"

namespace rung {
namespace {

// The weighted ensemble of the joint model's slices at the levels, as the acquisition sees
// it: mean sum w mu, variance sum w^2 var.
class EnsemblePosterior final : public Posterior {
 public:
  void add(const GaussianProcess& gp, double resource, double weight) {
    members_.push_back({GpPosterior(gp, {resource}), weight});
  }

  void predict(const std::vector<double>& points, std::vector<double>& mean,
               std::vector<double>& variance) const override {
    std::vector<double> m;
    std::vector<double> v;
    for (std::size_t i = 0; i < members_.size(); ++i) {
      const Member& member = members_[i];
      member.slice.predict(points, m, v);
      if (i == 0) {
        mean.assign(m.size(), 0.0);
        variance.assign(v.size(), 0.0);
      }
      for (std::size_t j = 0; j < m.size(); ++j) {
        mean[j] += member.weight * m[j];
        variance[j] += member.weight * member.weight * v[j];
      }
    }
  }

  GpPrediction predict(const std::vector<double>& point, std::vector<double>* mean_gradient,
                       std::vector<double>* variance_gradient) const override {
    GpPrediction out{0.0, 0.0};
    std::vector<double> dm;
    std::vector<double> dv;
    if (mean_gradient) mean_gradient->assign(point.size(), 0.0);
    if (variance_gradient) variance_gradient->assign(point.size(), 0.0);
    for (const Member& member : members_) {
      const double w = member.weight;
      const GpPrediction p = member.slice.predict(point, mean_gradient ? &dm : nullptr,
                                                  variance_gradient ? &dv : nullptr);
      out.mean += w * p.mean;
      out.variance += w * w * p.variance;
      for (std::size_t j = 0; mean_gradient && j < dm.size(); ++j) {
        (*mean_gradient)[j] += w * dm[j];
      }
      for (std::size_t j = 0; variance_gradient && j < dv.size(); ++j) {
        (*variance_gradient)[j] += w * w * dv[j];
      }
    }
    return out;
  }

  // Slices of one model at one resource each: the same correlation in every one.
  double correlation(const double* a, const double* b) const override {
    return members_.front().slice.correlation(a, b);
  }

 private:
  struct Member {
    GpPosterior slice;
    double weight;
  };
  std::vector<Member> members_;
};

// The share of pairs that `predicted` (every `stride`-th number) orders unlike `observed`.
double discordant_share(const std::vector<double>& observed, const double* predicted,
                        std::size_t stride) {
  const std::size_t n = observed.size();
  std::size_t wrong = 0;
  for (std::size_t j = 0; j + 1 < n; ++j) {
    for (std::size_t k = j + 1; k < n; ++k) {
      const bool obs = observed[j] < observed[k];
      const bool pred = predicted[j * stride] < predicted[k * stride];
      wrong += obs != pred ? 1 : 0;
    }
  }
  return n < 2 ? 0.0 : 2.0 * static_cast<double>(wrong) / static_cast<double>(n * (n - 1));
}

// (configuration, resource) rows for configuration rows.
std::vector<double> at_resource(const std::vector<double>& points, std::size_t dims,
                                double resource) {
  std::vector<double> out;
  out.reserve(points.size() / dims * (dims + 1));
  for (std::size_t i = 0; i < points.size() / dims; ++i) {
    out.insert(out.end(), points.begin() + static_cast<std::ptrdiff_t>(i * dims),
               points.begin() + static_cast<std::ptrdiff_t>((i + 1) * dims));
    out.push_back(resource);
  }
  return out;
}

}  // namespace

HyperTuneSearcher::HyperTuneSearcher(SearchSpace space, std::vector<int> levels,
                                     std::uint64_t seed, MultiFidelityOptions options,
                                     std::shared_ptr<BracketAdvice> advice, std::size_t brackets)
    : MultiFidelitySearcher(std::move(space), std::move(levels), seed, options),
      advice_(std::move(advice)),
      brackets_(brackets) {
  weights_.assign(this->levels().size(), 0.0);
}

std::vector<double> HyperTuneSearcher::ranking_losses(const GaussianProcess& model,
                                                      const std::vector<double>& points,
                                                      const std::vector<double>& scores) {
  const auto samples = static_cast<std::size_t>(std::max(options().ranking_samples, 1));
  const std::vector<double> draws = model.sample_joint(points, samples, rng());
  std::vector<double> loss(samples);
  for (std::size_t k = 0; k < samples; ++k) {
    loss[k] = discordant_share(scores, draws.data() + k, samples);
  }
  return loss;
}

std::vector<double> HyperTuneSearcher::top_level_losses(std::size_t top,
                                                        const std::vector<double>& points,
                                                        const std::vector<double>& scores) {
  // K-fold cross-validation, K <= 5 and at least two points per fold: a model of the top
  // level conditioned on the other folds' results there (with the joint model's
  // hyperparameters) ranks each fold. Ranking the points it was fitted on would look perfect.
  const std::size_t dims = encoding().dims();
  const std::size_t n = scores.size();
  const std::size_t folds = std::min<std::size_t>(n / 2, 5);
  const auto samples = static_cast<std::size_t>(std::max(options().ranking_samples, 1));
  std::vector<double> loss(samples, 0.0);
  GaussianProcess fold_model(dims + 1);
  for (std::size_t f = 0; f < folds; ++f) {
    const std::size_t begin = f * n / folds;
    const std::size_t end = (f + 1) * n / folds;
    std::vector<double> train_x;
    std::vector<double> train_y;
    std::vector<double> test_x;
    std::vector<double> test_y;
    for (std::size_t i = 0; i < n; ++i) {
      const bool is_test = i >= begin && i < end;
      std::vector<double>& x = is_test ? test_x : train_x;
      const auto row = points.begin() + static_cast<std::ptrdiff_t>(i * dims);
      x.insert(x.end(), row, row + static_cast<std::ptrdiff_t>(dims));
      x.push_back(warped(top));
      (is_test ? test_y : train_y).push_back(scores[i]);
    }
    fold_model.reset(joint_model().hyperparameters(), train_x,
                     clip_low_outliers(train_y, options().clip_mads));
    const std::vector<double> fold_loss = ranking_losses(fold_model, test_x, test_y);
    for (std::size_t k = 0; k < samples; ++k) loss[k] += fold_loss[k] / static_cast<double>(folds);
  }
  return loss;
}

void HyperTuneSearcher::learn_weights(std::size_t supported) {
  const std::size_t top = supported - 1;
  const std::size_t dims = encoding().dims();
  // The top level's results, at most max_ranked_points of them, in a seeded random order
  // (which is also the folds' split).
  const auto& level = results(top);
  std::vector<std::size_t> order(level.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t i = order.size(); i > 1; --i) {
    std::swap(order[i - 1], order[index_below(rng(), i)]);
  }
  order.resize(std::min(order.size(),
                        static_cast<std::size_t>(std::max(options().max_ranked_points, 6))));
  std::vector<double> points;
  std::vector<double> scores;
  for (const std::size_t i : order) {
    const std::vector<double>& p = point(level[i].config);
    points.insert(points.end(), p.begin(), p.end());
    scores.push_back(level[i].score);
  }
  std::vector<std::vector<double>> losses;
  for (std::size_t l = 0; l < top; ++l) {
    losses.push_back(ranking_losses(joint_model(), at_resource(points, dims, warped(l)), scores));
  }
  losses.push_back(top_level_losses(top, points, scores));

  // w_l: the share of samples in which level l's loss is the smallest (ties count for all).
  std::fill(weights_.begin(), weights_.end(), 0.0);
  const std::size_t samples = losses.front().size();
  for (std::size_t k = 0; k < samples; ++k) {
    double least = losses[0][k];
    for (std::size_t l = 1; l < supported; ++l) least = std::min(least, losses[l][k]);
    for (std::size_t l = 0; l < supported; ++l) weights_[l] += losses[l][k] == least ? 1.0 : 0.0;
  }
  double total = std::accumulate(weights_.begin(), weights_.end(), 0.0);
  for (double& w : weights_) w = w / total < 0.01 ? 0.0 : w;
  total = std::accumulate(weights_.begin(), weights_.end(), 0.0);
  for (double& w : weights_) w /= total;

  if (!advice_ || brackets_ < 2) return;
  // Bracket s starts at level s: probability proportional to w_s / r_s.
  std::vector<double> head;
  for (std::size_t s = 0; s < std::min(supported, brackets_); ++s) {
    head.push_back(weights_[s] / static_cast<double>(levels()[s]));
  }
  const double mass = std::accumulate(head.begin(), head.end(), 0.0);
  if (mass > 1e-14) {
    for (double& h : head) h /= mass;
  } else {
    std::fill(head.begin(), head.end(), 0.0);
    head[0] = 1.0;
  }
  advice_->head = std::move(head);
}

std::optional<std::vector<double>> HyperTuneSearcher::propose() {
  const std::size_t supported = supported_levels();
  const JointData data = update_joint_model();
  const std::pair<std::size_t, std::size_t> signature{supported, results(supported - 1).size()};
  if (supported == 1) {
    std::fill(weights_.begin(), weights_.end(), 0.0);
    weights_[0] = 1.0;  // the safe start: the one level with data enough
  } else if (signature != learned_for_) {
    learn_weights(supported);
    learned_for_ = signature;
  }
  EnsemblePosterior ensemble;
  for (std::size_t l = 0; l < supported; ++l) {
    if (weights_[l] > 0.0) ensemble.add(joint_model(), warped(l), weights_[l]);
  }
  return propose_at(supported - 1, data, ensemble);
}

}  // namespace rung
