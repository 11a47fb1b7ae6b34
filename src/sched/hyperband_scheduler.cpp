#include "rung/sched/hyperband_scheduler.hpp"

#include <limits>
#include <set>
#include <stdexcept>
#include <utility>

#include "random_draws.hpp"

#include "rung/config/seed_mix.hpp"

namespace rung {

std::uint64_t scheduler_seed(std::uint64_t job_seed) {
  return mix_seed(job_seed ^ 0x7363686564756c65ULL);  // "schedule"
}

int hyperband_max_bracket(int min_resource, int max_resource, int eta) {
  // Validates the arguments with the same message as the rung levels do.
  (void)asha_rung_levels(min_resource, max_resource, eta);
  int s = 0;
  // 64-bit: start <= max_resource <= INT_MAX, so start * eta cannot overflow.
  for (std::int64_t start = static_cast<std::int64_t>(min_resource) * eta; start <= max_resource;
       start *= eta) {
    ++s;
  }
  return s;
}

std::vector<std::int64_t> hyperband_allocation(int min_resource, int max_resource, int eta) {
  const int s_max = hyperband_max_bracket(min_resource, max_resource, eta);
  std::vector<std::int64_t> n;
  for (int s = 0; s <= s_max; ++s) {
    // ceil((s_max + 1) * eta^(s_max - s) / (s_max - s + 1)) in integers: eta^(s_max - s) <=
    // max_resource / min_resource < 2^31 and s_max + 1 <= 32, so nothing overflows.
    std::int64_t power = 1;
    for (int i = 0; i < s_max - s; ++i) power *= eta;
    const std::int64_t numerator = static_cast<std::int64_t>(s_max + 1) * power;
    const std::int64_t denominator = s_max - s + 1;
    n.push_back((numerator + denominator - 1) / denominator);
  }
  return n;
}

HyperbandScheduler::HyperbandScheduler(int min_resource, int max_resource, AshaOptions options,
                                       std::uint64_t seed,
                                       std::shared_ptr<const BracketAdvice> advice)
    : options_(options), rng_(seed), advice_(std::move(advice)) {
  if (options.brackets < 0) {
    throw std::invalid_argument("HyperbandScheduler: brackets is " +
                                std::to_string(options.brackets) +
                                "; use 0 for all brackets or n >= 1 for the first n");
  }
  const int eta = options.reduction_factor;
  weights_ = hyperband_allocation(min_resource, max_resource, eta);
  if (options.brackets > 0 && static_cast<std::size_t>(options.brackets) < weights_.size()) {
    weights_.resize(static_cast<std::size_t>(options.brackets));
  }
  std::set<int> levels;
  std::int64_t start = min_resource;
  for (const std::int64_t n : weights_) {
    brackets_.emplace_back(static_cast<int>(start), max_resource, options);
    const std::vector<int> r = brackets_.back().rungs();
    levels.insert(r.begin(), r.end());
    total_weight_ += static_cast<std::uint64_t>(n);
    start *= eta;
  }
  levels_.assign(levels.begin(), levels.end());
}

std::size_t HyperbandScheduler::draw_bracket() {
  // No draw with one bracket: the single-bracket scheduler uses no randomness at all.
  if (brackets_.size() == 1) return 0;
  if (advice_ && !advice_->head.empty()) return draw_advised_bracket();
  // A ticket uniform in [0, total) by rejection: `limit` is the largest multiple of total
  // that fits, so every ticket is equally likely, with any standard library.
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  const std::uint64_t limit = kMax - kMax % total_weight_;
  std::uint64_t x = rng_();
  while (x >= limit) x = rng_();
  std::uint64_t ticket = x % total_weight_;
  for (std::size_t s = 0; s < weights_.size(); ++s) {
    const auto n = static_cast<std::uint64_t>(weights_[s]);
    if (ticket < n) return s;
    ticket -= n;
  }
  return weights_.size() - 1;  // unreachable: the weights sum to total_weight_
}

std::size_t HyperbandScheduler::draw_advised_bracket() {
  // Hyperband's shares, with the advised head scaled into the share the head had.
  std::vector<double> p(weights_.size());
  for (std::size_t s = 0; s < p.size(); ++s) {
    p[s] = static_cast<double>(weights_[s]) / static_cast<double>(total_weight_);
  }
  const std::size_t head = std::min(advice_->head.size(), p.size());
  double head_mass = 0.0;
  for (std::size_t s = 0; s < head; ++s) head_mass += p[s];
  for (std::size_t s = 0; s < head; ++s) p[s] = advice_->head[s] * head_mass;
  double u = uniform01(rng_);
  for (std::size_t s = 0; s + 1 < p.size(); ++s) {
    if (u < p[s]) return s;
    u -= p[s];
  }
  return p.size() - 1;
}

std::size_t HyperbandScheduler::bracket_of(TrialId trial) const {
  const auto it = bracket_of_.find(trial);
  return it == bracket_of_.end() ? 0 : it->second;
}

AshaScheduler& HyperbandScheduler::bracket_for(TrialId trial) {
  return brackets_[bracket_of(trial)];
}

int HyperbandScheduler::on_start(TrialId trial) {
  if (brackets_.size() == 1) return brackets_.front().on_start(trial);
  // A trial started twice (a replayed start) keeps the bracket it drew first.
  auto it = bracket_of_.find(trial);
  if (it == bracket_of_.end()) it = bracket_of_.emplace(trial, draw_bracket()).first;
  return brackets_[it->second].on_start(trial);
}

Decision HyperbandScheduler::on_report(TrialId trial, int epoch, double score) {
  return bracket_for(trial).on_report(trial, epoch, score);
}

void HyperbandScheduler::on_failed(TrialId trial) { bracket_for(trial).on_failed(trial); }

std::optional<Promotion> HyperbandScheduler::promote() {
  // Every bracket's levels lie on the same grid (MinResource * eta^k, then MaxResource), and
  // the rung after level L is the same in every bracket that has L. So a larger until_epoch
  // means a candidate paused at a higher rung.
  std::optional<std::size_t> chosen;
  int best_until = 0;
  for (std::size_t s = 0; s < brackets_.size(); ++s) {
    const auto candidate = brackets_[s].peek_promotion();
    if (candidate && (!chosen || candidate->until_epoch > best_until)) {
      chosen = s;
      best_until = candidate->until_epoch;
    }
  }
  if (!chosen) return std::nullopt;
  return brackets_[*chosen].promote();
}

std::string HyperbandScheduler::name() const {
  if (brackets_.size() == 1) return brackets_.front().name();
  return "Hyperband (" + std::to_string(brackets_.size()) + " brackets, " +
         (options_.type == AshaType::Promotion ? "promotion" : "stopping") +
         ", eta=" + std::to_string(options_.reduction_factor) + ", " +
         (options_.few_entries == FewEntriesRule::Floor ? "floor" : "ceil") + ")";
}

}  // namespace rung
