#include "rung/tune/deadline_policy.hpp"

#include <algorithm>

namespace rung {

std::optional<double> epoch_estimate_s(const RunRecord& record, const Trial* t,
                                       std::optional<double> latest_s) {
  constexpr std::size_t kWindow = 3;  // a trial's epochs slow down or speed up with its size
  if (t != nullptr && (latest_s || !t->curve.empty())) {
    double sum = latest_s.value_or(0.0);
    std::size_t n = latest_s ? 1 : 0;
    for (auto it = t->curve.rbegin(); it != t->curve.rend() && n < kWindow; ++it, ++n) {
      sum += it->train_time_s + it->eval_time_s;
    }
    return sum / static_cast<double>(n);
  }
  double sum = 0.0;
  std::size_t n = 0;
  for (const Trial& other : record.trials) {
    for (const EpochRecord& e : other.curve) {
      sum += e.train_time_s + e.eval_time_s;
      ++n;
    }
  }
  if (n == 0) return std::nullopt;
  return sum / static_cast<double>(n);
}

bool DeadlinePolicy::would_overrun(const RunRecord& record, const Trial* t, int epochs,
                                   double now_s, std::optional<double> latest_epoch_s) const {
  if (!deadline_s_) return false;
  const std::optional<double> per_epoch = epoch_estimate_s(record, t, latest_epoch_s);
  if (!per_epoch) return false;  // nothing measured yet: nothing to hold back on
  return now_s + *per_epoch * static_cast<double>(std::max(epochs, 1)) > *deadline_s_;
}

}  // namespace rung
