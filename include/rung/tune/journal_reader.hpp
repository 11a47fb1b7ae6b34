// Reads a run's journal back: verifies every record's length and checksum, and replays the
// events into a snapshot of the job (trial states, rung occupancy, the best objective so far).
// Used by `rung status`, which may read a journal that a running coordinator is still
// appending to, so a torn or bad last record is skipped, not an error; and by a resumed
// `rung run`, which cuts such a record off before appending.
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
  // name -> value as text (rung/config/hyperparameters.hpp's to_string), by name.
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
  // Set by `suspend` (a signal or deadline ended the segment: resume to go on), cleared by
  // the next segment's `resume`; segment counts the run's segments so far.
  bool is_suspended = false;
  int segment = 1;
  std::string end_reason;
  std::map<long long, JournalTrial> trials;  // by trial id
  std::map<long long, long long> rung_occupancy;  // rung level -> trials that reported at it
  long long epochs_reported = 0;
  // Like summary.json's BestTrainingJob: the best objective at each trial's latest reported
  // epoch (not the best epoch ever seen), failed trials excluded, ties to the longer-trained
  // then the earlier trial.
  std::optional<JournalBest> best;
  long long records = 0;           // events read
  bool has_truncated_tail = false;  // the last record was torn or bad and skipped
  [[nodiscard]] long long count(JournalTrialState state) const;
};

// The verified records of a journal, in order.
struct JournalRecords {
  std::vector<std::string> events;  // each event's JSON object, framing keys left out
  long long valid_bytes = 0;        // the file's bytes up to the end of the last good record
  bool has_bad_tail = false;        // the last record was torn (a crash mid-write) or bad
  std::string tail_problem;         // what was wrong with it, with its line number
};

// Verifies every line from `in` (rung/tune/journal_record.hpp). A bad record other than the
// last throws InputError naming `source`, the line number and the problem; a bad last record
// is left out and reported in has_bad_tail / tail_problem.
[[nodiscard]] JournalRecords read_journal_records(std::istream& in, const std::string& source);
[[nodiscard]] JournalRecords read_journal_records(const std::string& path);

// Replays the journal lines from `in`. A bad record other than the last one throws InputError
// naming `source` and the line number.
[[nodiscard]] JournalSnapshot replay_journal(std::istream& in, const std::string& source);

// Opens `path` read-only (it never locks or writes it). InputError when it cannot be read.
[[nodiscard]] JournalSnapshot read_journal(const std::string& path);

}  // namespace rung
