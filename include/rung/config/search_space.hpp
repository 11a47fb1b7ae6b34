// The search space: SageMaker's three range kinds with its four scaling types, and the map
// between configurations and the unit cube [0,1)^d that searchers work in.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "rung/config/error.hpp"
#include "rung/config/hyperparameters.hpp"

namespace rung {

enum class ParamKind { Integer, Continuous, Categorical };
enum class ScalingType { Auto, Linear, Logarithmic, ReverseLogarithmic };

[[nodiscard]] const char* to_string(ScalingType s);
[[nodiscard]] const char* to_string(ParamKind k);

struct ParamRange {
  std::string name;
  ParamKind kind = ParamKind::Continuous;
  double min_value = 0.0;  // Integer and Continuous
  double max_value = 1.0;
  ScalingType scaling = ScalingType::Auto;
  std::vector<std::string> values;  // Categorical

  // The scaling actually used: Auto resolves to Logarithmic when min > 0 and the range spans
  // at least two orders of magnitude (max / min >= 100), else to Linear. Categorical: Linear.
  [[nodiscard]] ScalingType effective_scaling() const;
};

// The rules one range must follow (SageMaker's, and rung's where SageMaker is silent; the
// README's job-file reference lists them): finite bounds, integral for Integer ranges;
// Integer MinValue <= MaxValue (equal bounds fix the value), Continuous MinValue < MaxValue;
// Logarithmic needs MinValue > 0; ReverseLogarithmic is Continuous-only with
// 0 <= MinValue < MaxValue < 1; categorical values non-empty and distinct; a non-empty
// name. Each broken rule is one issue whose path is `path` plus the field (".MinValue",
// ".ScalingType", ...). Empty when the range is valid.
[[nodiscard]] std::vector<ConfigIssue> range_issues(const ParamRange& range,
                                                    const std::string& path);

class SearchSpace {
 public:
  SearchSpace() = default;
  // Throws ConfigError when a range breaks a rule of range_issues() or two share a name.
  explicit SearchSpace(std::vector<ParamRange> ranges);

  [[nodiscard]] const std::vector<ParamRange>& ranges() const noexcept { return ranges_; }
  [[nodiscard]] std::size_t dims() const noexcept { return ranges_.size(); }
  [[nodiscard]] bool empty() const noexcept { return ranges_.empty(); }

  // One coordinate per range, each in [0,1). Integers map to the centre of their cell and
  // categoricals to the centre of their slot, so decode(encode(x)) == x exactly for them.
  // Integer cells: a Linear integer range [a, b] is the real interval [a - 0.5, b + 0.5] cut
  // into b - a + 1 equal cells; a Logarithmic one is the same interval in log space (a >= 1,
  // so a - 0.5 > 0), so integer k has the mass of log((k + 0.5) / (k - 0.5)).
  // Throws InputError when a range's name is missing from hp or its value is outside it.
  [[nodiscard]] std::vector<double> encode(const HyperParameters& hp) const;
  // Values outside [0,1) are clamped. Integers round; categoricals pick their slot.
  [[nodiscard]] HyperParameters decode(const std::vector<double>& u) const;
  // Uniform in the scaled space (so log-uniform for Logarithmic), from the given generator:
  // one 53-bit draw per range, in range order, then decode(), so a seed gives the same
  // configurations with any standard library.
  [[nodiscard]] HyperParameters sample(std::mt19937_64& rng) const;
  // Whether every range's value is present and inside its range (used on configurations
  // read back from a journal). Names that are not ranges (static hyperparameters) are ignored.
  [[nodiscard]] bool contains(const HyperParameters& hp) const;
  // The range with this name, or nullptr.
  [[nodiscard]] const ParamRange* find(const std::string& name) const;

  // Grid enumeration (Strategy Grid, which takes categorical ranges only). grid_size() is the
  // number of combinations, the product of the ranges' value counts (saturating at
  // UINT64_MAX); 0 when a range is not categorical or the space is empty. grid_point(i) is
  // combination i in a fixed order: the ranges as an odometer in range order, the last range
  // turning fastest, each through its Values in the order listed; so i = 0 takes every
  // range's first value, and the first N points are what a Grid job with
  // MaxNumberOfTrainingJobs = N runs. Throws std::out_of_range when i >= grid_size().
  [[nodiscard]] std::uint64_t grid_size() const;
  [[nodiscard]] HyperParameters grid_point(std::uint64_t index) const;

 private:
  std::vector<ParamRange> ranges_;
};

}  // namespace rung
