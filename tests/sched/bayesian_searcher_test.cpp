#include "rung/sched/bayesian_searcher.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "sched/test_functions.hpp"

namespace rung {
namespace {

using testing_support::TestFunction;

// Every kind of range and scaling rung knows.
SearchSpace mixed_space() {
  return SearchSpace({
      ParamRange{"lr", ParamKind::Continuous, 1e-5, 1e-1, ScalingType::Logarithmic, {}},
      ParamRange{
          "momentum", ParamKind::Continuous, 0.5, 0.999, ScalingType::ReverseLogarithmic, {}},
      ParamRange{"dropout", ParamKind::Continuous, 0.0, 0.5, ScalingType::Linear, {}},
      ParamRange{"layers", ParamKind::Integer, 1, 4, ScalingType::Linear, {}},
      ParamRange{"batch", ParamKind::Integer, 16, 512, ScalingType::Logarithmic, {}},
      ParamRange{"act", ParamKind::Categorical, 0, 1, ScalingType::Auto, {"relu", "tanh", "gelu"}},
  });
}

// A score with structure in every input (higher is better).
double mixed_score(const HyperParameters& hp) {
  const double lr = std::log10(get_double(hp, "lr"));
  const double act = get_string(hp, "act") == "gelu"   ? 0.3
                     : get_string(hp, "act") == "tanh" ? 0.1
                                                       : 0.0;
  return -(lr + 3.0) * (lr + 3.0) -
         4.0 * (get_double(hp, "momentum") - 0.9) * (get_double(hp, "momentum") - 0.9) -
         get_double(hp, "dropout") + 0.1 * static_cast<double>(get_int(hp, "layers")) -
         0.01 * std::fabs(static_cast<double>(get_int(hp, "batch")) - 128.0) / 128.0 + act;
}

double distance(const SearchSpace& space, const HyperParameters& a, const HyperParameters& b) {
  const auto u = space.encode(a);
  const auto v = space.encode(b);
  double sum = 0.0;
  for (std::size_t i = 0; i < u.size(); ++i) sum += (u[i] - v[i]) * (u[i] - v[i]);
  return std::sqrt(sum);
}

// Sequential: suggest, report one epoch, complete.
void run_sequential(Searcher& searcher, const std::function<double(const HyperParameters&)>& score,
                    TrialId first, int count, std::vector<HyperParameters>* proposals = nullptr) {
  for (TrialId t = first; t < first + count; ++t) {
    const auto hp = searcher.suggest(t);
    ASSERT_TRUE(hp.has_value());
    if (proposals) proposals->push_back(*hp);
    searcher.observe(t, 1, score(*hp));
    searcher.on_trial_end(t, TrialEnd::Completed);
  }
}

TEST(BayesianSearcher, proposes_configurations_inside_the_space_when_ranges_mix_kinds) {
  const SearchSpace space = mixed_space();
  BayesianSearcher searcher(space, 3);
  std::vector<HyperParameters> proposals;
  run_sequential(searcher, mixed_score, 0, 30, &proposals);
  // And asynchronously: three pending at a time, the oldest ending first.
  std::vector<std::pair<TrialId, HyperParameters>> running;
  for (TrialId t = 30; t < 45; ++t) {
    const auto hp = searcher.suggest(t);
    ASSERT_TRUE(hp.has_value());
    proposals.push_back(*hp);
    running.emplace_back(t, *hp);
    if (running.size() == 3) {
      searcher.observe(running.front().first, 1, mixed_score(running.front().second));
      searcher.on_trial_end(running.front().first, TrialEnd::Completed);
      running.erase(running.begin());
    }
  }
  for (const auto& hp : proposals) {
    EXPECT_TRUE(space.contains(hp));
    EXPECT_EQ(hp.size(), space.dims());
  }
  EXPECT_EQ(searcher.observations(), 43u);
}

TEST(BayesianSearcher, proposes_the_same_configurations_when_seed_and_scores_are_the_same) {
  const SearchSpace space = mixed_space();
  auto run = [&](std::uint64_t seed) {
    BayesianSearcher searcher(space, seed);
    std::vector<HyperParameters> proposals;
    // Two pending at a time, so that fantasies are exercised too.
    for (TrialId t = 0; t < 24; ++t) {
      proposals.push_back(*searcher.suggest(t));
      if (t >= 1) {
        searcher.observe(t - 1, 1, mixed_score(proposals[static_cast<std::size_t>(t - 1)]));
        searcher.on_trial_end(t - 1, TrialEnd::Completed);
      }
    }
    return proposals;
  };
  const auto a = run(11);
  const auto b = run(11);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, run(12));
}

TEST(BayesianSearcher, spreads_pending_proposals_when_no_result_arrives) {
  const TestFunction f = testing_support::branin();
  const auto score = [&](const HyperParameters& hp) { return -f.value(hp); };
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    BayesianSearcher searcher(f.space, seed);
    run_sequential(searcher, score, 0, 12);
    std::vector<HyperParameters> pending;
    for (TrialId t = 12; t < 16; ++t) pending.push_back(*searcher.suggest(t));
    double widest = 0.0;
    for (std::size_t i = 0; i < pending.size(); ++i) {
      EXPECT_TRUE(f.space.contains(pending[i]));
      for (std::size_t j = 0; j < i; ++j) {
        const double d = distance(f.space, pending[i], pending[j]);
        EXPECT_GT(d, 1e-3) << "proposals " << i << " and " << j << " coincide";
        widest = std::max(widest, d);
      }
    }
    // Not all inside one small ball (a radius of 2.5% of the cube's side).
    EXPECT_GT(widest, 0.05);
  }
}

TEST(BayesianSearcher, proposes_distinct_configurations_when_no_result_ever_arrives) {
  const SearchSpace space = mixed_space();
  BayesianSearcher searcher(space, 5);
  std::vector<HyperParameters> proposals;
  for (TrialId t = 0; t < 12; ++t) {  // past the initial design (7 for 6 ranges)
    const auto hp = searcher.suggest(t);
    ASSERT_TRUE(hp.has_value());
    EXPECT_TRUE(space.contains(*hp));
    for (const auto& earlier : proposals) EXPECT_NE(*hp, earlier);
    proposals.push_back(*hp);
  }
  EXPECT_EQ(searcher.observations(), 0u);
}

TEST(BayesianSearcher, ignores_failed_trials_when_learning) {
  const TestFunction f = testing_support::branin();
  BayesianSearcher searcher(f.space, 2);
  for (TrialId t = 0; t < 10; ++t) {
    (void)searcher.suggest(t);
    searcher.observe(t, 1, 1e9);  // a score it must never learn from
    searcher.on_trial_end(t, TrialEnd::Failed);
  }
  EXPECT_EQ(searcher.observations(), 0u);
  run_sequential(
      searcher, [&](const HyperParameters& hp) { return -f.value(hp); }, 10, 12);
  EXPECT_EQ(searcher.observations(), 12u);
  const auto hp = searcher.suggest(22);
  searcher.on_trial_end(22, TrialEnd::Failed);
  ASSERT_TRUE(hp.has_value());
  EXPECT_TRUE(f.space.contains(*hp));
  EXPECT_EQ(searcher.observations(), 12u);
}

TEST(BayesianSearcher, learns_from_the_last_score_when_a_trial_is_stopped) {
  const TestFunction f = testing_support::branin();
  BayesianSearcher searcher(f.space, 2);
  (void)searcher.suggest(0);
  for (int epoch = 1; epoch <= 3; ++epoch) searcher.observe(0, epoch, -10.0 * epoch);
  EXPECT_EQ(searcher.observations(), 0u);  // still running: pending, not data
  searcher.on_trial_end(0, TrialEnd::Stopped);
  EXPECT_EQ(searcher.observations(), 1u);
}

TEST(BayesianSearcher, ignores_trials_when_their_last_score_is_not_finite) {
  const TestFunction f = testing_support::branin();
  BayesianSearcher searcher(f.space, 2);
  (void)searcher.suggest(0);
  searcher.observe(0, 1, 1.0);
  searcher.observe(0, 2, std::numeric_limits<double>::quiet_NaN());
  searcher.on_trial_end(0, TrialEnd::Completed);
  (void)searcher.suggest(1);
  searcher.on_trial_end(1, TrialEnd::Completed);  // no score at all
  (void)searcher.suggest(2);
  searcher.observe(2, 1, -std::numeric_limits<double>::infinity());
  searcher.on_trial_end(2, TrialEnd::Stopped);
  EXPECT_EQ(searcher.observations(), 0u);
}

TEST(BayesianSearcher, ignores_results_when_trials_are_not_its_own) {
  const TestFunction f = testing_support::branin();
  BayesianSearcher searcher(f.space, 2);
  searcher.observe(99, 1, 5.0);
  searcher.on_trial_end(99, TrialEnd::Completed);
  (void)searcher.suggest(0);
  searcher.observe(0, 1, 5.0);
  searcher.on_trial_end(0, TrialEnd::Completed);
  searcher.on_trial_end(0, TrialEnd::Completed);  // twice: the second is not news
  EXPECT_EQ(searcher.observations(), 1u);
}

TEST(BayesianSearcher, finds_the_minimum_when_the_space_has_one_dimension) {
  const SearchSpace space({testing_support::continuous_range("x", 0.0, 1.0)});
  BayesianSearcher searcher(space, 4);
  std::vector<HyperParameters> proposals;
  const auto score = [](const HyperParameters& hp) {
    const double x = get_double(hp, "x");
    return -(x - 0.3) * (x - 0.3);
  };
  run_sequential(searcher, score, 0, 20, &proposals);
  double closest = 1.0;
  for (const auto& hp : proposals) {
    EXPECT_TRUE(space.contains(hp));
    closest = std::min(closest, std::fabs(get_double(hp, "x") - 0.3));
  }
  EXPECT_LT(closest, 0.01);
}

TEST(BayesianSearcher, finds_the_best_configuration_when_ranges_are_discrete) {
  // 5 x 3 = 15 configurations; the best is (width 4, "b").
  const SearchSpace space(
      {ParamRange{"width", ParamKind::Integer, 1, 5, ScalingType::Linear, {}},
       ParamRange{"kind", ParamKind::Categorical, 0, 1, ScalingType::Auto, {"a", "b", "c"}}});
  const auto score = [](const HyperParameters& hp) {
    const double w = static_cast<double>(get_int(hp, "width"));
    const std::string k = get_string(hp, "kind");
    return -(w - 4.0) * (w - 4.0) + (k == "b" ? 1.0 : k == "c" ? 0.5 : 0.0);
  };
  BayesianSearcher searcher(space, 6);
  std::vector<HyperParameters> proposals;
  run_sequential(searcher, score, 0, 25, &proposals);
  double best = -std::numeric_limits<double>::infinity();
  for (const auto& hp : proposals) {
    EXPECT_TRUE(space.contains(hp));
    best = std::max(best, score(hp));
  }
  EXPECT_EQ(best, 1.0);
}

TEST(BayesianSearcher, returns_empty_configurations_when_the_space_is_empty) {
  BayesianSearcher searcher(SearchSpace{}, 1);
  for (TrialId t = 0; t < 3; ++t) {
    const auto hp = searcher.suggest(t);
    ASSERT_TRUE(hp.has_value());
    EXPECT_TRUE(hp->empty());
    searcher.observe(t, 1, 1.0);
    searcher.on_trial_end(t, TrialEnd::Completed);
  }
  EXPECT_EQ(searcher.name(), "Bayesian");
}

TEST(BayesianSearcher, refits_less_often_when_data_grows) {
  const TestFunction f = testing_support::hartmann6();
  BayesianSearcher searcher(f.space, 1);
  run_sequential(
      searcher, [&](const HyperParameters& hp) { return -f.value(hp); }, 0, 60);
  // A fit at every new result from 2 to 20 observations (10% of fewer than 20 rounds down
  // to 1), then at every 10% of growth up to the 59 observations of the last suggest:
  // about 30 in all, against 58 model-based suggests.
  EXPECT_GE(searcher.refits(), 20);
  EXPECT_LE(searcher.refits(), 40);
}

// The regret of 50 sequential evaluations over 20 seeds: Bayesian's median must be below a
// quarter of Random's, and Bayesian must win on at least 15 of the 20 seeds. Over 200
// seeds (10 blocks of 20, bench_strategies), the worst block had a median ratio below 0.08
// and 18 wins, on all three functions.
void expect_beats_random(const TestFunction& f) {
  constexpr int kSeeds = 20;
  constexpr int kEvaluations = 50;
  std::vector<double> bayes;
  std::vector<double> random;
  int wins = 0;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    BayesianSearcher b(f.space, seed);
    RandomSearcher r(f.space, seed);
    bayes.push_back(testing_support::regret_curve(b, f, kEvaluations).back());
    random.push_back(testing_support::regret_curve(r, f, kEvaluations).back());
    if (bayes.back() < random.back()) ++wins;
  }
  const auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
  };
  EXPECT_LT(median(bayes), 0.25 * median(random))
      << f.name << ": median regret " << median(bayes) << " against Random's " << median(random);
  EXPECT_GE(wins, 15) << f.name;
}

TEST(BayesianSearcher, beats_random_search_when_minimising_branin) {
  expect_beats_random(testing_support::branin());
}

TEST(BayesianSearcher, beats_random_search_when_minimising_hartmann6) {
  expect_beats_random(testing_support::hartmann6());
}

TEST(BayesianSearcher, beats_random_search_when_a_categorical_selects_the_bowl) {
  expect_beats_random(testing_support::categorical_bowls());
}

}  // namespace
}  // namespace rung
