// Simple regret against evaluations for the searchers on synthetic functions (Branin,
// Hartmann-6, a categorical choice of bowls): every strategy on every function with the
// same seeds, sequential evaluations by default. Writes one CSV row per
// (function, strategy, seed, evaluation) and prints the median and quartiles of the regret
// at a few evaluation counts as a Markdown table. bench/strategies/plot.py draws the curves.
// With --parallel P, P trials run at once (the oldest ends first), as with P workers.
//
//   bench_strategies [--evals N] [--seeds S] [--first-seed K] [--parallel P]
//                    [--out FILE.csv] [--strategies Random,Bayesian]
//                    [--functions branin,hartmann6,categorical_bowls]

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "rung/sched/bayesian_searcher.hpp"
#include "rung/sched/searcher.hpp"
#include "sched/test_functions.hpp"

namespace {

using rung::testing_support::TestFunction;

// A strategy under test: how to build its searcher for a space and a seed. Add Grid (and
// model-based variants) here; schedulers that stop trials early (Hyperband) need a
// multi-fidelity objective and a resource axis instead of this sequential loop.
struct StrategyFactory {
  std::string name;
  std::function<std::unique_ptr<rung::Searcher>(const rung::SearchSpace&, std::uint64_t)> make;
};

std::vector<StrategyFactory> all_strategies() {
  return {
      {"Random",
       [](const rung::SearchSpace& space, std::uint64_t seed) {
         return std::make_unique<rung::RandomSearcher>(space, seed);
       }},
      {"Bayesian",
       [](const rung::SearchSpace& space, std::uint64_t seed) {
         return std::make_unique<rung::BayesianSearcher>(space, seed);
       }},
  };
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(pos);
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

struct Args {
  int evals = 100;
  int seeds = 20;
  int parallel = 1;
  std::uint64_t first_seed = 1;
  std::string out = "strategies.csv";
  std::vector<std::string> strategies;
  std::vector<std::string> functions;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string key = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "missing value after " << key << "\n";
      std::exit(2);
    }
    const std::string value = argv[++i];
    if (key == "--evals") {
      a.evals = std::stoi(value);
    } else if (key == "--seeds") {
      a.seeds = std::stoi(value);
    } else if (key == "--parallel") {
      a.parallel = std::stoi(value);
    } else if (key == "--first-seed") {
      a.first_seed = std::stoull(value);
    } else if (key == "--out") {
      a.out = value;
    } else if (key == "--strategies") {
      a.strategies = split(value);
    } else if (key == "--functions") {
      a.functions = split(value);
    } else {
      std::cerr << "unknown option " << key << "\n";
      std::exit(2);
    }
  }
  if (a.evals < 1 || a.seeds < 1 || a.parallel < 1) {
    std::cerr << "--evals, --seeds and --parallel must be >= 1\n";
    std::exit(2);
  }
  return a;
}

template <typename T>
std::vector<T> select(std::vector<T> all, const std::vector<std::string>& names) {
  if (names.empty()) return all;
  std::vector<T> out;
  for (const auto& name : names) {
    const auto it =
        std::find_if(all.begin(), all.end(), [&](const T& x) { return x.name == name; });
    if (it == all.end()) {
      std::cerr << "unknown name " << name << "\n";
      std::exit(2);
    }
    out.push_back(*it);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  const auto functions = select(rung::testing_support::test_functions(), args.functions);
  const auto strategies = select(all_strategies(), args.strategies);
  std::ofstream csv(args.out);
  if (!csv) {
    std::cerr << "cannot write " << args.out << "\n";
    return 1;
  }
  csv << "function,strategy,seed,evaluation,regret\n";
  csv.precision(10);

  std::vector<int> marks;
  for (const int m : {10, 25, 50, 100, 200}) {
    if (m <= args.evals) marks.push_back(m);
  }
  if (marks.empty() || marks.back() != args.evals) marks.push_back(args.evals);

  std::cout << "| function | strategy |";
  for (const int m : marks) std::cout << " regret @" << m << " |";
  std::cout << " s / run |\n| --- | --- |";
  for (std::size_t i = 0; i <= marks.size(); ++i) std::cout << " --- |";
  std::cout << "\n";
  for (const auto& f : functions) {
    for (const auto& s : strategies) {
      std::vector<std::vector<double>> at(marks.size());
      double seconds = 0.0;
      for (int k = 0; k < args.seeds; ++k) {
        const std::uint64_t seed = args.first_seed + static_cast<std::uint64_t>(k);
        const auto start = std::chrono::steady_clock::now();
        auto searcher = s.make(f.space, seed);
        const auto regret =
            rung::testing_support::regret_curve(*searcher, f, args.evals, args.parallel);
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        for (std::size_t t = 0; t < regret.size(); ++t) {
          csv << f.name << ',' << s.name << ',' << seed << ',' << t + 1 << ',' << regret[t] << '\n';
        }
        for (std::size_t i = 0; i < marks.size(); ++i) {
          at[i].push_back(regret[static_cast<std::size_t>(marks[i] - 1)]);
        }
      }
      std::cout << "| " << f.name << " | " << s.name << " |";
      for (const auto& v : at) {
        char cell[96];
        std::snprintf(cell, sizeof cell, " %.3g [%.3g, %.3g] |", quantile(v, 0.5),
                      quantile(v, 0.25), quantile(v, 0.75));
        std::cout << cell;
      }
      char cell[32];
      std::snprintf(cell, sizeof cell, " %.2f |", seconds / args.seeds);
      std::cout << cell << "\n" << std::flush;
    }
  }
  return 0;
}
