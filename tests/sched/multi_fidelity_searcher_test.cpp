// MOBSTER and Hyper-Tune beyond the searcher conformance suite: that their models steer the
// search (proposals near a known optimum), that Hyper-Tune's level weights follow how well
// each level ranks the top level's results, and that its bracket advice reaches
// HyperbandScheduler's draws.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <numeric>
#include <random>
#include <vector>

#include "rung/sched/bracket_advice.hpp"
#include "rung/sched/hyperband_scheduler.hpp"
#include "rung/sched/hypertune_searcher.hpp"
#include "rung/sched/mobster_searcher.hpp"
#include "rung/sched/searcher.hpp"

namespace rung {
namespace {

SearchSpace square() {
  return SearchSpace({ParamRange{"x", ParamKind::Continuous, 0.0, 1.0, ScalingType::Linear, {}},
                      ParamRange{"y", ParamKind::Continuous, 0.0, 1.0, ScalingType::Linear, {}}});
}

// Distance of a configuration from the optimum (0.3, 0.7).
double distance(const HyperParameters& hp) {
  return std::hypot(get_double(hp, "x") - 0.3, get_double(hp, "y") - 0.7);
}

// The top level's score: higher nearer the optimum. `misleading`: the levels below the top
// rank the other way round (early epochs favour what ends worst).
double score(const HyperParameters& hp, int level_index, int top, bool misleading) {
  const double good = 1.0 - distance(hp);
  if (misleading && level_index < top) return 1.0 - good;
  return good * (0.5 + 0.5 * level_index / top);
}

// Successive halving by hand: `n` trials suggested and reported at every level they reach
// (all at level 0, the best third at level 1, ...), `parallel` pending at a time. Returns
// the proposals.
std::vector<HyperParameters> run_rungs(Searcher& s, const std::vector<int>& levels, int n,
                                       bool misleading) {
  std::vector<HyperParameters> proposals;
  const int top = static_cast<int>(levels.size()) - 1;
  for (TrialId id = 0; id < n; ++id) {
    const auto hp = s.suggest(id);
    EXPECT_TRUE(hp.has_value());
    proposals.push_back(*hp);
    // Reaches level l when its final quality is in the best 3^-l of the trials so far.
    const double quality = 1.0 - distance(*hp);
    std::size_t better = 0;
    for (const auto& p : proposals) better += (1.0 - distance(p)) > quality ? 1 : 0;
    const double rank = static_cast<double>(better) / static_cast<double>(proposals.size());
    for (int l = 0; l <= top; ++l) {
      if (l > 0 && rank >= std::pow(3.0, -l)) break;
      s.observe(id, levels[static_cast<std::size_t>(l)], score(*hp, l, top, misleading));
    }
    s.on_trial_end(id, TrialEnd::Stopped);
  }
  return proposals;
}

// The share of proposals from `from` on within 0.1 of the optimum: about 3% for uniform ones.
double share_near(const std::vector<HyperParameters>& v, std::size_t from) {
  std::size_t near = 0;
  for (std::size_t i = from; i < v.size(); ++i) near += distance(v[i]) < 0.1 ? 1 : 0;
  return static_cast<double>(near) / static_cast<double>(v.size() - from);
}

TEST(MobsterSearcher, proposes_near_the_optimum_once_a_level_has_data) {
  const std::vector<int> levels{1, 3, 9};
  MobsterSearcher mobster(square(), levels, 3);
  const auto proposals = run_rungs(mobster, levels, 60, /*misleading=*/false);
  EXPECT_GT(mobster.model_proposals(), 40);
  EXPECT_GE(mobster.refits(), 1);
  // Expected improvement still explores now and then (the corners, where the model knows
  // least), but many go near the optimum, where uniform ones seldom do.
  EXPECT_GT(share_near(proposals, 30), 0.2);
  RandomSearcher random(square(), 3);
  EXPECT_LT(share_near(run_rungs(random, levels, 60, false), 30), 0.1);
}

TEST(HyperTuneSearcher, proposes_near_the_optimum_and_trusts_levels_that_rank_well) {
  const std::vector<int> levels{1, 3, 9};
  auto advice = std::make_shared<BracketAdvice>();
  HyperTuneSearcher hypertune(square(), levels, 5, MultiFidelityOptions{}, advice, 3);
  const auto proposals = run_rungs(hypertune, levels, 120, /*misleading=*/false);
  EXPECT_GT(share_near(proposals, 60), 0.2);
  const std::vector<double>& w = hypertune.level_weights();
  ASSERT_EQ(w.size(), 3u);
  EXPECT_NEAR(std::accumulate(w.begin(), w.end(), 0.0), 1.0, 1e-9);
  // Every level ranks the top one's results right; the lowest, with the most data, has a say.
  EXPECT_GT(w[0], 0.0);
  ASSERT_FALSE(advice->head.empty());
  EXPECT_NEAR(std::accumulate(advice->head.begin(), advice->head.end(), 0.0), 1.0, 1e-9);
}

TEST(HyperTuneSearcher, drops_levels_that_rank_the_top_level_backwards) {
  const std::vector<int> levels{1, 3, 9};
  auto advice = std::make_shared<BracketAdvice>();
  HyperTuneSearcher hypertune(square(), levels, 5, MultiFidelityOptions{}, advice, 3);
  (void)run_rungs(hypertune, levels, 150, /*misleading=*/true);
  const std::vector<double>& w = hypertune.level_weights();
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0], 0.0);
  EXPECT_EQ(w[1], 0.0);
  EXPECT_EQ(w[2], 1.0);
  // New trials start in the bracket whose first rung is the top level.
  ASSERT_EQ(advice->head.size(), 3u);
  EXPECT_EQ(advice->head[2], 1.0);
}

TEST(HyperbandScheduler, draws_brackets_from_the_advice_once_there_is_one) {
  AshaOptions options;
  auto advice = std::make_shared<BracketAdvice>();
  HyperbandScheduler hb(1, 9, options, 11, advice);
  ASSERT_EQ(hb.bracket_count(), 3u);
  std::vector<int> counts(3, 0);
  for (TrialId t = 0; t < 300; ++t) {
    (void)hb.on_start(t);
    ++counts[hb.bracket_of(t)];
  }
  for (const int c : counts) EXPECT_GT(c, 0);  // Hyperband's own allocation: all brackets
  advice->head = {0.0, 0.0, 1.0};
  for (TrialId t = 300; t < 400; ++t) {
    EXPECT_EQ(hb.on_start(t), 9);
    EXPECT_EQ(hb.bracket_of(t), 2u);
  }
  advice->head = {1.0};  // a head over the first bracket only keeps the others' shares
  counts.assign(3, 0);
  for (TrialId t = 400; t < 700; ++t) {
    (void)hb.on_start(t);
    ++counts[hb.bracket_of(t)];
  }
  EXPECT_GT(counts[0], 0);
  EXPECT_GT(counts[1], 0);
  EXPECT_GT(counts[2], 0);
}

TEST(MakeStrategy, builds_the_searcher_rung_searcher_names_and_wires_hypertune) {
  JobConfig job;
  job.strategy = Strategy::Hyperband;
  job.min_resource = 1;
  job.max_resource = 9;
  job.space = square();
  job.seed = 4;
  EXPECT_EQ(make_strategy(job).searcher->name(), "Random");
  job.searcher = HyperbandSearcher::Mobster;
  EXPECT_EQ(make_strategy(job).searcher->name(), "MOBSTER");
  EXPECT_EQ(make_searcher(job)->name(), "MOBSTER");
  job.searcher = HyperbandSearcher::HyperTune;
  StrategyParts parts = make_strategy(job);
  EXPECT_EQ(parts.searcher->name(), "Hyper-Tune");
  EXPECT_NE(parts.scheduler->name().find("Hyperband"), std::string::npos);
  // Misleading early levels: the searcher's advice sends new trials to the last bracket.
  auto& hb = dynamic_cast<HyperbandScheduler&>(*parts.scheduler);
  (void)run_rungs(*parts.searcher, {1, 3, 9}, 150, /*misleading=*/true);
  for (TrialId t = 1000; t < 1020; ++t) {
    (void)parts.searcher->suggest(t);
    (void)hb.on_start(t);
    EXPECT_EQ(hb.bracket_of(t), 2u);
  }
}

}  // namespace
}  // namespace rung
