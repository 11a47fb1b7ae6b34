// Hand-computed ASHA sequences: every expected decision and promotion below was worked out on
// paper from the rules in asha_scheduler.cpp (quota = floor or ceil of k/eta, ties to the
// earlier arrival, highest rung first).
#include "rung/sched/asha_scheduler.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <optional>

#include "sched/sched_test_support.hpp"

namespace rung {
namespace {

constexpr Decision kContinue = Decision::Continue;
constexpr Decision kPause = Decision::Pause;
constexpr Decision kStop = Decision::Stop;
constexpr Decision kComplete = Decision::Complete;

AshaScheduler asha(int min, int max, int eta, AshaType type, FewEntriesRule rule) {
  return AshaScheduler(min, max, AshaOptions{eta, type, rule});
}

std::optional<Promotion> promotion(TrialId trial, int until_epoch) {
  return Promotion{trial, until_epoch};
}

// Starts `trial` and reports epochs 1..first rung - 1 (all Continue), then the first rung.
Decision start_and_reach_first_rung(AshaScheduler& s, TrialId trial, double score) {
  const int first = s.on_start(trial);
  for (int e = 1; e < first; ++e) EXPECT_EQ(s.on_report(trial, e, score), kContinue);
  return s.on_report(trial, first, score);
}

// Reports epochs from+1 .. until-1 (all Continue), then `until`.
Decision resume_to(AshaScheduler& s, TrialId trial, int from, int until, double score) {
  for (int e = from + 1; e < until; ++e) {
    EXPECT_EQ(s.on_report(trial, e, score), kContinue) << "trial " << trial << " epoch " << e;
  }
  return s.on_report(trial, until, score);
}

TEST(AshaPromotion, promotes_best_of_top_third_as_entries_arrive_when_rule_is_floor) {
  auto s = asha(1, 9, 3, AshaType::Promotion, FewEntriesRule::Floor);
  // Rung 1 (epoch 1): k entries, quota floor(k/3).
  EXPECT_EQ(s.on_report(0, 1, 0.50), kPause);  // k=1 q=0
  EXPECT_EQ(s.promote(), std::nullopt);
  EXPECT_EQ(s.on_report(1, 1, 0.90), kPause);  // k=2 q=0
  EXPECT_EQ(s.promote(), std::nullopt);
  EXPECT_EQ(s.on_report(2, 1, 0.10), kPause);  // k=3 q=1: top {1}
  EXPECT_EQ(s.promote(), promotion(1, 3));
  EXPECT_EQ(s.promote(), std::nullopt);        // 1 already promoted
  EXPECT_EQ(s.on_report(3, 1, 0.70), kPause);  // k=4 q=1: top {1}
  EXPECT_EQ(s.promote(), std::nullopt);
  EXPECT_EQ(s.on_report(4, 1, 0.30), kPause);  // k=5 q=1
  EXPECT_EQ(s.promote(), std::nullopt);
  EXPECT_EQ(s.on_report(5, 1, 0.95), kPause);  // k=6 q=2: top {5, 1}
  EXPECT_EQ(s.promote(), promotion(5, 3));
  EXPECT_EQ(resume_to(s, 1, 1, 3, 0.85), kPause);  // rung 3: k=1 q=0
  EXPECT_EQ(s.promote(), std::nullopt);
  EXPECT_EQ(s.on_report(6, 1, 0.20), kPause);  // k=7 q=2: top {5, 1}, both promoted
  EXPECT_EQ(s.promote(), std::nullopt);
  EXPECT_EQ(s.on_report(7, 1, 0.80), kPause);  // k=8 q=2: still {5, 1}
  EXPECT_EQ(s.promote(), std::nullopt);
  EXPECT_EQ(s.on_report(8, 1, 0.60), kPause);  // k=9 q=3: top {5, 1, 7}
  EXPECT_EQ(s.promote(), promotion(7, 3));
  EXPECT_EQ(resume_to(s, 5, 1, 3, 0.60), kPause);  // rung 3: k=2 q=0
  EXPECT_EQ(s.promote(), std::nullopt);
  EXPECT_EQ(resume_to(s, 7, 1, 3, 0.90), kPause);  // rung 3: k=3 q=1: top {7}
  // Both rungs now have a candidate: 9 at rung 1 (k=10 q=3: top {9, 5, 1}) and 7 at rung 3.
  EXPECT_EQ(s.on_report(9, 1, 0.99), kPause);
  EXPECT_EQ(s.promote(), promotion(7, 9));  // the highest rung goes first
  EXPECT_EQ(s.promote(), promotion(9, 3));
  EXPECT_EQ(s.promote(), std::nullopt);
  EXPECT_EQ(resume_to(s, 7, 3, 9, 0.95), kComplete);
  EXPECT_EQ(s.promote(), std::nullopt);
}

TEST(AshaPromotion, promotes_first_entry_of_a_rung_when_rule_is_ceil) {
  auto s = asha(1, 9, 3, AshaType::Promotion, FewEntriesRule::Ceil);
  EXPECT_EQ(s.on_report(0, 1, 0.50), kPause);  // k=1 q=1: top {0}
  EXPECT_EQ(s.promote(), promotion(0, 3));
  EXPECT_EQ(s.on_report(1, 1, 0.90), kPause);  // k=2 q=1: top {1}
  EXPECT_EQ(s.promote(), promotion(1, 3));
  EXPECT_EQ(s.on_report(2, 1, 0.10), kPause);  // k=3 q=1: top {1}
  EXPECT_EQ(s.promote(), std::nullopt);
  EXPECT_EQ(s.on_report(3, 1, 0.70), kPause);  // k=4 q=2: top {1, 3}
  EXPECT_EQ(s.promote(), promotion(3, 3));
  EXPECT_EQ(s.promote(), std::nullopt);
  EXPECT_EQ(resume_to(s, 0, 1, 3, 0.40), kPause);  // rung 3: k=1 q=1: top {0}
  EXPECT_EQ(s.promote(), promotion(0, 9));
  EXPECT_EQ(resume_to(s, 0, 3, 9, 0.40), kComplete);
}

TEST(AshaPromotion, prefers_earlier_arrival_when_scores_tie) {
  auto s = asha(1, 4, 2, AshaType::Promotion, FewEntriesRule::Floor);
  EXPECT_EQ(s.on_report(7, 1, 0.5), kPause);
  EXPECT_EQ(s.on_report(3, 1, 0.5), kPause);  // k=2 q=1: 7 came first
  EXPECT_EQ(s.promote(), promotion(7, 2));
  EXPECT_EQ(s.promote(), std::nullopt);
  EXPECT_EQ(s.on_report(5, 1, 0.5), kPause);
  EXPECT_EQ(s.on_report(1, 1, 0.5), kPause);  // k=4 q=2: top {7, 3}
  EXPECT_EQ(s.promote(), promotion(3, 2));
  EXPECT_EQ(s.promote(), std::nullopt);
}

TEST(AshaPromotion, never_promotes_a_failed_trial_but_keeps_its_result_ranked) {
  auto s = asha(1, 9, 3, AshaType::Promotion, FewEntriesRule::Floor);
  EXPECT_EQ(s.on_report(0, 1, 0.9), kPause);
  EXPECT_EQ(s.on_report(1, 1, 0.5), kPause);
  EXPECT_EQ(s.on_report(2, 1, 0.1), kPause);
  s.on_failed(0);                        // e.g. its checkpoint is lost while paused
  EXPECT_EQ(s.promote(), std::nullopt);  // k=3 q=1: top {0}, which failed
  EXPECT_EQ(s.on_report(3, 1, 0.2), kPause);
  EXPECT_EQ(s.on_report(4, 1, 0.3), kPause);
  EXPECT_EQ(s.promote(), std::nullopt);  // k=5 q=1
  EXPECT_EQ(s.on_report(5, 1, 0.4), kPause);
  EXPECT_EQ(s.promote(), promotion(1, 3));  // k=6 q=2: top {0, 1}
  EXPECT_EQ(s.promote(), std::nullopt);
}

TEST(AshaPromotion, keeps_results_of_a_trial_that_fails_while_running) {
  auto s = asha(1, 9, 3, AshaType::Promotion, FewEntriesRule::Ceil);
  EXPECT_EQ(s.on_report(0, 1, 0.9), kPause);
  EXPECT_EQ(s.promote(), promotion(0, 3));
  EXPECT_EQ(s.on_report(0, 2, 0.9), kContinue);
  s.on_failed(0);                             // dies at epoch 2; its rung-1 result still counts
  EXPECT_EQ(s.on_report(1, 1, 0.5), kPause);  // k=2 q=1: top {0}
  EXPECT_EQ(s.promote(), std::nullopt);
  EXPECT_EQ(s.on_report(2, 1, 0.6), kPause);  // k=3 q=1: top {0}
  EXPECT_EQ(s.promote(), std::nullopt);
  EXPECT_EQ(s.on_report(3, 1, 0.7), kPause);  // k=4 q=2: top {0, 3}
  EXPECT_EQ(s.promote(), promotion(3, 3));
}

TEST(AshaPromotion, never_promotes_a_trial_that_reports_after_it_failed) {
  auto s = asha(1, 9, 3, AshaType::Promotion, FewEntriesRule::Ceil);
  s.on_failed(0);                             // a late message from a rank that was declared lost
  EXPECT_EQ(s.on_report(0, 1, 0.9), kPause);  // recorded: k=1 q=1, top {0}
  EXPECT_EQ(s.promote(), std::nullopt);
  EXPECT_EQ(s.on_report(1, 1, 0.5), kPause);  // k=2 q=1: top {0}
  EXPECT_EQ(s.promote(), std::nullopt);
}

TEST(AshaPromotion, continues_between_rungs_and_completes_at_max) {
  auto s = asha(2, 10, 3, AshaType::Promotion, FewEntriesRule::Ceil);  // rungs 2, 6, 10
  EXPECT_EQ(start_and_reach_first_rung(s, 0, 0.5), kPause);
  EXPECT_EQ(s.promote(), promotion(0, 6));
  EXPECT_EQ(resume_to(s, 0, 2, 6, 0.6), kPause);
  EXPECT_EQ(s.promote(), promotion(0, 10));
  EXPECT_EQ(resume_to(s, 0, 6, 10, 0.7), kComplete);
  EXPECT_EQ(s.promote(), std::nullopt);
}

TEST(AshaPromotion, does_not_record_a_repeated_report_twice) {
  auto s = asha(1, 9, 3, AshaType::Promotion, FewEntriesRule::Floor);
  EXPECT_EQ(s.on_report(0, 1, 0.9), kPause);
  EXPECT_EQ(s.on_report(0, 1, 0.9), kPause);  // a replayed message
  EXPECT_EQ(s.on_report(0, 1, 0.9), kPause);
  EXPECT_EQ(s.promote(), std::nullopt);  // still k=1, not 3
  EXPECT_EQ(s.on_report(1, 1, 0.1), kPause);
  EXPECT_EQ(s.on_report(2, 1, 0.2), kPause);
  EXPECT_EQ(s.promote(), promotion(0, 3));
  EXPECT_EQ(s.on_report(0, 1, 0.9), kContinue);  // replay after promotion: it is running
}

TEST(AshaPromotion, ranks_nan_below_every_number) {
  auto s = asha(1, 4, 2, AshaType::Promotion, FewEntriesRule::Floor);
  EXPECT_EQ(s.on_report(0, 1, std::numeric_limits<double>::quiet_NaN()), kPause);
  EXPECT_EQ(s.on_report(1, 1, -1e300), kPause);
  EXPECT_EQ(s.promote(), promotion(1, 2));
  EXPECT_EQ(s.promote(), std::nullopt);
}

TEST(AshaPromotion, completes_at_once_when_min_equals_max) {
  auto s = asha(4, 4, 3, AshaType::Promotion, FewEntriesRule::Floor);
  EXPECT_EQ(start_and_reach_first_rung(s, 0, 0.5), kComplete);
  EXPECT_EQ(s.promote(), std::nullopt);
}

TEST(AshaPromotion, peeks_at_the_promotion_it_would_make_without_making_it) {
  auto s = asha(1, 9, 3, AshaType::Promotion, FewEntriesRule::Ceil);
  EXPECT_EQ(s.peek_promotion(), std::nullopt);
  EXPECT_EQ(s.on_report(0, 1, 0.5), kPause);
  EXPECT_EQ(s.peek_promotion(), promotion(0, 3));
  EXPECT_EQ(s.peek_promotion(), promotion(0, 3));  // nothing was taken
  EXPECT_EQ(s.promote(), promotion(0, 3));
  EXPECT_EQ(s.peek_promotion(), std::nullopt);
  EXPECT_EQ(resume_to(s, 0, 1, 3, 0.5), kPause);
  EXPECT_EQ(s.on_report(1, 1, 0.9), kPause);
  EXPECT_EQ(s.peek_promotion(), promotion(0, 9));  // the highest rung first
  EXPECT_EQ(s.promote(), promotion(0, 9));
  EXPECT_EQ(s.peek_promotion(), promotion(1, 3));
  auto stopping = asha(1, 9, 3, AshaType::Stopping, FewEntriesRule::Ceil);
  EXPECT_EQ(stopping.on_report(0, 1, 0.5), kContinue);
  EXPECT_EQ(stopping.peek_promotion(), std::nullopt);
}

TEST(AshaStopping, lets_top_third_so_far_go_on_when_rule_is_ceil) {
  auto s = asha(1, 9, 3, AshaType::Stopping, FewEntriesRule::Ceil);
  EXPECT_EQ(s.on_report(0, 1, 0.50), kContinue);  // k=1 q=1: rank 0
  EXPECT_EQ(s.on_report(1, 1, 0.40), kStop);      // k=2 q=1: rank 1
  EXPECT_EQ(s.on_report(2, 1, 0.60), kContinue);  // k=3 q=1: rank 0
  EXPECT_EQ(s.on_report(3, 1, 0.55), kContinue);  // k=4 q=2: rank 1 (.6 .55 .5 .4)
  EXPECT_EQ(s.on_report(4, 1, 0.10), kStop);      // k=5 q=2: rank 4
  EXPECT_EQ(s.on_report(5, 1, 0.55), kStop);      // k=6 q=2: rank 2, ties go to trial 3
  EXPECT_EQ(s.on_report(6, 1, 0.70), kContinue);  // k=7 q=3: rank 0
  EXPECT_EQ(s.promote(), std::nullopt);           // stopping type never promotes
  // Trial 0 goes on: epoch 2 is no rung, epoch 3 is (k=1 q=1), epoch 9 is max.
  EXPECT_EQ(s.on_report(0, 2, 0.5), kContinue);
  EXPECT_EQ(s.on_report(0, 3, 0.5), kContinue);
  EXPECT_EQ(s.on_report(2, 2, 0.6), kContinue);
  EXPECT_EQ(s.on_report(2, 3, 0.4), kStop);  // k=2 q=1: rank 1
  for (int e = 4; e < 9; ++e) EXPECT_EQ(s.on_report(0, e, 0.5), kContinue);
  EXPECT_EQ(s.on_report(0, 9, 0.5), kComplete);
  EXPECT_EQ(s.promote(), std::nullopt);
}

TEST(AshaStopping, stops_every_trial_until_a_rung_holds_eta_results_when_rule_is_floor) {
  auto s = asha(1, 9, 3, AshaType::Stopping, FewEntriesRule::Floor);
  EXPECT_EQ(s.on_report(0, 1, 0.9), kStop);       // k=1 q=0
  EXPECT_EQ(s.on_report(1, 1, 0.8), kStop);       // k=2 q=0
  EXPECT_EQ(s.on_report(2, 1, 0.7), kStop);       // k=3 q=1: rank 2
  EXPECT_EQ(s.on_report(3, 1, 0.1), kStop);       // k=4 q=1: rank 3
  EXPECT_EQ(s.on_report(4, 1, 0.2), kStop);       // k=5 q=1
  EXPECT_EQ(s.on_report(5, 1, 0.85), kContinue);  // k=6 q=2: rank 1 (.9 .85 .8 ...)
  EXPECT_EQ(s.on_report(6, 1, 0.95), kContinue);  // k=7 q=2: rank 0
}

TEST(AshaStopping, judges_a_repeated_report_by_the_current_ranking) {
  auto s = asha(1, 4, 2, AshaType::Stopping, FewEntriesRule::Ceil);
  EXPECT_EQ(s.on_report(0, 1, 0.5), kContinue);  // k=1 q=1
  EXPECT_EQ(s.on_report(1, 1, 0.9), kContinue);  // k=2 q=1: 0 drops out of the top
  EXPECT_EQ(s.on_report(0, 1, 0.5), kStop);      // replayed: not recorded again
  EXPECT_EQ(s.on_report(2, 1, 0.1), kStop);      // k=3 q=2: rank 2
}

}  // namespace
}  // namespace rung
