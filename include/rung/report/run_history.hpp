// A run's history in full detail, replayed from its journal for `rung report`: every trial's
// learning curve with its pauses and promotions, every worker's busy spans (train, validate,
// checkpoint), and the best objective over time. The journal may belong to a running job or
// to one killed mid-write: an incomplete last line is skipped, and keys and events this
// reader does not know (journal framing such as `len`/`crc`) are ignored; the events of a
// suspended and resumed run (suspending, suspend, resume, restart, recomputed) are shown.
#pragma once

#include <istream>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rung::report {

// A hyperparameter as the journal wrote it: a number (integer and continuous ranges) or text
// (categorical ranges).
struct HistoryValue {
  bool is_number = false;
  double number = 0.0;
  std::string text;  // the value as text either way
};

// One reported epoch of one trial.
struct EpochReport {
  long long epoch = 0;
  double t = 0.0;          // when rank 0 received it (seconds since the job started)
  double objective = 0.0;  // NaN when the objective metric was missing or not finite
  std::string decision;    // Continue, Pause, Stop, Complete
  int worker = -1;
  double train_s = 0.0;
  double eval_s = 0.0;
};

enum class FinalState { Running, Paused, Completed, Stopped, Failed };
[[nodiscard]] const char* to_string(FinalState state) noexcept;

struct TrialHistory {
  long long id = -1;
  std::string name;
  std::vector<std::pair<std::string, HistoryValue>> hyperparameters;  // journal order
  double start_t = 0.0;
  double end_t = 0.0;         // its last event
  long long first_until = 0;  // the start event's `until`: its bracket's first rung
  std::vector<EpochReport> reports;
  std::vector<long long> paused_at;       // epochs at which it paused (checkpointed)
  std::vector<long long> promoted_from;   // epochs from which it was promoted
  std::vector<long long> restarted_from;  // a resumed run sent it back to a worker (epochs kept)
  FinalState state = FinalState::Running;
  std::string message;  // why it failed, when it did
  long long epochs = 0;
  std::optional<double> objective;  // at its latest reported epoch, when finite
};

// Recompute: an epoch a resumed run trained again because the previous segment's result was
// lost with it (its time is the cost of the interruption).
enum class SpanKind { Train, Validate, Checkpoint, Recompute };
[[nodiscard]] const char* to_string(SpanKind kind) noexcept;

// A stretch of one worker's time, from the journal's `t` and the reported durations.
struct WorkerSpan {
  int worker = -1;
  double begin_t = 0.0;
  double end_t = 0.0;
  SpanKind kind = SpanKind::Train;
  long long trial = -1;
};

// The best objective reported so far (any trial, any epoch, failed trials included up to
// their failure), each time it improved.
struct IncumbentPoint {
  double t = 0.0;
  long long epochs_spent = 0;  // epochs reported by then, all trials together
  double best = 0.0;
  long long trial = -1;
};

// Where a run was interrupted and taken up again: `suspending` (a walltime or preemption
// signal arrived), `suspend` (the segment ended, trials checkpointed), `resume` (a new segment
// replayed the journal and went on).
struct SegmentMark {
  double t = 0.0;
  std::string kind;  // "suspending", "suspend" or "resume"
  long long segment = 0;
  std::string detail;  // the signal, or what the resume kept
};

struct RunHistory {
  bool has_job_start = false;
  std::string job_name;
  std::string strategy;
  std::string scheduler;
  std::string searcher;
  std::string objective_metric;
  bool is_minimize = false;
  int workers = 0;
  int parallelism = 0;
  long long seed = 0;
  long long max_trials = 0;
  long long min_resource = 0;
  long long max_resource = 0;
  std::vector<long long> rungs;
  bool is_stopping = false;
  bool has_ended = false;
  std::string end_reason;
  double elapsed_s = 0.0;            // the latest event's t
  std::vector<TrialHistory> trials;  // by trial id (ids are dense from 0)
  std::vector<WorkerSpan> spans;
  std::vector<int> worker_ids;  // every worker that appears, ascending
  std::vector<IncumbentPoint> incumbent;
  std::vector<SegmentMark> segment_marks;
  long long epochs_reported = 0;
  long long epochs_recomputed = 0;
  long long records = 0;         // events read
  long long unknown_events = 0;  // events of kinds this reader ignores
  bool has_truncated_tail = false;
  // Reported train/eval/checkpoint seconds longer than the wall time between a worker's
  // events (instant trainers report their curve's epoch time): spans were clipped to fit.
  bool has_clipped_spans = false;

  [[nodiscard]] long long count(FinalState state) const;
  // Like summary.json's BestTrainingJob: the best objective at a trial's latest epoch,
  // failed trials excluded, ties to the longer-trained then the earlier trial.
  [[nodiscard]] const TrialHistory* best_trial() const;
  // +1 when larger objectives are better, else -1: score = sign * objective.
  [[nodiscard]] double sign() const noexcept { return is_minimize ? -1.0 : 1.0; }
};

// Replays journal lines from `in`. A malformed line other than an unterminated last one
// throws InputError naming `source`, the line number and what is wrong.
[[nodiscard]] RunHistory replay_history(std::istream& in, const std::string& source);

// Reads `path` (read-only). InputError when it cannot be opened or is not a journal.
[[nodiscard]] RunHistory read_history(const std::string& path);

}  // namespace rung::report
