// rank 0's progress line, as pure formatting: a compact bar for a terminal (rewritten in place)
// and a plain line for log files (Slurm output), from a snapshot of the job's counters. Also
// the estimate of the time that remains, shared with `rung status`.
#pragma once

#include <optional>
#include <string>

namespace rung {

struct ProgressSnapshot {
  long long trials_finished = 0;  // completed + stopped + failed
  long long trials_started = 0;
  long long max_trials = 0;  // MaxNumberOfTrainingJobs (the grid size for Grid)
  long long running = 0;
  long long paused = 0;
  long long failed = 0;
  long long epochs = 0;  // trained so far, all trials
  double elapsed_s = 0.0;
  std::optional<double> max_runtime_s;  // MaxRuntimeInSeconds
  std::optional<double> best;           // the best objective so far
  std::string metric;                   // the objective metric's name
  std::string best_trial;               // the best trial's name ("" to leave it out)
};

// Seconds left, assuming trials keep finishing at the rate seen so far
// (elapsed x unfinished / finished), capped by what MaxRuntimeInSeconds leaves. nullopt while
// no trial has finished and no runtime limit is set; 0 once everything has finished.
[[nodiscard]] std::optional<double> estimate_remaining_s(const ProgressSnapshot& p);

// "1:05", "12:00", "1:02:03" (h:mm:ss past an hour); "--:--" for a negative or non-finite value.
[[nodiscard]] std::string format_duration(double seconds);

// For a terminal: "[#######.............]  23/60 trials  2 running  best validation:accuracy
// 0.9123  1:23 elapsed  ~3:10 left", no longer than `columns` (the bar shrinks first, then
// the tail is cut). No control codes: the caller writes '\r' before it and "\033[K" after.
[[nodiscard]] std::string format_progress_bar(const ProgressSnapshot& p, int columns = 100);

// For a log: "progress: 23/60 trials finished (38%), 2 running, 1 paused, 0 failed; 180 epochs;
// best validation:accuracy 0.9123 (quickstart-007); elapsed 83.2 s; about 190 s left". One
// line, no newline.
[[nodiscard]] std::string format_progress_log(const ProgressSnapshot& p);

}  // namespace rung
