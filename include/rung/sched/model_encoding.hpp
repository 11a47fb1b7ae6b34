// How the model-based searchers (Bayesian, MOBSTER, Hyper-Tune) see a configuration: a point
// with one coordinate per numeric range (its SearchSpace::encode value in [0, 1]) and one per
// value of each categorical (one-hot, so that all values are equally far apart). A point
// decodes to the value of its categoricals' largest coordinates. Models only ever score
// projected points (one-hot categoricals, integers on their cell's centre): configurations a
// trial could run.
#pragma once

#include <cstddef>
#include <random>
#include <vector>

#include "rung/config/hyperparameters.hpp"
#include "rung/config/search_space.hpp"

namespace rung {

class ModelEncoding {
 public:
  explicit ModelEncoding(SearchSpace space);

  [[nodiscard]] const SearchSpace& space() const noexcept { return space_; }
  [[nodiscard]] std::size_t dims() const noexcept { return dims_; }  // coordinates of a point
  [[nodiscard]] const std::vector<std::size_t>& numeric() const noexcept { return numeric_; }

  // A point <-> SearchSpace::encode's cube (one number per range).
  [[nodiscard]] std::vector<double> to_cube(const double* point) const;
  void from_cube(const std::vector<double>& u, double* point) const;
  // The configuration the point stands for, as a point.
  void project(double* point) const;
  [[nodiscard]] std::vector<double> point_of_cube(const std::vector<double>& u) const;
  [[nodiscard]] HyperParameters decode(const double* point) const;
  // A uniform configuration (one uniform01 per range, in range order).
  [[nodiscard]] std::vector<double> random_point(std::mt19937_64& rng) const;
  // A configuration near `point`: every numeric coordinate moved by a normal of sd `scale`
  // (clamped to the cube); now and then (always with no numeric range) another value of one
  // categorical. Projected.
  void perturb(double* point, double scale, std::mt19937_64& rng) const;

 private:
  SearchSpace space_;
  std::size_t dims_ = 0;
  std::vector<std::size_t> offset_;       // per range: its first coordinate
  std::vector<std::size_t> numeric_;      // coordinates of numeric ranges
  std::vector<std::size_t> categorical_;  // indexes of categorical ranges
};

}  // namespace rung
