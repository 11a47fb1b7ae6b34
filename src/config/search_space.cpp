#include "rung/config/search_space.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <stdexcept>
#include <utility>

namespace rung {
namespace {

// The largest double below 1: encode() keeps every coordinate inside [0,1).
constexpr double kBelowOne = 1.0 - 0x1.0p-53;
// Integers beyond 2^53 are not all representable as doubles.
constexpr double kMaxExactInteger = 9007199254740992.0;

// A number as a user would write it: "0", "0.001", "1e-06" (shortest round-trip form).
std::string number_text(double v) {
  char buf[40];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string quoted(double v) { return "\"" + number_text(v) + "\""; }

bool is_integral(double v) {
  return std::isfinite(v) && v == std::floor(v) && std::fabs(v) <= kMaxExactInteger;
}

double clamp_unit(double u) {
  if (!(u >= 0.0)) return 0.0;  // also NaN
  return u < 1.0 ? u : kBelowOne;
}

// The transform that makes a numeric range uniform: x for Linear, log x for Logarithmic,
// -log(1 - x) for ReverseLogarithmic (which spreads samples towards 1, as SageMaker's does).
double forward(ScalingType s, double x) {
  switch (s) {
    case ScalingType::Logarithmic:
      return std::log(x);
    case ScalingType::ReverseLogarithmic:
      return -std::log1p(-x);
    default:
      return x;
  }
}

double inverse(ScalingType s, double t) {
  switch (s) {
    case ScalingType::Logarithmic:
      return std::exp(t);
    case ScalingType::ReverseLogarithmic:
      return -std::expm1(-t);
    default:
      return t;
  }
}

// A numeric range in transformed space: [lo, hi]. Integer ranges widen to [min - 0.5,
// max + 0.5] before the transform, so that every integer owns one cell.
struct Span {
  ScalingType scaling;
  double lo;
  double hi;
};

Span span_of(const ParamRange& r) {
  const ScalingType s = r.effective_scaling();
  if (r.kind == ParamKind::Integer) {
    return {s, forward(s, r.min_value - 0.5), forward(s, r.max_value + 0.5)};
  }
  return {s, forward(s, r.min_value), forward(s, r.max_value)};
}

double encode_integer(const ParamRange& r, std::int64_t k) {
  const Span sp = span_of(r);
  const double kd = static_cast<double>(k);
  if (sp.scaling == ScalingType::Linear) {
    const double cells = r.max_value - r.min_value + 1.0;
    return (kd - r.min_value + 0.5) / cells;
  }
  const double left = (forward(sp.scaling, kd - 0.5) - sp.lo) / (sp.hi - sp.lo);
  const double right = (forward(sp.scaling, kd + 0.5) - sp.lo) / (sp.hi - sp.lo);
  return 0.5 * (left + right);
}

std::int64_t decode_integer(const ParamRange& r, double u) {
  const Span sp = span_of(r);
  const auto lo = static_cast<std::int64_t>(r.min_value);
  const auto hi = static_cast<std::int64_t>(r.max_value);
  std::int64_t k = 0;
  if (sp.scaling == ScalingType::Linear) {
    const double cells = r.max_value - r.min_value + 1.0;
    k = lo + static_cast<std::int64_t>(std::floor(u * cells));
  } else {
    // Round in value space, then correct against the cell borders in transformed space,
    // where the comparison is exact enough for any representable integer.
    const double w = sp.lo + u * (sp.hi - sp.lo);
    k = static_cast<std::int64_t>(std::floor(inverse(sp.scaling, w) + 0.5));
    k = std::clamp(k, lo, hi);
    if (k > lo && w < forward(sp.scaling, static_cast<double>(k) - 0.5)) --k;
    if (k < hi && w >= forward(sp.scaling, static_cast<double>(k) + 0.5)) ++k;
  }
  return std::clamp(k, lo, hi);
}

double encode_continuous(const ParamRange& r, double x) {
  const Span sp = span_of(r);
  return clamp_unit((forward(sp.scaling, x) - sp.lo) / (sp.hi - sp.lo));
}

double decode_continuous(const ParamRange& r, double u) {
  const Span sp = span_of(r);
  const double x = inverse(sp.scaling, sp.lo + u * (sp.hi - sp.lo));
  return std::clamp(x, r.min_value, r.max_value);
}

// A value of a categorical range matches by its text: 32 matches "32".
std::size_t slot_of(const ParamRange& r, const ParamValue& value) {
  const std::string text = to_string(value);
  const auto it = std::find(r.values.begin(), r.values.end(), text);
  if (it == r.values.end()) {
    throw InputError("hyperparameter \"" + r.name + "\" is \"" + text +
                     "\", not one of its categorical values");
  }
  return static_cast<std::size_t>(it - r.values.begin());
}

const ParamValue& value_of(const HyperParameters& hp, const ParamRange& r) {
  const auto it = hp.find(r.name);
  if (it == hp.end()) {
    throw InputError("hyperparameter \"" + r.name + "\" is not set; the search space needs it");
  }
  return it->second;
}

void check_inside(const ParamRange& r, double v) {
  if (!(v >= r.min_value && v <= r.max_value)) {
    throw InputError("hyperparameter \"" + r.name + "\" is " + number_text(v) +
                     ", outside its range [" + number_text(r.min_value) + ", " +
                     number_text(r.max_value) + "]");
  }
}

}  // namespace

const char* to_string(ScalingType s) {
  switch (s) {
    case ScalingType::Auto:
      return "Auto";
    case ScalingType::Linear:
      return "Linear";
    case ScalingType::Logarithmic:
      return "Logarithmic";
    case ScalingType::ReverseLogarithmic:
      return "ReverseLogarithmic";
  }
  return "?";
}

const char* to_string(ParamKind k) {
  switch (k) {
    case ParamKind::Integer:
      return "Integer";
    case ParamKind::Continuous:
      return "Continuous";
    case ParamKind::Categorical:
      return "Categorical";
  }
  return "?";
}

ScalingType ParamRange::effective_scaling() const {
  if (kind == ParamKind::Categorical) return ScalingType::Linear;
  if (scaling != ScalingType::Auto) return scaling;
  // Two orders of magnitude or more: a linear draw would almost never try the low end.
  return (min_value > 0.0 && max_value / min_value >= 100.0) ? ScalingType::Logarithmic
                                                             : ScalingType::Linear;
}

std::vector<ConfigIssue> range_issues(const ParamRange& r, const std::string& path) {
  std::vector<ConfigIssue> issues;
  auto add = [&](const std::string& field, std::string message) {
    issues.push_back(ConfigIssue{path + "." + field, std::move(message)});
  };
  if (r.name.empty()) add("Name", "must not be empty; give the hyperparameter's name");

  if (r.kind == ParamKind::Categorical) {
    if (r.values.empty()) {
      add("Values", "is empty; a categorical range needs at least one value");
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < r.values.size(); ++i) {
      if (!seen.insert(r.values[i]).second) {
        add("Values[" + std::to_string(i) + "]",
            "\"" + r.values[i] + "\" is listed twice; each value must appear once");
      }
    }
    return issues;
  }

  bool bounds_ok = true;
  for (const auto& [field, v] : {std::pair<const char*, double>{"MinValue", r.min_value},
                                 std::pair<const char*, double>{"MaxValue", r.max_value}}) {
    if (!std::isfinite(v)) {
      add(field, "must be a finite number");
      bounds_ok = false;
    } else if (r.kind == ParamKind::Integer && !is_integral(v)) {
      add(field, quoted(v) +
                     " is not an integer; an IntegerParameterRange needs integer "
                     "bounds (use a ContinuousParameterRange for reals)");
      bounds_ok = false;
    }
  }
  if (!bounds_ok) return issues;

  if (r.kind == ParamKind::Integer && r.min_value > r.max_value) {
    add("MinValue", quoted(r.min_value) + " is greater than MaxValue " + quoted(r.max_value) +
                        "; MinValue must be <= MaxValue (swap them)");
    return issues;
  }
  if (r.kind == ParamKind::Continuous && !(r.min_value < r.max_value)) {
    add("MinValue", quoted(r.min_value) + " must be < MaxValue " + quoted(r.max_value) +
                        " for a continuous range; swap them, or put a fixed value in the "
                        "static hyperparameters");
    return issues;
  }

  if (r.scaling == ScalingType::Logarithmic && !(r.min_value > 0.0)) {
    add("MinValue", quoted(r.min_value) +
                        " must be > 0 for Logarithmic scaling; use Linear or a positive "
                        "lower bound");
  }
  if (r.scaling == ScalingType::ReverseLogarithmic) {
    if (r.kind == ParamKind::Integer) {
      add("ScalingType",
          "ReverseLogarithmic is only valid for ContinuousParameterRanges (as in SageMaker); "
          "use Auto, Linear or Logarithmic for an integer range");
    } else {
      if (!(r.min_value >= 0.0)) {
        add("MinValue", quoted(r.min_value) +
                            " must be >= 0 for ReverseLogarithmic scaling (it needs 0 <= "
                            "MinValue < MaxValue < 1); use Linear or bounds within [0, 1)");
      }
      if (!(r.max_value < 1.0)) {
        add("MaxValue", quoted(r.max_value) +
                            " must be < 1 for ReverseLogarithmic scaling (it needs 0 <= "
                            "MinValue < MaxValue < 1); use Linear or bounds within [0, 1)");
      }
    }
  }
  return issues;
}

SearchSpace::SearchSpace(std::vector<ParamRange> ranges) : ranges_(std::move(ranges)) {
  std::vector<ConfigIssue> issues;
  std::set<std::string> names;
  for (std::size_t i = 0; i < ranges_.size(); ++i) {
    const std::string path =
        std::string(to_string(ranges_[i].kind)) + "ParameterRanges[" + std::to_string(i) + "]";
    auto found = range_issues(ranges_[i], path);
    issues.insert(issues.end(), found.begin(), found.end());
    if (!ranges_[i].name.empty() && !names.insert(ranges_[i].name).second) {
      issues.push_back(ConfigIssue{path + ".Name", "\"" + ranges_[i].name +
                                                       "\" names two ranges; names must be "
                                                       "unique across all range kinds"});
    }
  }
  if (!issues.empty()) throw ConfigError(std::move(issues));
}

const ParamRange* SearchSpace::find(const std::string& name) const {
  for (const auto& r : ranges_) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

std::vector<double> SearchSpace::encode(const HyperParameters& hp) const {
  std::vector<double> u;
  u.reserve(ranges_.size());
  for (const auto& r : ranges_) {
    const ParamValue& value = value_of(hp, r);
    switch (r.kind) {
      case ParamKind::Integer: {
        const std::int64_t k = get_int(hp, r.name);
        check_inside(r, static_cast<double>(k));
        u.push_back(encode_integer(r, k));
        break;
      }
      case ParamKind::Continuous: {
        const double x = get_double(hp, r.name);
        check_inside(r, x);
        u.push_back(encode_continuous(r, x));
        break;
      }
      case ParamKind::Categorical: {
        const double slots = static_cast<double>(r.values.size());
        u.push_back((static_cast<double>(slot_of(r, value)) + 0.5) / slots);
        break;
      }
    }
  }
  return u;
}

HyperParameters SearchSpace::decode(const std::vector<double>& u) const {
  if (u.size() != ranges_.size()) {
    throw std::invalid_argument("SearchSpace::decode: got " + std::to_string(u.size()) +
                                " coordinates for " + std::to_string(ranges_.size()) + " ranges");
  }
  HyperParameters hp;
  for (std::size_t i = 0; i < ranges_.size(); ++i) {
    const ParamRange& r = ranges_[i];
    const double ui = clamp_unit(u[i]);
    switch (r.kind) {
      case ParamKind::Integer:
        hp[r.name] = decode_integer(r, ui);
        break;
      case ParamKind::Continuous:
        hp[r.name] = decode_continuous(r, ui);
        break;
      case ParamKind::Categorical: {
        const std::size_t n = r.values.size();
        const auto slot = std::min(static_cast<std::size_t>(ui * static_cast<double>(n)), n - 1);
        hp[r.name] = r.values[slot];
        break;
      }
    }
  }
  return hp;
}

HyperParameters SearchSpace::sample(std::mt19937_64& rng) const {
  std::vector<double> u(ranges_.size());
  for (auto& ui : u) ui = static_cast<double>(rng() >> 11) * 0x1.0p-53;
  return decode(u);
}

std::uint64_t SearchSpace::grid_size() const {
  if (ranges_.empty()) return 0;
  std::uint64_t size = 1;
  for (const auto& r : ranges_) {
    if (r.kind != ParamKind::Categorical || r.values.empty()) return 0;
    const auto n = static_cast<std::uint64_t>(r.values.size());
    size = size > UINT64_MAX / n ? UINT64_MAX : size * n;
  }
  return size;
}

HyperParameters SearchSpace::grid_point(std::uint64_t index) const {
  const std::uint64_t size = grid_size();
  if (index >= size) {
    throw std::out_of_range("SearchSpace::grid_point: index " + std::to_string(index) +
                            " is outside the grid of " + std::to_string(size) + " points");
  }
  HyperParameters hp;
  // Mixed radix, least significant digit last: the last range turns fastest.
  for (auto it = ranges_.rbegin(); it != ranges_.rend(); ++it) {
    const auto n = static_cast<std::uint64_t>(it->values.size());
    hp[it->name] = it->values[static_cast<std::size_t>(index % n)];
    index /= n;
  }
  return hp;
}

bool SearchSpace::contains(const HyperParameters& hp) const {
  for (const auto& r : ranges_) {
    try {
      const ParamValue& value = value_of(hp, r);
      switch (r.kind) {
        case ParamKind::Integer:
          check_inside(r, static_cast<double>(get_int(hp, r.name)));
          break;
        case ParamKind::Continuous:
          check_inside(r, get_double(hp, r.name));
          break;
        case ParamKind::Categorical:
          (void)slot_of(r, value);
          break;
      }
    } catch (const InputError&) {
      return false;
    }
  }
  return true;
}

}  // namespace rung
