#include "rung/report/run_history.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>

#include "rung/config/error.hpp"
#include "rung/tune/journal_event.hpp"

namespace rung::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string number_text(double v) {
  if (std::isfinite(v) && v == std::round(v) && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<long long>(v));
  }
  return fmt::format("{:.6g}", v);
}

class Replay {
 public:
  explicit Replay(RunHistory& h) : h_(h) {}

  void apply(const JournalEvent& event) {
    ++h_.records;
    const double t = event_time(event);
    if (std::isfinite(t) && t > h_.elapsed_s) h_.elapsed_s = t;
    std::visit([this, t](const auto& e) { on(e, std::isfinite(t) ? t : 0.0); }, event);
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

  TrialHistory& trial_of(long long id) {
    const auto it = index_.find(id);
    if (it != index_.end()) return h_.trials[it->second];
    index_[id] = h_.trials.size();
    h_.trials.emplace_back();
    h_.trials.back().id = id;
    return h_.trials.back();
  }

  void on(const JobStartEvent& e, double) {
    h_.has_job_start = true;
    h_.job_name = e.job;
    h_.strategy = e.strategy;
    h_.scheduler = e.scheduler;
    h_.searcher = e.searcher;
    h_.workers = e.workers;
    h_.parallelism = e.parallelism;
    h_.seed = static_cast<long long>(e.seed);
    h_.max_trials = e.max_trials;
    h_.min_resource = e.min_resource;
    h_.max_resource = e.max_resource;
    h_.objective_metric = e.objective;
    h_.is_minimize = e.objective_type == "Minimize";
    h_.rungs.assign(e.rungs.begin(), e.rungs.end());
  }

  void on(const WorkerReadyEvent& e, double) { note_worker(e.worker); }

  void on(const StartEvent& e, double t) {
    TrialHistory& trial = trial_of(e.trial);
    trial.name = e.name;
    trial.start_t = t;
    trial.end_t = t;
    trial.first_until = e.until;
    trial.state = FinalState::Running;
    trial.hyperparameters.clear();
    for (const auto& [name, value] : e.hyperparameters) {
      HistoryValue v;
      if (const auto* text = std::get_if<std::string>(&value)) {
        v.text = *text;
      } else {
        v.is_number = true;
        v.number = std::holds_alternative<double>(value)
                       ? std::get<double>(value)
                       : static_cast<double>(std::get<std::int64_t>(value));
        v.text = number_text(v.number);
      }
      trial.hyperparameters.emplace_back(name, std::move(v));
    }
    assigned(e.worker, t);
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

  void on(const ReportEvent& e, double t) {
    TrialHistory& trial = trial_of(e.trial);
    EpochReport r;
    r.epoch = e.epoch;
    r.t = t;
    r.worker = e.worker;
    r.train_s = e.train_s;
    r.eval_s = e.eval_s;
    r.decision = to_string(e.decision);
    const auto metric = e.metrics.find(h_.objective_metric);
    r.objective = metric == e.metrics.end() ? kNaN : metric->second;
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

  void on(const RecomputedEvent& e, double t) {
    note_worker(e.worker);
    ++h_.epochs_recomputed;
    span(e.worker, t, e.train_s + e.eval_s, SpanKind::Recompute, trial_of(e.trial).id);
    last_t_[e.worker] = t;
  }

  void on(const ReleaseEvent& e, double t) {
    TrialHistory& trial = trial_of(e.trial);
    switch (e.outcome) {
      case TrialOutcome::Paused:
        trial.state = FinalState::Paused;
        trial.paused_at.push_back(e.epoch);
        break;
      case TrialOutcome::Stopped:
        // Stopped for a failure the coordinator saw (a NaN or missing objective): Failed.
        trial.state = e.status == TrialStatus::Failed ? FinalState::Failed : FinalState::Stopped;
        if (e.status == TrialStatus::Failed) trial.message = e.message;
        break;
      case TrialOutcome::Completed:
        trial.state = FinalState::Completed;
        break;
      case TrialOutcome::Failed:
        trial.state = FinalState::Failed;
        trial.message = e.message;
        break;
    }
    trial.end_t = t;
    note_worker(e.worker);
    span(e.worker, t, e.checkpoint_s, SpanKind::Checkpoint, trial.id);
    last_t_[e.worker] = t;
  }

  void on(const PromoteEvent& e, double t) {
    TrialHistory& trial = trial_of(e.trial);
    trial.state = FinalState::Running;
    trial.promoted_from.push_back(e.from);
    trial.end_t = t;
    assigned(e.worker, t);
  }

  void on(const RestartEvent& e, double t) {
    TrialHistory& trial = trial_of(e.trial);
    trial.state = FinalState::Running;
    trial.restarted_from.push_back(e.from);
    trial.end_t = t;
    assigned(e.worker, t);
  }

  void on(const SuspendingEvent& e, double t) { mark(t, "suspending", 0, e.signal); }
  void on(const SuspendEvent& e, double t) { mark(t, "suspend", e.segment, e.signal); }
  void on(const ResumeEvent& e, double t) {
    mark(t, "resume", e.segment,
         "kept " + std::to_string(e.trials) + " trials, " + std::to_string(e.epochs) +
             " epochs; restarted " + std::to_string(e.restarts));
    last_t_.clear();  // a new segment's workers start fresh
  }
  void mark(double t, const char* kind, long long segment, std::string detail) {
    SegmentMark m;
    m.t = t;
    m.kind = kind;
    m.segment = segment;
    m.detail = std::move(detail);
    h_.segment_marks.push_back(std::move(m));
  }

  // The promote event that follows a promote_pending is what moves the trial.
  void on(const PromotePendingEvent&, double) {}

  void on(const FinishPausedEvent& e, double t) {
    TrialHistory& trial = trial_of(e.trial);
    trial.state = FinalState::Stopped;
    trial.end_t = t;
  }

  void on(const StoppingEvent& e, double) {
    h_.is_stopping = true;
    h_.end_reason = to_string(e.reason);
  }

  void on(const JobEndEvent& e, double) {
    h_.has_ended = true;
    h_.end_reason = to_string(e.reason);
  }

  void on(const UnknownEvent&, double) { ++h_.unknown_events; }  // a newer rung's event kind

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
    std::optional<JournalEvent> event;
    try {
      event = parse_event(line, EventParse::Lenient);
    } catch (const Error& e) {
      if (is_unterminated) {
        history.has_truncated_tail = true;
        break;
      }
      throw InputError(source + " line " + std::to_string(line_number) +
                       " is not a journal event (one JSON object per line): " + e.what());
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
