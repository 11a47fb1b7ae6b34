#include "rung/sched/model_fit_data.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "random_draws.hpp"

namespace rung {
namespace {

double median_of(std::vector<double> v) {
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  const double upper = *mid;
  if (v.size() % 2 == 1) return upper;
  return 0.5 * (upper + *std::max_element(v.begin(), mid));
}

}  // namespace

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

std::vector<std::size_t> fit_subset(const std::vector<double>& y, std::size_t cap,
                                    std::mt19937_64& rng) {
  const std::size_t n = y.size();
  std::vector<std::size_t> chosen;
  if (n <= cap) {
    chosen.resize(n);
    std::iota(chosen.begin(), chosen.end(), std::size_t{0});
    return chosen;
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return y[a] > y[b]; });
  const std::size_t best = cap / 4;
  chosen.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(best));
  std::vector<std::size_t> rest(order.begin() + static_cast<std::ptrdiff_t>(best), order.end());
  std::sort(rest.begin(), rest.end());
  for (std::size_t i = 0; i < cap - best; ++i) {
    std::swap(rest[i], rest[i + index_below(rng, rest.size() - i)]);
    chosen.push_back(rest[i]);
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

}  // namespace rung
