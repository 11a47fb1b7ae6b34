#include "rung/report/run_history.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>

#include "rung/config/error.hpp"
#include "rung/report/json_value.hpp"

namespace rung::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string number_text(double v) {
  if (std::isfinite(v) && v == std::round(v) && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<long long>(v));
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

class Replay {
 public:
  explicit Replay(RunHistory& h) : h_(h) {}

  void apply(const JsonValue& e) {
    ++h_.records;
    const double t = e.number_or("t", 0.0);
    if (std::isfinite(t) && t > h_.elapsed_s) h_.elapsed_s = t;
    const std::string event = e.text_or("event", "");
    if (event == "job_start") {
      on_job_start(e);
    } else if (event == "worker_ready") {
      note_worker(static_cast<int>(e.integer_or("worker", -1)));
    } else if (event == "start") {
      on_start(e, t);
    } else if (event == "report") {
      on_report(e, t);
    } else if (event == "release") {
      on_release(e, t);
    } else if (event == "promote") {
      TrialHistory& trial = trial_of(e);
      const int worker = static_cast<int>(e.integer_or("worker", -1));
      trial.state = FinalState::Running;
      trial.promoted_from.push_back(e.integer_or("from", trial.epochs));
      trial.end_t = t;
      assigned(worker, t);
    } else if (event == "restart") {
      TrialHistory& trial = trial_of(e);
      trial.state = FinalState::Running;
      trial.restarted_from.push_back(e.integer_or("from", trial.epochs));
      trial.end_t = t;
      assigned(static_cast<int>(e.integer_or("worker", -1)), t);
    } else if (event == "recomputed") {
      on_recomputed(e, t);
    } else if (event == "suspending" || event == "suspend" || event == "resume") {
      SegmentMark mark;
      mark.t = t;
      mark.kind = event;
      mark.segment = e.integer_or("segment", 0);
      if (event == "resume") {
        mark.detail = "kept " + std::to_string(e.integer_or("trials", 0)) + " trials, " +
                      std::to_string(e.integer_or("epochs", 0)) + " epochs; restarted " +
                      std::to_string(e.integer_or("restarts", 0));
        last_t_.clear();  // a new segment's workers start fresh
      } else {
        mark.detail = e.text_or("signal", "");
      }
      h_.segment_marks.push_back(std::move(mark));
    } else if (event == "promote_pending") {
      // the promote event that follows is what moves the trial
    } else if (event == "finish_paused") {
      TrialHistory& trial = trial_of(e);
      trial.state = FinalState::Stopped;
      trial.end_t = t;
    } else if (event == "stopping") {
      h_.is_stopping = true;
      h_.end_reason = e.text_or("reason", "");
    } else if (event == "job_end") {
      h_.has_ended = true;
      h_.end_reason = e.text_or("reason", "");
    } else {
      ++h_.unknown_events;  // newer event kinds (resume, suspend, ...) change nothing shown
    }
  }

  void finish() { h_.worker_ids.assign(workers_.begin(), workers_.end()); }

 private:
  void note_worker(int worker) {
    if (worker >= 0) workers_.insert(worker);
  }

  void assigned(int worker, double t) {
    note_worker(worker);
    last_t_[worker] = t;
  }

  TrialHistory& trial_of(const JsonValue& e) {
    const long long id = e.integer_or("trial", -1);
    const auto it = index_.find(id);
    if (it != index_.end()) return h_.trials[it->second];
    index_[id] = h_.trials.size();
    h_.trials.emplace_back();
    h_.trials.back().id = id;
    return h_.trials.back();
  }

  void on_job_start(const JsonValue& e) {
    h_.has_job_start = true;
    h_.job_name = e.text_or("job", "");
    h_.strategy = e.text_or("strategy", "");
    h_.scheduler = e.text_or("scheduler", "");
    h_.searcher = e.text_or("searcher", "");
    h_.workers = static_cast<int>(e.integer_or("workers", 0));
    h_.parallelism = static_cast<int>(e.integer_or("parallelism", h_.workers));
    h_.seed = e.integer_or("seed", 0);
    h_.max_trials = e.integer_or("max_trials", 0);
    h_.min_resource = e.integer_or("min_resource", 0);
    h_.max_resource = e.integer_or("max_resource", 0);
    h_.objective_metric = e.text_or("objective", "");
    h_.is_minimize = e.text_or("objective_type", "") == "Minimize";
    h_.rungs.clear();
    if (const JsonValue* rungs = e.find("rungs"); rungs != nullptr && rungs->is_array()) {
      for (const JsonValue& level : rungs->items()) {
        if (level.is_number()) h_.rungs.push_back(std::llround(level.number()));
      }
    }
  }

  void on_start(const JsonValue& e, double t) {
    TrialHistory& trial = trial_of(e);
    trial.name = e.text_or("name", "");
    trial.start_t = t;
    trial.end_t = t;
    trial.first_until = e.integer_or("until", 0);
    trial.state = FinalState::Running;
    trial.hyperparameters.clear();
    if (const JsonValue* hp = e.find("hyperparameters"); hp != nullptr && hp->is_object()) {
      for (const auto& [name, value] : hp->members()) {
        HistoryValue v;
        if (value.is_number()) {
          v.is_number = true;
          v.number = value.number();
          v.text = number_text(value.number());
        } else {
          v.text = value.is_string() ? value.text() : "?";
        }
        trial.hyperparameters.emplace_back(name, std::move(v));
      }
    }
    assigned(static_cast<int>(e.integer_or("worker", -1)), t);
  }

  // The span [end - seconds, end], not starting before the worker's previous event.
  double span(int worker, double end, double seconds, SpanKind kind, long long trial) {
    const auto it = last_t_.find(worker);
    const double floor_t = it == last_t_.end() ? 0.0 : it->second;
    double begin = end - (std::isfinite(seconds) && seconds > 0 ? seconds : 0.0);
    if (begin < floor_t - 1e-9) {
      if (floor_t - begin > 1e-3 * std::max(1.0, seconds)) h_.has_clipped_spans = true;
      begin = std::min(floor_t, end);
    }
    if (end > begin) h_.spans.push_back(WorkerSpan{worker, begin, end, kind, trial});
    return begin;
  }

  void on_report(const JsonValue& e, double t) {
    TrialHistory& trial = trial_of(e);
    EpochReport r;
    r.epoch = e.integer_or("epoch", 0);
    r.t = t;
    r.worker = static_cast<int>(e.integer_or("worker", -1));
    r.train_s = e.number_or("train_s", 0.0);
    r.eval_s = e.number_or("eval_s", 0.0);
    r.decision = e.text_or("decision", "");
    r.objective = kNaN;
    if (const JsonValue* metrics = e.find("metrics"); metrics != nullptr) {
      r.objective = metrics->number_or(h_.objective_metric, kNaN);
    }
    trial.epochs = r.epoch;
    trial.end_t = t;
    if (std::isfinite(r.objective)) {
      trial.objective = r.objective;
    } else {
      trial.objective.reset();
    }
    ++h_.epochs_reported;
    if (std::isfinite(r.objective) &&
        (h_.incumbent.empty() || h_.sign() * r.objective > h_.sign() * h_.incumbent.back().best)) {
      h_.incumbent.push_back(IncumbentPoint{t, h_.epochs_reported, r.objective, trial.id});
    }
    note_worker(r.worker);
    // The epoch's validation ended when rank 0 got the report; training came before it.
    const double eval_begin = span(r.worker, t, r.eval_s, SpanKind::Validate, trial.id);
    span(r.worker, eval_begin, r.train_s, SpanKind::Train, trial.id);
    last_t_[r.worker] = t;
    trial.reports.push_back(std::move(r));
  }

  void on_recomputed(const JsonValue& e, double t) {
    const int worker = static_cast<int>(e.integer_or("worker", -1));
    const long long trial = trial_of(e).id;
    note_worker(worker);
    ++h_.epochs_recomputed;
    const double seconds = e.number_or("train_s", 0.0) + e.number_or("eval_s", 0.0);
    span(worker, t, seconds, SpanKind::Recompute, trial);
    last_t_[worker] = t;
  }

  void on_release(const JsonValue& e, double t) {
    TrialHistory& trial = trial_of(e);
    const int worker = static_cast<int>(e.integer_or("worker", -1));
    const std::string outcome = e.text_or("outcome", "");
    if (outcome == "paused") {
      trial.state = FinalState::Paused;
      trial.paused_at.push_back(e.integer_or("epoch", trial.epochs));
    } else if (outcome == "stopped" && e.text_or("status", "") == "Failed") {
      // Stopped for a failure the coordinator saw (a NaN or missing objective).
      trial.state = FinalState::Failed;
      trial.message = e.text_or("message", "");
    } else if (outcome == "stopped") {
      trial.state = FinalState::Stopped;
    } else if (outcome == "completed") {
      trial.state = FinalState::Completed;
    } else if (outcome == "failed") {
      trial.state = FinalState::Failed;
      trial.message = e.text_or("message", "");
    }
    trial.end_t = t;
    note_worker(worker);
    span(worker, t, e.number_or("checkpoint_s", 0.0), SpanKind::Checkpoint, trial.id);
    last_t_[worker] = t;
  }

  RunHistory& h_;
  std::map<long long, std::size_t> index_;
  std::map<int, double> last_t_;
  std::set<int> workers_;
};

bool is_blank(const std::string& line) {
  return line.find_first_not_of(" \t\r") == std::string::npos;
}

}  // namespace

const char* to_string(FinalState state) noexcept {
  switch (state) {
    case FinalState::Running:
      return "running";
    case FinalState::Paused:
      return "paused";
    case FinalState::Completed:
      return "completed";
    case FinalState::Stopped:
      return "stopped";
    case FinalState::Failed:
      return "failed";
  }
  return "unknown";
}

const char* to_string(SpanKind kind) noexcept {
  switch (kind) {
    case SpanKind::Train:
      return "train";
    case SpanKind::Validate:
      return "validate";
    case SpanKind::Checkpoint:
      return "checkpoint";
    case SpanKind::Recompute:
      return "recompute";
  }
  return "unknown";
}

long long RunHistory::count(FinalState state) const {
  return std::count_if(trials.begin(), trials.end(),
                       [state](const TrialHistory& t) { return t.state == state; });
}

const TrialHistory* RunHistory::best_trial() const {
  const TrialHistory* best = nullptr;
  for (const TrialHistory& t : trials) {
    if (!t.objective || t.state == FinalState::Failed) continue;
    if (best != nullptr) {
      const double v = sign() * *t.objective;
      const double b = sign() * *best->objective;
      if (v < b || (v == b && t.epochs <= best->epochs)) continue;
    }
    best = &t;
  }
  return best;
}

RunHistory replay_history(std::istream& in, const std::string& source) {
  RunHistory history;
  Replay replay(history);
  std::string line;
  long long line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    // getline reaches end-of-file only on a line without its newline: a write in progress or
    // a coordinator killed mid-write. Such a line is not an event yet.
    const bool is_unterminated = in.eof();
    if (is_blank(line)) continue;
    std::string error;
    std::optional<JsonValue> event = parse_json(line, &error);
    if (event && !event->is_object()) error = "not a JSON object";
    if (!event || !event->is_object()) {
      if (is_unterminated) {
        history.has_truncated_tail = true;
        break;
      }
      throw InputError(source + " line " + std::to_string(line_number) +
                       " is not a journal event (one JSON object per line): " + error);
    }
    replay.apply(*event);
  }
  if (in.bad()) throw InputError("cannot read journal " + source);
  replay.finish();
  return history;
}

RunHistory read_history(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read journal " + path);
  return replay_history(in, path);
}

}  // namespace rung::report
