#include "rung/tune/progress_line.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace rung {
namespace {

ProgressSnapshot halfway() {
  ProgressSnapshot p;
  p.trials_finished = 30;
  p.trials_started = 32;
  p.max_trials = 60;
  p.running = 2;
  p.paused = 1;
  p.failed = 3;
  p.epochs = 180;
  p.elapsed_s = 90;
  p.best = 0.91234;
  p.metric = "validation:accuracy";
  return p;
}

TEST(ProgressLine, estimate_extrapolates_the_finishing_rate) {
  EXPECT_DOUBLE_EQ(*estimate_remaining_s(halfway()), 90.0);
}

TEST(ProgressLine, estimate_is_capped_by_max_runtime) {
  ProgressSnapshot p = halfway();
  p.max_runtime_s = 120;
  EXPECT_DOUBLE_EQ(*estimate_remaining_s(p), 30.0);
  p.elapsed_s = 200;  // past the limit: nothing remains
  EXPECT_DOUBLE_EQ(*estimate_remaining_s(p), 0.0);
}

TEST(ProgressLine, estimate_unknown_before_any_trial_finishes) {
  ProgressSnapshot p = halfway();
  p.trials_finished = 0;
  EXPECT_FALSE(estimate_remaining_s(p));
  p.max_runtime_s = 300;
  EXPECT_DOUBLE_EQ(*estimate_remaining_s(p), 210.0);
  p.trials_finished = 60;
  EXPECT_DOUBLE_EQ(*estimate_remaining_s(p), 0.0);
}

TEST(ProgressLine, durations_read_as_clock_times) {
  EXPECT_EQ(format_duration(65), "1:05");
  EXPECT_EQ(format_duration(720), "12:00");
  EXPECT_EQ(format_duration(3723), "1:02:03");
  EXPECT_EQ(format_duration(-1), "--:--");
}

TEST(ProgressLine, bar_shows_fraction_counts_best_and_times) {
  const std::string bar = format_progress_bar(halfway(), 120);
  EXPECT_EQ(bar.rfind('[', 0), 0u);
  const std::size_t close = bar.find(']');
  const std::string cells = bar.substr(1, close - 1);
  EXPECT_EQ(std::count(cells.begin(), cells.end(), '#') * 2,
            static_cast<long>(cells.size()));  // half done: half the cells
  EXPECT_NE(bar.find("30/60 trials"), std::string::npos);
  EXPECT_NE(bar.find("2 running"), std::string::npos);
  EXPECT_NE(bar.find("best validation:accuracy 0.9123"), std::string::npos);
  EXPECT_NE(bar.find("1:30 elapsed"), std::string::npos);
  EXPECT_NE(bar.find("~1:30 left"), std::string::npos);
  EXPECT_EQ(bar.find('\033'), std::string::npos);
  EXPECT_EQ(bar.find('\n'), std::string::npos);
}

TEST(ProgressLine, bar_fits_a_narrow_terminal) {
  for (int columns : {40, 60, 80}) {
    EXPECT_LE(format_progress_bar(halfway(), columns).size(), static_cast<std::size_t>(columns));
  }
}

TEST(ProgressLine, log_line_is_plain_and_complete) {
  const std::string line = format_progress_log(halfway());
  EXPECT_EQ(line,
            "progress: 30/60 trials finished (50%), 2 running, 1 paused, 3 failed; 180 epochs; "
            "best validation:accuracy 0.9123; elapsed 90.0 s; about 90.0 s left");
  ProgressSnapshot named = halfway();
  named.best_trial = "quickstart-007";
  EXPECT_NE(format_progress_log(named).find("0.9123 (quickstart-007); elapsed"), std::string::npos);
  ProgressSnapshot p;
  p.max_trials = 10;
  EXPECT_NE(format_progress_log(p).find("time left unknown yet"), std::string::npos);
}

}  // namespace
}  // namespace rung
