// Synthetic objectives with known minima, for searchers' quality tests and for
// bench/strategies: Branin (2-d), Hartmann-6 and a categorical choice among three quadratic
// bowls. A searcher maximises scores, so a function f to minimise is observed as -f.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "rung/config/search_space.hpp"
#include "rung/sched/searcher.hpp"

namespace rung::testing_support {

struct TestFunction {
  std::string name;
  SearchSpace space;
  std::function<double(const HyperParameters&)> value;  // to minimise
  double minimum = 0.0;
};

inline ParamRange continuous_range(std::string name, double lo, double hi) {
  return ParamRange{std::move(name), ParamKind::Continuous, lo, hi, ScalingType::Linear, {}};
}

// Branin-Hoo on [-5, 10] x [0, 15]: three global minima of 0.397887.
inline TestFunction branin() {
  constexpr double kPi = 3.14159265358979323846;
  TestFunction f;
  f.name = "branin";
  f.space = SearchSpace({continuous_range("x1", -5.0, 10.0), continuous_range("x2", 0.0, 15.0)});
  f.value = [kPi](const HyperParameters& hp) {
    const double x1 = get_double(hp, "x1");
    const double x2 = get_double(hp, "x2");
    const double b = 5.1 / (4.0 * kPi * kPi);
    const double c = 5.0 / kPi;
    const double t = 1.0 / (8.0 * kPi);
    const double a = x2 - b * x1 * x1 + c * x1 - 6.0;
    return a * a + 10.0 * (1.0 - t) * std::cos(x1) + 10.0;
  };
  f.minimum = 0.397887357729739;
  return f;
}

// Hartmann-6 on [0, 1]^6: one global minimum of -3.32237 and several local ones.
inline TestFunction hartmann6() {
  TestFunction f;
  f.name = "hartmann6";
  std::vector<ParamRange> ranges;
  for (int i = 1; i <= 6; ++i) ranges.push_back(continuous_range("x" + std::to_string(i), 0, 1));
  f.space = SearchSpace(std::move(ranges));
  f.value = [](const HyperParameters& hp) {
    static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
    static const double a[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                   {0.05, 10, 17, 0.1, 8, 14},
                                   {3, 3.5, 1.7, 10, 17, 8},
                                   {17, 8, 0.05, 10, 0.1, 14}};
    static const double p[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                                   {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                                   {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                                   {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
    double x[6];
    for (int j = 0; j < 6; ++j) x[j] = get_double(hp, "x" + std::to_string(j + 1));
    double sum = 0.0;
    for (int i = 0; i < 4; ++i) {
      double inner = 0.0;
      for (int j = 0; j < 6; ++j) inner += a[i][j] * (x[j] - p[i][j]) * (x[j] - p[i][j]);
      sum += alpha[i] * std::exp(-inner);
    }
    return -sum;
  };
  f.minimum = -3.32236801141551;
  return f;
}

// A categorical input that selects one of three quadratic bowls over two continuous inputs
// in [0, 1]: each bowl has its own centre and floor, the best floor (0) is bowl "b"'s.
// Tests that a searcher learns across a categorical, not only along continuous axes.
inline TestFunction categorical_bowls() {
  TestFunction f;
  f.name = "categorical_bowls";
  f.space = SearchSpace(
      {ParamRange{"bowl", ParamKind::Categorical, 0, 1, ScalingType::Auto, {"a", "b", "c"}},
       continuous_range("x", 0.0, 1.0), continuous_range("y", 0.0, 1.0)});
  f.value = [](const HyperParameters& hp) {
    const std::string bowl = get_string(hp, "bowl");
    const double x = get_double(hp, "x");
    const double y = get_double(hp, "y");
    const int i = bowl == "a" ? 0 : bowl == "b" ? 1 : 2;
    static const double floor[3] = {0.5, 0.0, 0.25};
    static const double cx[3] = {0.2, 0.8, 0.4};
    static const double cy[3] = {0.7, 0.25, 0.4};
    return floor[i] + 4.0 * ((x - cx[i]) * (x - cx[i]) + (y - cy[i]) * (y - cy[i]));
  };
  f.minimum = 0.0;
  return f;
}

inline std::vector<TestFunction> test_functions() {
  return {branin(), hartmann6(), categorical_bowls()};
}

// A search with `parallel` trials running at once (1: sequential): the searcher proposes
// until `parallel` trials are pending, then the oldest ends (all trials take equally long),
// observed with the score -f at epoch 1. Returns the simple regret (best f among ended
// trials minus the minimum) after each ended trial. Stops early when the searcher has
// nothing left to propose (the remaining entries repeat the last regret).
inline std::vector<double> regret_curve(Searcher& searcher, const TestFunction& f, int evaluations,
                                        int parallel = 1) {
  std::vector<double> regret;
  std::vector<std::pair<TrialId, double>> running;  // oldest first
  double best = std::numeric_limits<double>::infinity();
  TrialId next = 0;
  bool exhausted = false;
  while (static_cast<int>(regret.size()) < evaluations) {
    while (!exhausted && static_cast<int>(running.size()) < parallel &&
           next < static_cast<TrialId>(evaluations)) {
      const auto hp = searcher.suggest(next);
      if (!hp) {
        exhausted = true;
        break;
      }
      running.emplace_back(next++, f.value(*hp));
    }
    if (running.empty()) break;
    const auto [trial, value] = running.front();
    running.erase(running.begin());
    searcher.observe(trial, 1, -value);
    searcher.on_trial_end(trial, TrialEnd::Completed);
    best = std::min(best, value);
    regret.push_back(best - f.minimum);
  }
  while (!regret.empty() && static_cast<int>(regret.size()) < evaluations) {
    regret.push_back(regret.back());
  }
  return regret;
}

}  // namespace rung::testing_support
