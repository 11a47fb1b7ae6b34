#include "rung/tune/journal_reader.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <string_view>

#include "rung/config/error.hpp"
#include "rung/tune/journal_record.hpp"

namespace rung {
namespace {

template <typename T>
T field(const YAML::Node& event, const char* key, T fallback) {
  const YAML::Node node = event[key];
  if (!node || !node.IsScalar()) return fallback;
  return node.as<T>(fallback);
}

std::string text(const YAML::Node& event, const char* key) {
  return field<std::string>(event, key, "");
}

class Replay {
 public:
  explicit Replay(JournalSnapshot& s) : s_(s) {}

  void apply(const YAML::Node& e) {
    ++s_.records;
    const double t = field<double>(e, "t", 0.0);
    if (std::isfinite(t) && t > s_.elapsed_s) s_.elapsed_s = t;
    const std::string event = text(e, "event");
    if (event == "job_start") {
      on_job_start(e);
    } else if (event == "start") {
      JournalTrial& trial = s_.trials[field<long long>(e, "trial", -1)];
      trial.id = field<long long>(e, "trial", -1);
      trial.name = text(e, "name");
      trial.worker = field<int>(e, "worker", -1);
      trial.state = JournalTrialState::Running;
      trial.hyperparameters.clear();
      for (const auto& kv : e["hyperparameters"]) {
        const std::string value = kv.second.IsScalar() ? kv.second.Scalar() : "?";
        trial.hyperparameters.emplace_back(kv.first.Scalar(), value);
      }
    } else if (event == "report") {
      on_report(e);
    } else if (event == "release") {
      const std::string outcome = text(e, "outcome");
      JournalTrial& trial = trial_of(e);
      if (outcome == "paused") trial.state = JournalTrialState::Paused;
      if (outcome == "stopped") trial.state = JournalTrialState::Stopped;
      if (outcome == "completed") trial.state = JournalTrialState::Completed;
      if (outcome == "failed") trial.state = JournalTrialState::Failed;
    } else if (event == "promote") {
      JournalTrial& trial = trial_of(e);
      trial.state = JournalTrialState::Running;
      trial.worker = field<int>(e, "worker", trial.worker);
    } else if (event == "restart") {
      // A resumed run sent a trial that the previous segment left running back to a worker.
      JournalTrial& trial = trial_of(e);
      trial.state = JournalTrialState::Running;
      trial.worker = field<int>(e, "worker", trial.worker);
    } else if (event == "finish_paused") {
      trial_of(e).state = JournalTrialState::Stopped;
    } else if (event == "stopping") {
      s_.is_stopping = true;
      s_.end_reason = text(e, "reason");
    } else if (event == "suspend") {
      s_.is_suspended = true;
    } else if (event == "resume") {
      s_.is_suspended = false;
      s_.segment = field<int>(e, "segment", s_.segment + 1);
    } else if (event == "job_end") {
      s_.has_ended = true;
      s_.end_reason = text(e, "reason");
    }
    // worker_ready and events this reader does not know change nothing it reports.
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
  JournalTrial& trial_of(const YAML::Node& e) {
    const long long id = field<long long>(e, "trial", -1);
    JournalTrial& trial = s_.trials[id];
    trial.id = id;
    return trial;
  }

  void on_job_start(const YAML::Node& e) {
    s_.has_job_start = true;
    s_.job_name = text(e, "job");
    s_.strategy = text(e, "strategy");
    s_.scheduler = text(e, "scheduler");
    s_.searcher = text(e, "searcher");
    s_.workers = field<int>(e, "workers", 0);
    s_.parallelism = field<int>(e, "parallelism", s_.workers);
    s_.objective_metric = text(e, "objective");
    s_.is_minimize = text(e, "objective_type") == "Minimize";
    s_.rungs.clear();
    for (const auto& level : e["rungs"]) s_.rungs.push_back(level.as<long long>(0));
  }

  void on_report(const YAML::Node& e) {
    JournalTrial& trial = trial_of(e);
    const long long epoch = field<long long>(e, "epoch", 0);
    trial.epochs = epoch;
    ++s_.epochs_reported;
    reported_at_[epoch].insert(trial.id);
    trial.objective.reset();
    const YAML::Node metrics = e["metrics"];
    if (!metrics || !metrics.IsMap() || s_.objective_metric.empty()) return;
    // JSON writes a non-finite value as null: such a report has no objective.
    const double value = field<double>(metrics, s_.objective_metric.c_str(),
                                       std::numeric_limits<double>::quiet_NaN());
    if (std::isfinite(value)) trial.objective = value;
  }

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
    if (check.is_valid) {
      try {
        check.is_valid = YAML::Load(check.event).IsMap();
      } catch (const YAML::Exception&) {
        check.is_valid = false;
      }
      if (!check.is_valid) check.problem = "not a JSON object";
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
  for (const std::string& event : records.events) replay.apply(YAML::Load(event));
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
