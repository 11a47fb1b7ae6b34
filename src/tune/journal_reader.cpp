#include "rung/tune/journal_reader.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <string_view>

#include "rung/config/error.hpp"
#include "rung/tune/journal_event.hpp"
#include "rung/tune/journal_record.hpp"

namespace rung {
namespace {

class Replay {
 public:
  explicit Replay(JournalSnapshot& s) : s_(s) {}

  void apply(const JournalEvent& event) {
    ++s_.records;
    const double t = event_time(event);
    if (std::isfinite(t) && t > s_.elapsed_s) s_.elapsed_s = t;
    std::visit([this](const auto& e) { on(e); }, event);
  }

  void finish() {
    s_.best.reset();
    for (const auto& [id, trial] : s_.trials) {
      if (!trial.objective || trial.state == JournalTrialState::Failed) continue;
      const double v = s_.is_minimize ? -*trial.objective : *trial.objective;
      if (s_.best) {
        const double b = s_.is_minimize ? -s_.best->objective : s_.best->objective;
        if (v < b || (v == b && trial.epochs <= s_.best->epoch)) continue;
      }
      s_.best = JournalBest{id, trial.epochs, *trial.objective};
    }
    s_.rung_occupancy.clear();
    for (long long level : s_.rungs) {
      const auto it = reported_at_.find(level);
      s_.rung_occupancy[level] =
          it == reported_at_.end() ? 0 : static_cast<long long>(it->second.size());
    }
  }

 private:
  JournalTrial& trial_of(long long id) {
    JournalTrial& trial = s_.trials[id];
    trial.id = id;
    return trial;
  }

  void on(const JobStartEvent& e) {
    s_.has_job_start = true;
    s_.job_name = e.job;
    s_.strategy = e.strategy;
    s_.scheduler = e.scheduler;
    s_.searcher = e.searcher;
    s_.workers = e.workers;
    s_.parallelism = e.parallelism;
    s_.objective_metric = e.objective;
    s_.is_minimize = e.objective_type == "Minimize";
    s_.rungs.assign(e.rungs.begin(), e.rungs.end());
  }
  void on(const StartEvent& e) {
    JournalTrial& trial = trial_of(e.trial);
    trial.name = e.name;
    trial.worker = e.worker;
    trial.state = JournalTrialState::Running;
    trial.hyperparameters.clear();
    for (const auto& [name, value] : e.hyperparameters) {
      trial.hyperparameters.emplace_back(name, to_string(value));
    }
  }
  void on(const ReportEvent& e) {
    JournalTrial& trial = trial_of(e.trial);
    trial.epochs = e.epoch;
    ++s_.epochs_reported;
    reported_at_[e.epoch].insert(trial.id);
    trial.objective.reset();
    // A non-finite value (written as null) is no objective.
    const auto metric = e.metrics.find(s_.objective_metric);
    if (metric != e.metrics.end() && std::isfinite(metric->second)) trial.objective = metric->second;
  }
  void on(const ReleaseEvent& e) {
    JournalTrial& trial = trial_of(e.trial);
    switch (e.outcome) {
      case TrialOutcome::Paused: trial.state = JournalTrialState::Paused; break;
      case TrialOutcome::Stopped: trial.state = JournalTrialState::Stopped; break;
      case TrialOutcome::Completed: trial.state = JournalTrialState::Completed; break;
      case TrialOutcome::Failed: trial.state = JournalTrialState::Failed; break;
    }
  }
  void on(const PromoteEvent& e) {
    JournalTrial& trial = trial_of(e.trial);
    trial.state = JournalTrialState::Running;
    trial.worker = e.worker;
  }
  // A resumed run sent a trial that the previous segment left running back to a worker.
  void on(const RestartEvent& e) {
    JournalTrial& trial = trial_of(e.trial);
    trial.state = JournalTrialState::Running;
    trial.worker = e.worker;
  }
  void on(const FinishPausedEvent& e) { trial_of(e.trial).state = JournalTrialState::Stopped; }
  void on(const StoppingEvent& e) {
    s_.is_stopping = true;
    s_.end_reason = to_string(e.reason);
  }
  void on(const SuspendEvent&) { s_.is_suspended = true; }
  void on(const ResumeEvent& e) {
    s_.is_suspended = false;
    s_.segment = e.segment;
  }
  void on(const JobEndEvent& e) {
    s_.has_ended = true;
    s_.end_reason = to_string(e.reason);
  }
  // worker_ready, recomputed, promote_pending, suspending and newer kinds change nothing
  // this reader reports.
  template <typename Other>
  void on(const Other&) {}

  JournalSnapshot& s_;
  std::map<long long, std::set<long long>> reported_at_;
};

}  // namespace

const char* to_string(JournalTrialState state) noexcept {
  switch (state) {
    case JournalTrialState::Running: return "running";
    case JournalTrialState::Paused: return "paused";
    case JournalTrialState::Stopped: return "stopped";
    case JournalTrialState::Completed: return "completed";
    case JournalTrialState::Failed: return "failed";
  }
  return "unknown";
}

long long JournalSnapshot::count(JournalTrialState state) const {
  long long n = 0;
  for (const auto& [id, trial] : trials) n += trial.state == state ? 1 : 0;
  return n;
}

JournalRecords read_journal_records(std::istream& in, const std::string& source) {
  JournalRecords records;
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::size_t pos = 0;
  long long line_number = 0;
  while (pos < text.size()) {
    ++line_number;
    const std::size_t newline = text.find('\n', pos);
    // A line without its newline is a write still in progress or cut short by a crash.
    const bool is_terminated = newline != std::string::npos;
    const std::size_t end = is_terminated ? newline + 1 : text.size();
    const std::string_view line(text.data() + pos, end - pos);
    const bool is_last = end >= text.size();
    pos = end;
    if (line.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      if (is_terminated) records.valid_bytes = static_cast<long long>(end);
      continue;
    }
    RecordCheck check = verify_record(line);
    if (check.is_valid && !is_terminated) check = RecordCheck{false, "no newline (torn)", {}};
    // Well-formed JSON is all this checks (without building it: the readers parse each event
    // once, strictly or leniently, as they need it).
    if (check.is_valid && (check.event.front() != '{' || !nlohmann::json::accept(check.event))) {
      check = RecordCheck{false, "journal event is not a valid JSON object", {}};
    }
    if (!check.is_valid) {
      const std::string where = source + " line " + std::to_string(line_number);
      if (!is_last) {
        throw InputError(where + " is not a valid journal record: " + check.problem +
                         "; only the last record may be cut short, so the journal is damaged");
      }
      records.has_bad_tail = true;
      records.tail_problem = where + ": " + check.problem;
      break;
    }
    records.events.push_back(std::move(check.event));
    records.valid_bytes = static_cast<long long>(end);
  }
  return records;
}

JournalRecords read_journal_records(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read journal " + path);
  return read_journal_records(in, path);
}

JournalSnapshot replay_journal(std::istream& in, const std::string& source) {
  JournalSnapshot snapshot;
  Replay replay(snapshot);
  const JournalRecords records = read_journal_records(in, source);
  for (const std::string& event : records.events) replay.apply(parse_event(event, EventParse::Lenient));
  snapshot.has_truncated_tail = records.has_bad_tail;
  replay.finish();
  return snapshot;
}

JournalSnapshot read_journal(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read journal " + path);
  return replay_journal(in, path);
}

}  // namespace rung
