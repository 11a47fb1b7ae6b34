#include <gtest/gtest.h>

#include <climits>
#include <stdexcept>
#include <vector>

#include "rung/sched/asha_scheduler.hpp"

namespace rung {
namespace {

using Levels = std::vector<int>;

TEST(AshaRungLevels, ends_exactly_at_max_when_max_is_a_power_of_eta) {
  EXPECT_EQ(asha_rung_levels(1, 9, 3), (Levels{1, 3, 9}));
  EXPECT_EQ(asha_rung_levels(1, 27, 3), (Levels{1, 3, 9, 27}));
  EXPECT_EQ(asha_rung_levels(1, 16, 2), (Levels{1, 2, 4, 8, 16}));
  EXPECT_EQ(asha_rung_levels(1, 64, 4), (Levels{1, 4, 16, 64}));
  EXPECT_EQ(asha_rung_levels(2, 18, 3), (Levels{2, 6, 18}));
}

TEST(AshaRungLevels, appends_max_as_last_rung_when_max_is_not_a_power_of_eta) {
  EXPECT_EQ(asha_rung_levels(1, 10, 3), (Levels{1, 3, 9, 10}));
  EXPECT_EQ(asha_rung_levels(2, 50, 3), (Levels{2, 6, 18, 50}));
  EXPECT_EQ(asha_rung_levels(1, 100, 4), (Levels{1, 4, 16, 64, 100}));
  EXPECT_EQ(asha_rung_levels(3, 10, 2), (Levels{3, 6, 10}));
  EXPECT_EQ(asha_rung_levels(1, 2, 3), (Levels{1, 2}));
  EXPECT_EQ(asha_rung_levels(4, 5, 4), (Levels{4, 5}));
  EXPECT_EQ(asha_rung_levels(5, 81, 2), (Levels{5, 10, 20, 40, 80, 81}));
}

TEST(AshaRungLevels, is_a_single_rung_when_min_equals_max) {
  EXPECT_EQ(asha_rung_levels(5, 5, 3), (Levels{5}));
  EXPECT_EQ(asha_rung_levels(1, 1, 2), (Levels{1}));
}

TEST(AshaRungLevels, does_not_overflow_near_int_max) {
  const Levels levels = asha_rung_levels(1, INT_MAX, 2);
  ASSERT_EQ(levels.size(), 32u);  // 2^0 .. 2^30, then INT_MAX = 2^31 - 1
  EXPECT_EQ(levels[30], 1 << 30);
  EXPECT_EQ(levels.back(), INT_MAX);
}

TEST(AshaRungLevels, throws_when_arguments_are_out_of_range) {
  EXPECT_THROW((void)asha_rung_levels(0, 9, 3), std::invalid_argument);
  EXPECT_THROW((void)asha_rung_levels(5, 4, 3), std::invalid_argument);
  EXPECT_THROW((void)asha_rung_levels(1, 9, 1), std::invalid_argument);
}

TEST(AshaScheduler, reports_its_rung_levels_and_starts_trials_at_the_first) {
  AshaScheduler asha(2, 50, AshaOptions{3, AshaType::Promotion, FewEntriesRule::Floor});
  EXPECT_EQ(asha.rungs(), (Levels{2, 6, 18, 50}));
  EXPECT_EQ(asha.on_start(0), 2);
}

}  // namespace
}  // namespace rung
