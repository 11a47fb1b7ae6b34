// The coordinator's books: every trial, its state, its learning curve. The journal, the
// console, trials.csv, summary.json and results.h5 are all views of this table.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rung/comm/messages.hpp"
#include "rung/config/hyperparameters.hpp"

namespace rung {

enum class TrialStatus { Running, Paused, Stopped, Completed, Failed };
// SageMaker's names ("InProgress", ...), from the journal's table (journal_event.cpp).
[[nodiscard]] const char* to_string(TrialStatus s);

struct EpochRecord {
  int epoch = 0;
  std::map<std::string, double> metrics;
  double train_time_s = 0.0;
  double eval_time_s = 0.0;
  double reported_at_s = 0.0;  // job time when the coordinator received it
  int worker = -1;
};

struct Trial {
  TrialId id = -1;
  std::string name;
  HyperParameters tuned;
  std::uint64_t seed = 0;
  TrialStatus status = TrialStatus::Running;
  int epochs = 0;                     // epochs trained (== curve.size())
  std::vector<EpochRecord> curve;
  std::optional<double> objective;    // the objective metric at the last epoch
  double start_s = 0.0;
  double end_s = -1.0;                // -1 while not finished
  int times_paused = 0;
  int times_resumed = 0;
  int worker = -1;                    // the worker training it now (or last)
  std::string failure_reason;
  std::string stop_reason;            // why it stopped: early-stopped at rung, not promoted, ...
};

// Why the tuning job ended (summary.json's TuningJobCompletionDetails.CompletionReason).
enum class EndReason {
  MaxNumberOfTrainingJobsReached,   // every trial allowed was started and has ended
  SearchSpaceExhausted,             // Grid: every combination was tried
  MaxRuntimeInSecondsReached,
  TargetObjectiveMetricValueReached,
  BestObjectiveNotImproving,
  ConvergenceDetected,
  Failed,
};
[[nodiscard]] const char* to_string(EndReason r);

// The coordinator's own cost, in wall time whatever the job's clock: for each handled
// message, the time from receiving it to being ready for the next one (journal, decision,
// replies and the assignments it freed a worker for).
struct CoordinatorStats {
  long long messages_handled = 0;
  double loop_wall_s = 0.0;        // wall time of the event loop, waiting included
  double decision_p50_us = 0.0;
  double decision_p99_us = 0.0;
  double decision_max_us = 0.0;
  // The MPI transport's counters on rank 0 (has_traffic false in-process and simulated).
  bool has_traffic = false;
  std::uint64_t messages_sent = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t messages_received = 0;
  std::uint64_t bytes_received = 0;

  [[nodiscard]] double messages_per_s() const {
    return loop_wall_s > 0 ? static_cast<double>(messages_handled) / loop_wall_s : 0.0;
  }
};

struct RunRecord {
  std::string job_name;
  std::vector<Trial> trials;             // index == TrialId
  std::vector<int> rungs;                // scheduler's rung levels
  std::string scheduler;                 // "ASHA(promotion, eta=3, floor)" / "FIFO"
  std::string searcher;
  double runtime_s = 0.0;
  int workers = 0;
  int total_epochs_trained = 0;          // every epoch report received
  std::uint64_t seed = 0;
  EndReason end_reason = EndReason::MaxNumberOfTrainingJobsReached;
  std::string end_message;
  double end_decided_s = -1.0;             // when the reason was found (-1: ran to the end)
  int trials_not_improving = 0;            // finished trials since the best last improved
  CoordinatorStats coordinator;
  // Set when a signal or the segment's deadline suspended the run (it is resumable, not over).
  bool is_suspended = false;
  std::string suspend_signal;    // "SIGUSR1", "SIGTERM", "deadline"
  int segment = 1;               // walltime segments so far, this one included
  int deadline_held_starts = 0;  // new trials not started: they would have overrun
  int deadline_held_promotions = 0;
  // The best trial by final objective among trials with one (nullopt when none has one).
  [[nodiscard]] std::optional<TrialId> best_trial(bool maximize) const;
};

}  // namespace rung
