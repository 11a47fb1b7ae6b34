#include "rung/sched/multi_fidelity_searcher.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <utility>

#include "rung/sched/model_fit_data.hpp"

namespace rung {

MultiFidelitySearcher::MultiFidelitySearcher(SearchSpace space, std::vector<int> levels,
                                             std::uint64_t seed, MultiFidelityOptions options)
    : encoding_(std::move(space)),
      levels_(std::move(levels)),
      options_(options),
      rng_(seed),
      joint_(encoding_.dims() + 1) {
  if (levels_.empty() || !std::is_sorted(levels_.begin(), levels_.end())) {
    throw std::invalid_argument("MultiFidelitySearcher: rung levels must be ascending, not empty");
  }
  threshold_ = static_cast<std::size_t>(
      std::max<int>(options_.min_level_points, static_cast<int>(encoding_.space().dims()) + 1));
  results_.resize(levels_.size());
}

std::optional<HyperParameters> MultiFidelitySearcher::suggest(TrialId trial) {
  if (encoding_.space().empty()) return HyperParameters{};
  std::optional<std::vector<double>> proposed;
  if (supported_levels() > 0) proposed = propose();
  if (proposed) {
    ++model_proposals_;
  } else {
    proposed = encoding_.random_point(rng_);
  }
  HyperParameters hp = encoding_.decode(proposed->data());
  const std::size_t config = points_.size();
  points_.push_back(std::move(*proposed));
  config_of_[trial] = config;
  pending_[trial] = config;
  return hp;
}

void MultiFidelitySearcher::observe(TrialId trial, int epoch, double score) {
  const auto it = config_of_.find(trial);
  if (it == config_of_.end() || !std::isfinite(score)) return;
  const auto level = std::lower_bound(levels_.begin(), levels_.end(), epoch);
  if (level == levels_.end() || *level != epoch) return;  // not a rung level
  const auto l = static_cast<std::size_t>(level - levels_.begin());
  // A trial restarted from scratch reports a level again: its latest score counts.
  const auto [slot, is_new] = slot_.try_emplace({it->second, l}, results_[l].size());
  if (is_new) {
    results_[l].push_back(Result{it->second, score});
  } else {
    results_[l][slot->second].score = score;
  }
}

void MultiFidelitySearcher::on_trial_end(TrialId trial, TrialEnd /*end*/) {
  // A failed trial's results so far stay: they were measured.
  pending_.erase(trial);
}

std::vector<std::size_t> MultiFidelitySearcher::level_counts() const {
  std::vector<std::size_t> out;
  for (const auto& r : results_) out.push_back(r.size());
  return out;
}

std::size_t MultiFidelitySearcher::supported_levels() const {
  std::size_t k = 0;
  while (k < results_.size() && results_[k].size() >= threshold_) ++k;
  return k;
}

double MultiFidelitySearcher::warped(std::size_t level) const {
  const double low = levels_.front();
  const double high = levels_.back();
  if (!(high > low)) return 0.0;
  return std::log(levels_[level] / low) / std::log(high / low);
}

MultiFidelitySearcher::JointData MultiFidelitySearcher::update_joint_model() {
  const auto cap = static_cast<std::size_t>(std::max(options_.max_model_points, 8));
  JointData d;
  std::size_t available = 0;
  for (std::size_t l = levels_.size(); l-- > 0;) {
    const auto& level = results_[l];
    available += level.size();
    const std::size_t room = cap - d.y.size();
    if (room == 0 || level.empty()) continue;
    std::vector<double> scores;
    for (const Result& r : level) scores.push_back(r.score);
    const std::vector<std::size_t> chosen =
        fit_subset(scores, std::max<std::size_t>(std::min(room, level.size()), 2), rng_);
    for (const std::size_t i : chosen) {
      if (d.y.size() == cap) break;
      const std::vector<double>& p = points_[level[i].config];
      d.x.insert(d.x.end(), p.begin(), p.end());
      d.x.push_back(warped(l));
      d.y.push_back(level[i].score);
      d.level_of.push_back(l);
    }
  }
  joint_.update(d.x, clip_low_outliers(d.y, options_.clip_mads), available, options_, rng_);
  return d;
}

std::vector<double> MultiFidelitySearcher::propose_at(std::size_t level, const JointData& data,
                                                      const Posterior& model) {
  const std::size_t dims = encoding_.dims();
  GaussianProcess& gp = joint_.gp();
  // The bar, in the units of `model` (an ensemble's mean is not any one level's): its best
  // mean over the configurations with a result at the level.
  std::vector<double> observed;
  for (std::size_t i = 0; i < data.level_of.size(); ++i) {
    if (data.level_of[i] != level) continue;
    const auto row = data.x.begin() + static_cast<std::ptrdiff_t>(i * (dims + 1));
    observed.insert(observed.end(), row, row + static_cast<std::ptrdiff_t>(dims));
  }
  if (observed.empty()) {  // the levels above filled the model: any configuration in it
    observed.assign(data.x.begin(), data.x.begin() + static_cast<std::ptrdiff_t>(dims));
  }
  std::vector<double> means;
  std::vector<double> variance;
  model.predict(observed, means, variance);
  std::vector<std::size_t> order(means.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return means[a] > means[b]; });
  double best = means[order.front()];
  std::vector<std::vector<double>> centres;
  for (std::size_t i = 0; i < std::min<std::size_t>(5, order.size()); ++i) {
    const auto row = observed.begin() + static_cast<std::ptrdiff_t>(order[i] * dims);
    centres.emplace_back(row, row + static_cast<std::ptrdiff_t>(dims));
  }
  const std::vector<double> pending = pending_points(level);
  std::vector<double> extended;
  if (!pending.empty()) {
    std::vector<double> pending_mean;
    model.predict(pending, pending_mean, variance);
    best = std::max(best, *std::max_element(pending_mean.begin(), pending_mean.end()));
    for (std::size_t i = 0; i < pending.size() / dims; ++i) {
      extended.insert(extended.end(), pending.begin() + static_cast<std::ptrdiff_t>(i * dims),
                      pending.begin() + static_cast<std::ptrdiff_t>((i + 1) * dims));
      extended.push_back(warped(level));
    }
  }
  gp.set_pending(extended);
  return maximize_expected_improvement(model, encoding_, options_.acquisition, best, pending,
                                       centres, rng_);
}

std::vector<double> MultiFidelitySearcher::pending_points(std::size_t level) const {
  std::vector<std::size_t> configs;
  for (const auto& [trial, config] : pending_) {
    if (slot_.count({config, level}) == 0) configs.push_back(config);
  }
  // Configurations are numbered in suggestion order: the most recent first.
  std::sort(configs.begin(), configs.end(), std::greater<>());
  configs.resize(std::min(configs.size(),
                          static_cast<std::size_t>(std::max(options_.max_fantasies, 0))));
  std::vector<double> out;
  out.reserve(configs.size() * encoding_.dims());
  for (const std::size_t c : configs) out.insert(out.end(), points_[c].begin(), points_[c].end());
  return out;
}

void RefittedGp::update(const std::vector<double>& points, const std::vector<double>& targets,
                        std::size_t available, const MultiFidelityOptions& options,
                        std::mt19937_64& rng) {
  const auto step = std::max<std::size_t>(
      1, static_cast<std::size_t>(options.refit_growth * static_cast<double>(fitted_at_)));
  GpHyperparameters hp = gp_.hyperparameters();
  if (fits_ == 0 || available >= fitted_at_ + step) {
    const GpHyperparameters previous = hp;
    hp = fit_gp_hyperparameters(points, targets, gp_.dims(), options.fit, rng,
                                fits_ > 0 ? &previous : nullptr);
    fitted_at_ = available;
    ++fits_;
  }
  gp_.reset(hp, points, targets);
}

}  // namespace rung
