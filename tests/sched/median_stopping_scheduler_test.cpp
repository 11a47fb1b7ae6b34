// The median stopping rule on hand-made learning curves: every expected decision below was
// worked out on paper from the rule in median_stopping_scheduler.hpp (stop when the score at
// epoch e is strictly below the median of the other trials' running averages at e).
#include "rung/sched/median_stopping_scheduler.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <stdexcept>
#include <vector>

#include "sched/sched_test_support.hpp"

namespace rung {
namespace {

constexpr Decision kGo = Decision::Continue;
constexpr Decision kStop = Decision::Stop;
constexpr Decision kDone = Decision::Complete;

struct Curve {
  const char* name;
  TrialId trial;
  std::vector<double> scores;       // epochs 1, 2, ...
  std::vector<Decision> decisions;  // one per score
};

// Runs each curve to its end, one trial after another, checking every decision.
void run(MedianStoppingScheduler& s, const std::vector<Curve>& curves) {
  for (const Curve& c : curves) {
    ASSERT_EQ(c.scores.size(), c.decisions.size()) << c.name;
    (void)s.on_start(c.trial);
    for (std::size_t i = 0; i < c.scores.size(); ++i) {
      const int epoch = static_cast<int>(i) + 1;
      EXPECT_EQ(s.on_report(c.trial, epoch, c.scores[i]), c.decisions[i])
          << "trial " << c.name << " epoch " << epoch << " score " << c.scores[i];
    }
  }
}

// Three finished trials, alone at first (fewer than min_trials = 3 others: never judged).
// Running averages, epochs 1..6:
//   A  .2 .4 .6 .7 .8 .9    -> .2  .3  .4  .475 .54 .6
//   B  .1 .3 .5 .6 .7 .8    -> .1  .2  .3  .375 .44 .5
//   C  .3 .5 .7 .8 .9 .95   -> .3  .4  .5  .575 .64 .69
const std::vector<Curve> kFirstThree = {
    {"A", 0, {.2, .4, .6, .7, .8, .9}, {kGo, kGo, kGo, kGo, kGo, kDone}},
    {"B", 1, {.1, .3, .5, .6, .7, .8}, {kGo, kGo, kGo, kGo, kGo, kDone}},
    {"C", 2, {.3, .5, .7, .8, .9, .95}, {kGo, kGo, kGo, kGo, kGo, kDone}},
};

TEST(MedianStopping, stops_what_the_rule_says_on_hand_made_curves) {
  MedianStoppingScheduler s(1, 6, MedianStoppingOptions{1, 3});
  run(s, kFirstThree);
  const std::vector<Curve> later = {
      // e1: others {A .2, B .1, C .3}, median .2: .25 goes on.
      // e2: others {A .3, B .2, C .4}, median .3: .28 is below. Running avgs kept: .25 .265.
      {"D", 3, {.25, .28}, {kGo, kStop}},
      // e1: others {.1 .2 .25 .3} (D counts), even count: median (.2 + .25) / 2 = .225.
      {"E", 4, {.2}, {kStop}},
      // e1: others {.1 .2 .2 .25 .3}, median .2: equal is not worse, goes on.
      // e2: others {B .2, D .265, A .3, C .4} (E stopped at 1), median .2825: .3 goes on.
      // e3: others {B .3, A .4, C .5} (D stopped at 2), median .4: .39 is below.
      {"F", 5, {.2, .3, .39}, {kGo, kGo, kStop}},
      // Strong, then a collapse at MaxResource: the last epoch always completes.
      // Running avgs: .5 .525 .55 .575 .6 .5083
      {"G", 6, {.5, .55, .6, .65, .7, .1}, {kGo, kGo, kGo, kGo, kGo, kDone}},
      // e1: median .2; e2: median .2825; e3: others {F .297, B .3, A .4, C .5, G .55},
      // median .4, so .5 goes on (by the others' raw scores at 3, {.39 .5 .6 .6 .7}, it would
      // stop: the rule uses running averages); e4: others {B .375, A .475, C .575, G .575},
      // median .525: .5 is below.
      {"H", 7, {.5, .5, .5, .5}, {kGo, kGo, kGo, kStop}},
  };
  run(s, later);
  // Stopped trials count at the epochs they reached, and only there.
  EXPECT_EQ(s.count_at(1), 8u);  // A B C D E F G H
  EXPECT_EQ(s.count_at(2), 7u);  // all but E
  EXPECT_EQ(s.count_at(3), 6u);  // A B C F G H
  EXPECT_EQ(s.count_at(4), 5u);  // A B C G H
  EXPECT_EQ(s.count_at(5), 4u);  // A B C G
  EXPECT_EQ(s.count_at(6), 4u);
  EXPECT_EQ(s.count_at(7), 0u);
  EXPECT_DOUBLE_EQ(*s.median_at(4), 0.5);  // {.375 .475 .5 .575 .575}
  EXPECT_EQ(s.promote(), std::nullopt);
}

TEST(MedianStopping, waits_for_min_trials_others_at_the_epoch) {
  MedianStoppingScheduler s(1, 6, MedianStoppingOptions{1, 4});
  run(s, kFirstThree);
  // Only three others anywhere: a hopeless trial trains to the end.
  run(s, {{"Z", 3, {0, 0, 0, 0, 0, 0}, {kGo, kGo, kGo, kGo, kGo, kDone}}});
  // Now four others have every epoch (Z counts): median at 1 of {0 .1 .2 .3} is .15.
  run(s, {{"Y", 4, {.1}, {kStop}}});
}

TEST(MedianStopping, judges_nothing_before_grace_epochs) {
  MedianStoppingScheduler s(1, 6, MedianStoppingOptions{3, 3});
  run(s, kFirstThree);
  run(s, {{"Z", 3, {0, 0, 0}, {kGo, kGo, kStop}}});
}

TEST(MedianStopping, judges_nothing_before_min_resource) {
  MedianStoppingScheduler s(4, 6, MedianStoppingOptions{1, 3});
  run(s, kFirstThree);
  run(s, {{"Z", 3, {0, 0, 0, 0}, {kGo, kGo, kGo, kStop}}});
}

TEST(MedianStopping, completes_at_max_resource_and_trains_every_trial_toward_it) {
  MedianStoppingScheduler s(1, 6, MedianStoppingOptions{1, 3});
  EXPECT_EQ(s.on_start(0), 6);
  EXPECT_EQ(s.rungs(), (std::vector<int>{6}));
  run(s, kFirstThree);
  // A last-epoch score far below the median still completes.
  run(s, {{"Z", 3, {.9, .9, .9, .9, .9, -5}, {kGo, kGo, kGo, kGo, kGo, kDone}}});
}

TEST(MedianStopping, counts_nan_as_minus_infinity) {
  MedianStoppingScheduler s(1, 6, MedianStoppingOptions{1, 3});
  run(s, kFirstThree);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  run(s, {{"Z", 3, {nan}, {kStop}}});
  // Z's running average at 1 is -inf: median of {-inf .1 .2 .3} is (.1 + .2) / 2.
  EXPECT_DOUBLE_EQ(*s.median_at(1), 0.15);
  // An infinite score is a number like any other: it goes on.
  run(s, {{"Y", 4, {std::numeric_limits<double>::infinity()}, {kGo}}});
}

TEST(MedianStopping, does_not_record_a_repeated_report_twice) {
  MedianStoppingScheduler s(1, 6, MedianStoppingOptions{1, 3});
  run(s, kFirstThree);
  run(s, {{"D", 3, {.25, .28}, {kGo, kStop}}});
  EXPECT_EQ(s.count_at(2), 4u);
  EXPECT_EQ(s.on_report(3, 2, .28), kStop);  // the same message again: the same answer
  EXPECT_EQ(s.on_report(3, 2, .99), kStop);  // a different score is not recorded either
  EXPECT_EQ(s.on_report(3, 1, .25), kGo);    // an earlier epoch went on at the time
  EXPECT_EQ(s.count_at(1), 4u);
  EXPECT_EQ(s.count_at(2), 4u);
}

TEST(MedianStopping, keeps_the_results_of_a_failed_trial) {
  MedianStoppingScheduler s(1, 6, MedianStoppingOptions{1, 3});
  run(s, kFirstThree);
  s.on_failed(0);
  s.on_failed(999);  // never seen
  EXPECT_EQ(s.count_at(3), 3u);
  EXPECT_DOUBLE_EQ(*s.median_at(3), 0.4);
  run(s, {{"Z", 3, {.2, .35, .39}, {kGo, kGo, kStop}}});
}

TEST(MedianStopping, has_no_median_before_any_report) {
  MedianStoppingScheduler s(1, 6, MedianStoppingOptions{1, 3});
  EXPECT_EQ(s.median_at(1), std::nullopt);
  EXPECT_EQ(s.median_at(0), std::nullopt);
  EXPECT_EQ(s.median_at(7), std::nullopt);
  EXPECT_EQ(s.count_at(1), 0u);
}

TEST(MedianStopping, names_its_options) {
  EXPECT_EQ(MedianStoppingScheduler(1, 6, MedianStoppingOptions{1, 3}).name(),
            "Median stopping (grace 1 epoch, min 3 trials)");
  EXPECT_EQ(MedianStoppingScheduler(1, 6, MedianStoppingOptions{2, 1}).name(),
            "Median stopping (grace 2 epochs, min 1 trial)");
}

TEST(MedianStopping, refuses_bad_resources) {
  EXPECT_THROW(MedianStoppingScheduler(0, 6, MedianStoppingOptions{}), std::invalid_argument);
  EXPECT_THROW(MedianStoppingScheduler(7, 6, MedianStoppingOptions{}), std::invalid_argument);
}

TEST(MedianStopping, stops_some_trials_in_a_simulated_job) {
  MedianStoppingScheduler s(1, 20, MedianStoppingOptions{1, 3});
  testing_support::SimOptions o;
  o.max_resource = 20;
  o.workers = 4;
  o.trials = 60;
  testing_support::SimResult result;
  testing_support::simulate(s, o, result);
  EXPECT_GT(result.stopped, 0);
  EXPECT_GT(result.completed, 0);
  EXPECT_EQ(result.promotions + result.paused_at_end, 0);
}

}  // namespace
}  // namespace rung
