#include "rung/tune/journal_reader.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <set>

#include "rung/config/error.hpp"

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
    } else if (event == "finish_paused") {
      trial_of(e).state = JournalTrialState::Stopped;
    } else if (event == "stopping") {
      s_.is_stopping = true;
      s_.end_reason = text(e, "reason");
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

JournalSnapshot replay_journal(std::istream& in, const std::string& source) {
  JournalSnapshot snapshot;
  Replay replay(snapshot);
  std::string line;
  long long line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    // getline hits end-of-file only on a line without its newline: a write still in
    // progress, or a coordinator killed mid-write. Such a line is not an event yet.
    const bool is_unterminated = in.eof();
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    YAML::Node event;
    bool is_valid = false;
    try {
      event = YAML::Load(line);
      is_valid = event.IsMap() && line.find_last_not_of(" \t\r") != std::string::npos &&
                 line[line.find_last_not_of(" \t\r")] == '}';
    } catch (const YAML::Exception&) {
      is_valid = false;
    }
    if (!is_valid) {
      if (is_unterminated) {
        snapshot.has_truncated_tail = true;
        break;
      }
      throw InputError(source + " line " + std::to_string(line_number) +
                       " is not a journal event (one JSON object per line)");
    }
    replay.apply(event);
  }
  replay.finish();
  return snapshot;
}

JournalSnapshot read_journal(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read journal " + path);
  return replay_journal(in, path);
}

}  // namespace rung
