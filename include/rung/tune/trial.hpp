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
  // The best objective among finished trials, and the history the completion criteria use.
  std::vector<double> finished_objectives;  // final objective of each finished trial, in order
  // The best trial by final objective among trials with one (nullopt when none has one).
  [[nodiscard]] std::optional<TrialId> best_trial(bool maximize) const;
};

}  // namespace rung
