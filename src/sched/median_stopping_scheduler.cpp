#include "rung/sched/median_stopping_scheduler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace rung {

void MedianStoppingScheduler::RunningMedian::insert(double x) {
  if (low.empty() || x <= low.top()) {
    low.push(x);
  } else {
    high.push(x);
  }
  if (low.size() > high.size() + 1) {
    high.push(low.top());
    low.pop();
  } else if (high.size() > low.size()) {
    low.push(high.top());
    high.pop();
  }
}

double MedianStoppingScheduler::RunningMedian::median() const {
  if (low.size() > high.size()) return low.top();
  return low.top() / 2 + high.top() / 2;  // halves first: no overflow near DBL_MAX
}

MedianStoppingScheduler::MedianStoppingScheduler(int min_resource, int max_resource,
                                                 MedianStoppingOptions options)
    : min_resource_(min_resource), max_resource_(max_resource), options_(options) {
  if (min_resource < 1 || max_resource < min_resource) {
    throw std::invalid_argument("MedianStoppingScheduler: need 1 <= min_resource (" +
                                std::to_string(min_resource) + ") <= max_resource (" +
                                std::to_string(max_resource) + ")");
  }
  by_epoch_.resize(static_cast<std::size_t>(max_resource));
}

Decision MedianStoppingScheduler::on_report(TrialId trial, int epoch, double score) {
  const Decision at_end = epoch >= max_resource_ ? Decision::Complete : Decision::Continue;
  if (epoch < 1 || epoch > max_resource_) return at_end;  // outside the books; nothing to record
  Progress& p = trials_[trial];
  if (epoch <= p.last_epoch) return epoch == p.last_epoch ? p.last : Decision::Continue;

  constexpr double kNegInf = -std::numeric_limits<double>::infinity();
  if (std::isnan(score)) score = kNegInf;
  p.last_epoch = epoch;
  p.sum += score;
  p.reported += 1;
  double average = p.sum / static_cast<double>(p.reported);
  if (std::isnan(average)) average = kNegInf;

  RunningMedian& others = by_epoch_[static_cast<std::size_t>(epoch - 1)];
  Decision d = at_end;
  const int first_judged = std::max(options_.grace_epochs, min_resource_);
  const auto needed = static_cast<std::size_t>(std::max(options_.min_trials, 1));
  if (d == Decision::Continue && epoch >= first_judged && others.size() >= needed &&
      score < others.median()) {
    d = Decision::Stop;
  }
  // Recorded after the decision: T is judged against the others only.
  others.insert(average);
  p.last = d;
  return d;
}

std::optional<double> MedianStoppingScheduler::median_at(int epoch) const {
  if (epoch < 1 || epoch > max_resource_) return std::nullopt;
  const RunningMedian& m = by_epoch_[static_cast<std::size_t>(epoch - 1)];
  if (m.size() == 0) return std::nullopt;
  return m.median();
}

std::size_t MedianStoppingScheduler::count_at(int epoch) const {
  if (epoch < 1 || epoch > max_resource_) return 0;
  return by_epoch_[static_cast<std::size_t>(epoch - 1)].size();
}

std::string MedianStoppingScheduler::name() const {
  const auto plural = [](int n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
  };
  return "Median stopping (grace " + plural(options_.grace_epochs, "epoch") + ", min " +
         plural(options_.min_trials, "trial") + ")";
}

}  // namespace rung
