#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "rung/config/error.hpp"
#include "rung/sched/asha_scheduler.hpp"
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

TEST(MakeScheduler, builds_asha_with_the_jobs_rungs_when_strategy_is_hyperband) {
  const auto scheduler = make_scheduler(job_with(Strategy::Hyperband));
  EXPECT_NE(dynamic_cast<AshaScheduler*>(scheduler.get()), nullptr);
  EXPECT_EQ(scheduler->rungs(), (std::vector<int>{1, 3, 9, 10}));
  EXPECT_EQ(scheduler->on_start(0), 1);
}

TEST(MakeScheduler, passes_the_asha_options_through_when_strategy_is_hyperband) {
  JobConfig job = job_with(Strategy::Hyperband);
  job.asha = AshaOptions{2, AshaType::Stopping, FewEntriesRule::Ceil};
  const auto scheduler = make_scheduler(job);
  EXPECT_EQ(scheduler->rungs(), (std::vector<int>{1, 2, 4, 8, 10}));
  // Ceil lets the first result in a rung through; stopping type never pauses.
  EXPECT_EQ(scheduler->on_report(0, 1, 0.5), Decision::Continue);
  EXPECT_EQ(scheduler->promote(), std::nullopt);
  EXPECT_NE(scheduler->name().find("stopping"), std::string::npos);
}

TEST(MakeScheduler, builds_fifo_to_max_resource_when_strategy_is_not_hyperband) {
  for (Strategy s : {Strategy::Random, Strategy::Grid, Strategy::Bayesian}) {
    const auto scheduler = make_scheduler(job_with(s));
    EXPECT_NE(dynamic_cast<FifoScheduler*>(scheduler.get()), nullptr);
    EXPECT_EQ(scheduler->rungs(), (std::vector<int>{10}));
    EXPECT_EQ(scheduler->on_start(0), 10);
  }
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

TEST(MakeSearcher, throws_config_error_naming_the_strategy_when_grid_or_bayesian) {
  for (Strategy s : {Strategy::Grid, Strategy::Bayesian}) {
    try {
      (void)make_searcher(job_with(s));
      ADD_FAILURE() << "expected ConfigError for " << to_string(s);
    } catch (const ConfigError& e) {
      ASSERT_EQ(e.issues().size(), 1u);
      EXPECT_EQ(e.issues()[0].path, "HyperParameterTuningJobConfig.Strategy");
      EXPECT_NE(e.issues()[0].message.find(to_string(s)), std::string::npos);
      EXPECT_NE(e.issues()[0].message.find("not supported yet"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace rung
