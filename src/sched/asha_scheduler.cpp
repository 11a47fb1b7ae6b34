#include "rung/sched/asha_scheduler.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <stdexcept>

namespace rung {

std::vector<int> asha_rung_levels(int min_resource, int max_resource, int eta) {
  if (min_resource < 1 || max_resource < min_resource || eta < 2) {
    throw std::invalid_argument("asha_rung_levels: need 1 <= min_resource (" +
                                std::to_string(min_resource) + ") <= max_resource (" +
                                std::to_string(max_resource) + ") and eta (" + std::to_string(eta) +
                                ") >= 2");
  }
  std::vector<int> levels;
  // 64-bit so that level * eta cannot overflow: level < max_resource <= INT_MAX.
  for (std::int64_t level = min_resource; level < max_resource; level *= eta) {
    levels.push_back(static_cast<int>(level));
  }
  // The last rung is always max_resource, even when it is not min * eta^k: no trial trains
  // past it, and a trial that reaches it has used the whole budget SageMaker allows.
  levels.push_back(max_resource);
  return levels;
}

AshaScheduler::AshaScheduler(int min_resource, int max_resource, AshaOptions options)
    : levels_(asha_rung_levels(min_resource, max_resource, options.reduction_factor)),
      options_(options),
      rungs_(levels_.size()) {}

std::size_t AshaScheduler::quota(std::size_t k) const {
  const auto eta = static_cast<std::size_t>(options_.reduction_factor);
  // The field disagrees on a rung that holds fewer than eta results. Li et al.'s ASHA
  // (Algorithm 2, get_job) promotes from the top floor(k/eta) only, so nothing leaves a rung
  // until it holds eta results; Ray Tune's ASHA cuts at a percentile of the results so far,
  // which lets the first result in a rung through, i.e. ceil(k/eta). rung's defaults: Floor for
  // the promotion type (the paper's rule; paused trials simply wait), Ceil for the stopping
  // type, where Floor would stop every trial that reaches a rung before eta results exist
  // there, the first eta-1 trials of every job included.
  switch (options_.few_entries) {
    case FewEntriesRule::Floor:
      return k / eta;
    case FewEntriesRule::Ceil:
      return (k + eta - 1) / eta;
  }
  return k / eta;
}

int AshaScheduler::rung_index(int epoch) const {
  const auto it = std::lower_bound(levels_.begin(), levels_.end(), epoch);
  if (it == levels_.end() || *it != epoch) return -1;
  return static_cast<int>(it - levels_.begin());
}

void AshaScheduler::record(Rung& rung, const Entry& entry) const {
  rung.ranked.insert(entry);
  rung.by_trial.emplace(entry.trial, entry);
  // Keep `cut` at the quota-th best. A newcomer above the cut pushes the old cut out of the
  // top; then the quota may grow by one (it grows by at most one per result for eta >= 2).
  if (rung.quota > 0 && Better{}(entry, *rung.cut)) {
    rung.cut = *std::prev(rung.ranked.find(*rung.cut));
  }
  const std::size_t wanted = quota(rung.ranked.size());
  while (rung.quota < wanted) {
    rung.cut = rung.quota == 0 ? *rung.ranked.begin() : *std::next(rung.ranked.find(*rung.cut));
    ++rung.quota;
  }
}

bool AshaScheduler::in_quota(const Rung& rung, const Entry& entry) {
  return rung.quota > 0 && !Better{}(*rung.cut, entry);
}

int AshaScheduler::on_start(TrialId /*trial*/) { return levels_.front(); }

Decision AshaScheduler::on_report(TrialId trial, int epoch, double score) {
  const bool is_promotion = options_.type == AshaType::Promotion;
  const int r = rung_index(epoch);
  if (r < 0) return epoch >= levels_.back() ? Decision::Complete : Decision::Continue;
  const bool is_top = r + 1 == static_cast<int>(levels_.size());
  Rung& rung = rungs_[static_cast<std::size_t>(r)];

  // A second report of the same rung (a replay, a retried message) is not recorded twice; the
  // decision follows from the entry already there.
  if (const auto found = rung.by_trial.find(trial); found != rung.by_trial.end()) {
    if (is_top) return Decision::Complete;
    if (is_promotion) {
      const auto paused = paused_at_.find(trial);
      return paused != paused_at_.end() && paused->second == r ? Decision::Pause
                                                               : Decision::Continue;
    }
    return in_quota(rung, found->second) ? Decision::Continue : Decision::Stop;
  }

  // NaN would break the ranking's strict weak order; a NaN result ranks below every number.
  if (std::isnan(score)) score = -std::numeric_limits<double>::infinity();
  const Entry entry{score, next_seq_++, trial};
  record(rung, entry);
  if (is_top) return Decision::Complete;
  if (is_promotion) {
    if (failed_.count(trial) == 0) {
      paused_at_[trial] = r;
      rung.promotable.insert(entry);
    }
    return Decision::Pause;
  }
  return in_quota(rung, entry) ? Decision::Continue : Decision::Stop;
}

void AshaScheduler::on_failed(TrialId trial) {
  // Its results stay in the rankings (they were real), but it can never be promoted.
  failed_.insert(trial);
  const auto paused = paused_at_.find(trial);
  if (paused == paused_at_.end()) return;
  Rung& rung = rungs_[static_cast<std::size_t>(paused->second)];
  rung.promotable.erase(rung.by_trial.at(trial));
  paused_at_.erase(paused);
}

int AshaScheduler::promotable_rung() const {
  if (options_.type != AshaType::Promotion) return -1;
  // Highest rung first: finishing a good trial is worth more than starting its peers' next
  // rung. Within a rung, the best promotable entry is the only candidate: if it is not in the
  // top quota, no promotable entry is.
  for (std::size_t r = levels_.size() - 1; r-- > 0;) {
    const Rung& rung = rungs_[r];
    if (!rung.promotable.empty() && in_quota(rung, *rung.promotable.begin())) {
      return static_cast<int>(r);
    }
  }
  return -1;
}

std::optional<Promotion> AshaScheduler::peek_promotion() const {
  const int r = promotable_rung();
  if (r < 0) return std::nullopt;
  const auto ri = static_cast<std::size_t>(r);
  return Promotion{rungs_[ri].promotable.begin()->trial, levels_[ri + 1]};
}

std::optional<Promotion> AshaScheduler::promote() {
  const int r = promotable_rung();
  if (r < 0) return std::nullopt;
  const auto ri = static_cast<std::size_t>(r);
  Rung& rung = rungs_[ri];
  const Entry best = *rung.promotable.begin();
  rung.promotable.erase(rung.promotable.begin());
  paused_at_.erase(best.trial);
  return Promotion{best.trial, levels_[ri + 1]};
}

std::string AshaScheduler::name() const {
  return std::string("ASHA (") + (options_.type == AshaType::Promotion ? "promotion" : "stopping") +
         ", eta=" + std::to_string(options_.reduction_factor) + ", " +
         (options_.few_entries == FewEntriesRule::Floor ? "floor" : "ceil") + ")";
}

}  // namespace rung
