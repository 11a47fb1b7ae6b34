// What every Scheduler must do, whatever its strategy. A new scheduler is tested like the
// others by adding its factory to `SchedulerFactories`.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "rung/sched/asha_scheduler.hpp"
#include "rung/sched/hyperband_scheduler.hpp"
#include "rung/sched/median_stopping_scheduler.hpp"
#include "rung/sched/scheduler.hpp"
#include "sched/sched_test_support.hpp"

namespace rung {
namespace {

using testing_support::SimOptions;
using testing_support::SimResult;
using testing_support::simulate;

struct Fifo {
  static std::unique_ptr<Scheduler> make(int /*min*/, int max, int /*eta*/) {
    return std::make_unique<FifoScheduler>(max);
  }
};

template <AshaType kType, FewEntriesRule kRule>
struct Asha {
  static std::unique_ptr<Scheduler> make(int min, int max, int eta) {
    return std::make_unique<AshaScheduler>(min, max, AshaOptions{eta, kType, kRule});
  }
};

// kBrackets as in rung.asha.brackets: 0 = all of Hyperband's brackets, 1 = single-bracket ASHA.
template <int kBrackets, AshaType kType, FewEntriesRule kRule>
struct Hyperband {
  static std::unique_ptr<Scheduler> make(int min, int max, int eta) {
    return std::make_unique<HyperbandScheduler>(min, max, AshaOptions{eta, kType, kRule, kBrackets},
                                                /*seed=*/7);
  }
};

template <int kGraceEpochs, int kMinTrials>
struct Median {
  static std::unique_ptr<Scheduler> make(int min, int max, int /*eta*/) {
    return std::make_unique<MedianStoppingScheduler>(
        min, max, MedianStoppingOptions{kGraceEpochs, kMinTrials});
  }
};

using SchedulerFactories = ::testing::Types<
    Fifo, Asha<AshaType::Promotion, FewEntriesRule::Floor>,
    Asha<AshaType::Promotion, FewEntriesRule::Ceil>,
    Asha<AshaType::Stopping, FewEntriesRule::Floor>, Asha<AshaType::Stopping, FewEntriesRule::Ceil>,
    Hyperband<0, AshaType::Promotion, FewEntriesRule::Floor>,
    Hyperband<0, AshaType::Stopping, FewEntriesRule::Ceil>,
    Hyperband<2, AshaType::Promotion, FewEntriesRule::Ceil>,
    Hyperband<2, AshaType::Stopping, FewEntriesRule::Floor>,
    Hyperband<1, AshaType::Promotion, FewEntriesRule::Floor>, Median<1, 3>, Median<3, 1>>;

// (min_resource, max_resource, eta): powers of eta, non-powers, min == max, eta 2, 3 and 4.
const std::vector<std::tuple<int, int, int>> kShapes = {
    {1, 9, 3},  {1, 10, 3},  {2, 50, 3}, {1, 16, 2}, {3, 10, 2},
    {1, 64, 4}, {1, 100, 4}, {3, 3, 3},  {5, 6, 2},
};

template <typename Factory>
class SchedulerConformance : public ::testing::Test {};
TYPED_TEST_SUITE(SchedulerConformance, SchedulerFactories);

TYPED_TEST(SchedulerConformance, lists_increasing_rungs_that_end_at_max_resource) {
  for (const auto& [min, max, eta] : kShapes) {
    const auto s = TypeParam::make(min, max, eta);
    const std::vector<int> rungs = s->rungs();
    ASSERT_FALSE(rungs.empty());
    EXPECT_GE(rungs.front(), min);
    EXPECT_EQ(rungs.back(), max);
    for (std::size_t i = 1; i < rungs.size(); ++i) EXPECT_LT(rungs[i - 1], rungs[i]);
    EXPECT_FALSE(s->name().empty());
  }
}

TYPED_TEST(SchedulerConformance, starts_every_trial_at_one_of_its_rungs) {
  for (const auto& [min, max, eta] : kShapes) {
    const auto s = TypeParam::make(min, max, eta);
    const std::vector<int> rungs = s->rungs();
    for (TrialId t = 0; t < 5; ++t) {
      const int first = s->on_start(t);
      EXPECT_NE(std::find(rungs.begin(), rungs.end(), first), rungs.end()) << first;
    }
  }
}

TYPED_TEST(SchedulerConformance, continues_every_trial_before_min_resource) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const auto s = TypeParam::make(7, 40, 2);
  for (TrialId t = 0; t < 30; ++t) {
    (void)s->on_start(t);
    for (int e = 1; e < 7; ++e) EXPECT_EQ(s->on_report(t, e, unit(rng)), Decision::Continue);
  }
  EXPECT_EQ(s->promote(), std::nullopt);
}

TYPED_TEST(SchedulerConformance, promotes_nothing_before_any_report) {
  const auto s = TypeParam::make(1, 9, 3);
  EXPECT_EQ(s->promote(), std::nullopt);
  (void)s->on_start(0);
  EXPECT_EQ(s->promote(), std::nullopt);
}

TYPED_TEST(SchedulerConformance, ignores_failure_of_a_trial_it_never_saw) {
  const auto s = TypeParam::make(1, 9, 3);
  s->on_failed(12345);
  EXPECT_EQ(s->promote(), std::nullopt);
  (void)s->on_start(0);
  EXPECT_EQ(s->on_report(0, 9, 1.0), Decision::Complete);
}

void run_grid(const std::function<std::unique_ptr<Scheduler>(int, int, int)>& make,
              SimOptions base) {
  for (const auto& [min, max, eta] : kShapes) {
    for (int workers : {1, 3, 8}) {
      for (int trials : {1, 7, 60}) {
        for (std::uint64_t seed : {1u, 2u}) {
          SimOptions o = base;
          o.min_resource = min;
          o.max_resource = max;
          o.workers = workers;
          o.trials = trials;
          o.seed = seed;
          SCOPED_TRACE(::testing::Message()
                       << "min " << min << " max " << max << " eta " << eta << " workers "
                       << workers << " trials " << trials << " seed " << seed);
          const auto s = make(min, max, eta);
          SimResult result;
          simulate(*s, o, result);
          if (::testing::Test::HasFailure()) return;
        }
      }
    }
  }
}

TYPED_TEST(SchedulerConformance, keeps_its_invariants_in_simulated_jobs) {
  run_grid(&TypeParam::make, SimOptions{});
}

TYPED_TEST(SchedulerConformance, keeps_its_invariants_when_trials_fail) {
  SimOptions o;
  o.fail_running = 0.03;
  o.fail_paused = 0.05;
  run_grid(&TypeParam::make, o);
}

TYPED_TEST(SchedulerConformance, keeps_its_invariants_when_scores_tie_or_are_nan) {
  SimOptions o;
  o.discrete_scores = true;
  o.nan_scores = 0.05;
  run_grid(&TypeParam::make, o);
}

TYPED_TEST(SchedulerConformance, keeps_its_invariants_in_a_large_job) {
  SimOptions o;
  o.min_resource = 1;
  o.max_resource = 27;
  o.workers = 64;
  o.trials = 3000;
  o.seed = 11;
  o.fail_running = 0.002;
  const auto s = TypeParam::make(1, 27, 3);
  SimResult result;
  simulate(*s, o, result);
}

TYPED_TEST(SchedulerConformance, decides_the_same_way_when_run_twice) {
  SimOptions o;
  o.max_resource = 50;
  o.min_resource = 2;
  o.workers = 5;
  o.trials = 80;
  o.seed = 99;
  o.discrete_scores = true;
  o.fail_running = 0.01;
  SimResult first;
  SimResult second;
  {
    const auto s = TypeParam::make(2, 50, 3);
    simulate(*s, o, first);
  }
  {
    const auto s = TypeParam::make(2, 50, 3);
    simulate(*s, o, second);
  }
  EXPECT_TRUE(first.log == second.log);
  EXPECT_EQ(first.completed, second.completed);
}

TEST(FifoScheduler, completes_exactly_at_max_resource) {
  FifoScheduler fifo(5);
  EXPECT_EQ(fifo.rungs(), (std::vector<int>{5}));
  EXPECT_EQ(fifo.on_start(0), 5);
  for (int e = 1; e < 5; ++e) EXPECT_EQ(fifo.on_report(0, e, 0.0), Decision::Continue);
  EXPECT_EQ(fifo.on_report(0, 5, 0.0), Decision::Complete);
  EXPECT_EQ(fifo.promote(), std::nullopt);
  EXPECT_EQ(fifo.name(), "FIFO");
}

TEST(FifoScheduler, completes_every_trial_in_a_simulated_job) {
  FifoScheduler fifo(12);
  SimOptions o;
  o.max_resource = 12;
  o.workers = 4;
  o.trials = 25;
  SimResult result;
  simulate(fifo, o, result);
  EXPECT_EQ(result.completed, 25);
  EXPECT_EQ(result.stopped + result.paused_at_end + result.promotions, 0);
  EXPECT_EQ(result.reports, 25 * 12);
}

}  // namespace
}  // namespace rung
