#include "rung/sched/model_encoding.hpp"

#include <algorithm>
#include <utility>

#include "random_draws.hpp"

namespace rung {

ModelEncoding::ModelEncoding(SearchSpace space) : space_(std::move(space)) {
  const auto& ranges = space_.ranges();
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    offset_.push_back(dims_);
    if (ranges[i].kind == ParamKind::Categorical) {
      categorical_.push_back(i);
      dims_ += ranges[i].values.size();
    } else {
      numeric_.push_back(dims_);
      dims_ += 1;
    }
  }
}

std::vector<double> ModelEncoding::to_cube(const double* point) const {
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

void ModelEncoding::from_cube(const std::vector<double>& u, double* point) const {
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

void ModelEncoding::project(double* point) const {
  from_cube(space_.encode(space_.decode(to_cube(point))), point);
}

std::vector<double> ModelEncoding::point_of_cube(const std::vector<double>& u) const {
  std::vector<double> point(dims_);
  from_cube(u, point.data());
  project(point.data());
  return point;
}

HyperParameters ModelEncoding::decode(const double* point) const {
  return space_.decode(to_cube(point));
}

std::vector<double> ModelEncoding::random_point(std::mt19937_64& rng) const {
  std::vector<double> u(space_.dims());
  for (auto& ui : u) ui = uniform01(rng);
  return point_of_cube(u);
}

void ModelEncoding::perturb(double* point, double scale, std::mt19937_64& rng) const {
  for (const std::size_t j : numeric_) {
    point[j] = std::clamp(point[j] + scale * normal01(rng), 0.0, 1.0);
  }
  if (!categorical_.empty() && (numeric_.empty() || uniform01(rng) < 0.2)) {
    const std::size_t r = categorical_[index_below(rng, categorical_.size())];
    const std::size_t values = space_.ranges()[r].values.size();
    double* p = point + offset_[r];
    std::fill(p, p + values, 0.0);
    p[index_below(rng, values)] = 1.0;
  }
  project(point);
}

}  // namespace rung
