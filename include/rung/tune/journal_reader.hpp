// Reads a run's journal back and replays it into a snapshot of the job: trial states, rung
// occupancy, the best objective so far. Used by `rung status`, which may read a journal that a
// running coordinator is still appending to, so a truncated last line is skipped, not an error.
#pragma once

#include <istream>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rung {

// A trial's state as the journal's events imply it.
enum class JournalTrialState { Running, Paused, Stopped, Completed, Failed };

[[nodiscard]] const char* to_string(JournalTrialState state) noexcept;

struct JournalTrial {
  long long id = -1;
  std::string name;
  // name -> value as the journal wrote it (numbers as text), in the journal's key order.
  std::vector<std::pair<std::string, std::string>> hyperparameters;
  JournalTrialState state = JournalTrialState::Running;
  long long epochs = 0;  // last reported epoch
  std::optional<double> objective;  // the objective metric at that epoch, when finite
  int worker = -1;
};

struct JournalBest {
  long long trial = -1;
  long long epoch = 0;
  double objective = 0.0;
};

struct JournalSnapshot {
  bool has_job_start = false;
  std::string job_name;
  std::string strategy;
  std::string scheduler;
  std::string searcher;
  std::string objective_metric;
  bool is_minimize = false;
  int workers = 0;
  int parallelism = 0;
  std::vector<long long> rungs;
  double elapsed_s = 0.0;  // the last event's t
  // Set by `stopping` (the coordinator decided to end) and then `job_end` (it has ended).
  bool is_stopping = false;
  bool has_ended = false;
  std::string end_reason;
  std::map<long long, JournalTrial> trials;  // by trial id
  std::map<long long, long long> rung_occupancy;  // rung level -> trials that reported at it
  long long epochs_reported = 0;
  // Like summary.json's BestTrainingJob: the best objective at each trial's latest reported
  // epoch (not the best epoch ever seen), failed trials excluded, ties to the longer-trained
  // then the earlier trial.
  std::optional<JournalBest> best;
  long long records = 0;           // events read
  bool has_truncated_tail = false;  // the last line was incomplete and skipped
  [[nodiscard]] long long count(JournalTrialState state) const;
};

// Replays the journal lines from `in`. A malformed line other than an unterminated last one
// throws InputError naming `source` and the line number.
[[nodiscard]] JournalSnapshot replay_journal(std::istream& in, const std::string& source);

// Opens `path` read-only (it never locks or writes it). InputError when it cannot be read.
[[nodiscard]] JournalSnapshot read_journal(const std::string& path);

}  // namespace rung
