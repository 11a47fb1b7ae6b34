#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "rung/config/error.hpp"
#include "rung/sched/asha_scheduler.hpp"
#include "rung/sched/bayesian_searcher.hpp"
#include "rung/sched/grid_searcher.hpp"
#include "rung/sched/hyperband_scheduler.hpp"
#include "rung/sched/median_stopping_scheduler.hpp"
#include "rung/sched/scheduler.hpp"
#include "rung/sched/searcher.hpp"

namespace rung {
namespace {

JobConfig job_with(Strategy strategy) {
  JobConfig job;
  job.strategy = strategy;
  job.min_resource = 1;
  job.max_resource = 10;
  job.asha = AshaOptions{3, AshaType::Promotion, FewEntriesRule::Floor};
  job.space = SearchSpace(
      {ParamRange{"lr", ParamKind::Continuous, 1e-4, 1e-1, ScalingType::Logarithmic, {}},
       ParamRange{"layers", ParamKind::Integer, 1, 4, ScalingType::Linear, {}},
       ParamRange{"act", ParamKind::Categorical, 0, 1, ScalingType::Auto, {"relu", "tanh"}}});
  job.seed = 42;
  job.has_seed = true;
  return job;
}

TEST(DecisionToString, names_every_decision) {
  EXPECT_STREQ(to_string(Decision::Continue), "Continue");
  EXPECT_STREQ(to_string(Decision::Pause), "Pause");
  EXPECT_STREQ(to_string(Decision::Stop), "Stop");
  EXPECT_STREQ(to_string(Decision::Complete), "Complete");
}

TEST(MakeScheduler, builds_hyperband_with_all_brackets_when_strategy_is_hyperband) {
  const auto scheduler = make_scheduler(job_with(Strategy::Hyperband));  // brackets = 0
  const auto* hyperband = dynamic_cast<HyperbandScheduler*>(scheduler.get());
  ASSERT_NE(hyperband, nullptr);
  EXPECT_EQ(hyperband->bracket_count(), 3u);  // 10 / 1: s_max = 2
  EXPECT_EQ(scheduler->rungs(), (std::vector<int>{1, 3, 9, 10}));
  EXPECT_EQ(scheduler->name(), "Hyperband (3 brackets, promotion, eta=3, floor)");
}

TEST(MakeScheduler, builds_single_bracket_asha_when_brackets_is_one) {
  JobConfig job = job_with(Strategy::Hyperband);
  job.asha.brackets = 1;
  const auto scheduler = make_scheduler(job);
  EXPECT_EQ(scheduler->rungs(), (std::vector<int>{1, 3, 9, 10}));
  EXPECT_EQ(scheduler->on_start(0), 1);
  EXPECT_EQ(scheduler->name(), "ASHA (promotion, eta=3, floor)");
}

TEST(MakeScheduler, passes_the_asha_options_through_when_strategy_is_hyperband) {
  JobConfig job = job_with(Strategy::Hyperband);
  job.asha = AshaOptions{2, AshaType::Stopping, FewEntriesRule::Ceil, 1};
  const auto scheduler = make_scheduler(job);
  EXPECT_EQ(scheduler->rungs(), (std::vector<int>{1, 2, 4, 8, 10}));
  // Ceil lets the first result in a rung through; stopping type never pauses.
  EXPECT_EQ(scheduler->on_report(0, 1, 0.5), Decision::Continue);
  EXPECT_EQ(scheduler->promote(), std::nullopt);
  EXPECT_NE(scheduler->name().find("stopping"), std::string::npos);
  job.asha.brackets = 2;
  EXPECT_EQ(make_scheduler(job)->name(), "Hyperband (2 brackets, stopping, eta=2, ceil)");
}

TEST(MakeScheduler, seeds_hyperband_from_the_job_seed_on_a_stream_of_its_own) {
  const auto brackets = [](Scheduler& s) {
    auto& h = dynamic_cast<HyperbandScheduler&>(s);
    std::vector<std::size_t> out;
    for (TrialId t = 0; t < 100; ++t) {
      (void)h.on_start(t);
      out.push_back(h.bracket_of(t));
    }
    return out;
  };
  JobConfig job = job_with(Strategy::Hyperband);
  const auto a = make_scheduler(job);
  const auto b = make_scheduler(job);
  EXPECT_EQ(brackets(*a), brackets(*b));
  HyperbandScheduler derived(job.min_resource, job.max_resource, job.asha,
                             scheduler_seed(job.seed));
  HyperbandScheduler raw(job.min_resource, job.max_resource, job.asha, job.seed);
  const auto c = make_scheduler(job);
  EXPECT_EQ(brackets(*c), brackets(derived));
  EXPECT_NE(brackets(derived), brackets(raw));
  job.seed = 43;
  const auto d = make_scheduler(job);
  const auto e = make_scheduler(job_with(Strategy::Hyperband));
  EXPECT_NE(brackets(*d), brackets(*e));
}

TEST(MakeScheduler, builds_fifo_to_max_resource_when_early_stopping_is_off) {
  for (Strategy s : {Strategy::Random, Strategy::Grid, Strategy::Bayesian}) {
    const auto scheduler = make_scheduler(job_with(s));
    EXPECT_NE(dynamic_cast<FifoScheduler*>(scheduler.get()), nullptr);
    EXPECT_EQ(scheduler->rungs(), (std::vector<int>{10}));
    EXPECT_EQ(scheduler->on_start(0), 10);
  }
}

TEST(MakeScheduler, builds_median_stopping_when_early_stopping_is_auto) {
  for (Strategy s : {Strategy::Random, Strategy::Grid, Strategy::Bayesian}) {
    JobConfig job = job_with(s);
    job.early_stopping = EarlyStopping::Auto;
    job.median_stopping = MedianStoppingOptions{2, 4};
    const auto scheduler = make_scheduler(job);
    EXPECT_NE(dynamic_cast<MedianStoppingScheduler*>(scheduler.get()), nullptr);
    EXPECT_EQ(scheduler->rungs(), (std::vector<int>{10}));
    EXPECT_EQ(scheduler->on_start(0), 10);
    EXPECT_EQ(scheduler->name(), "Median stopping (grace 2 epochs, min 4 trials)");
  }
}

TEST(MakeScheduler, ignores_early_stopping_when_strategy_is_hyperband) {
  JobConfig job = job_with(Strategy::Hyperband);
  job.early_stopping = EarlyStopping::Auto;
  EXPECT_NE(dynamic_cast<HyperbandScheduler*>(make_scheduler(job).get()), nullptr);
}

TEST(MakeSearcher, builds_random_when_strategy_is_random_or_hyperband) {
  for (Strategy s : {Strategy::Random, Strategy::Hyperband}) {
    const auto searcher = make_searcher(job_with(s));
    EXPECT_EQ(searcher->name(), "Random");
  }
}

TEST(MakeSearcher, proposes_the_same_sequence_when_seed_is_the_same) {
  const auto a = make_searcher(job_with(Strategy::Random));
  const auto b = make_searcher(job_with(Strategy::Hyperband));
  for (TrialId t = 0; t < 20; ++t) {
    const auto x = a->suggest(t);
    const auto y = b->suggest(t);
    ASSERT_TRUE(x.has_value());
    ASSERT_TRUE(y.has_value());
    EXPECT_EQ(*x, *y);
    EXPECT_EQ(x->size(), 3u);
  }
}

TEST(MakeSearcher, builds_grid_over_the_categorical_space_when_strategy_is_grid) {
  JobConfig job = job_with(Strategy::Grid);
  job.space = SearchSpace(
      {ParamRange{"act", ParamKind::Categorical, 0, 1, ScalingType::Auto, {"relu", "tanh"}},
       ParamRange{"opt", ParamKind::Categorical, 0, 1, ScalingType::Auto, {"sgd", "adam", "rms"}}});
  const auto searcher = make_searcher(job);
  EXPECT_EQ(searcher->name(), "Grid");
  int count = 0;
  while (searcher->suggest(count)) ++count;
  EXPECT_EQ(count, 6);
}

TEST(MakeSearcher, builds_bayesian_seeded_by_the_job_when_strategy_is_bayesian) {
  const auto a = make_searcher(job_with(Strategy::Bayesian));
  const auto b = make_searcher(job_with(Strategy::Bayesian));
  EXPECT_NE(dynamic_cast<BayesianSearcher*>(a.get()), nullptr);
  EXPECT_EQ(a->name(), "Bayesian");
  for (TrialId t = 0; t < 5; ++t) EXPECT_EQ(a->suggest(t), b->suggest(t));
}

}  // namespace
}  // namespace rung
