#include "rung/tune/coordinator.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <sstream>

#include "rung/config/error.hpp"
#include "rung/tune/json_writer.hpp"

namespace rung {
namespace {

Verdict to_verdict(Decision d) {
  switch (d) {
    case Decision::Continue: return Verdict::Continue;
    case Decision::Pause: return Verdict::Pause;
    case Decision::Stop: return Verdict::Stop;
    case Decision::Complete: return Verdict::Complete;
  }
  return Verdict::Stop;
}

const char* outcome_name(TrialOutcome o) {
  switch (o) {
    case TrialOutcome::Paused: return "paused";
    case TrialOutcome::Stopped: return "stopped";
    case TrialOutcome::Completed: return "completed";
    case TrialOutcome::Failed: return "failed";
  }
  return "?";
}

// Short values for the console (the outputs keep full precision).
std::string short_value(const ParamValue& v) {
  if (const auto* d = std::get_if<double>(&v)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", *d);
    return buf;
  }
  return to_string(v);
}

std::string format_hp(const HyperParameters& hp) {
  std::string out;
  for (const auto& [name, v] : hp) {
    if (!out.empty()) out += ' ';
    out += name + '=' + short_value(v);
  }
  return out;
}

std::string format_time(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "[%8.1fs]", s);
  return buf;
}

std::string format_metric(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

}  // namespace

std::uint64_t trial_seed(std::uint64_t job_seed, TrialId id) {
  // SplitMix64 of (job seed, trial id): trials get unrelated streams.
  std::uint64_t z = job_seed + 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(id + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

Coordinator::Coordinator(const JobConfig& job, CoordinatorTransport& transport, Journal& journal,
                         const Clock& clock, std::ostream& console, CoordinatorOptions options)
    : job_(job),
      transport_(transport),
      journal_(journal),
      clock_(clock),
      console_(console),
      options_(options),
      scheduler_(make_scheduler(job)),
      searcher_(make_searcher(job)),
      completion_(job.completion, job.objective, job.max_parallel) {}

Trial& Coordinator::trial(TrialId id) {
  if (id < 0 || static_cast<std::size_t>(id) >= record_.trials.size()) {
    throw Error("message about unknown trial " + std::to_string(id));
  }
  return record_.trials[static_cast<std::size_t>(id)];
}

void Coordinator::journal_event(const std::string& json) { journal_.append(json); }

RunRecord Coordinator::run() {
  record_.job_name = job_.name;
  record_.rungs = scheduler_->rungs();
  record_.scheduler = scheduler_->name();
  record_.searcher = searcher_->name();
  record_.seed = job_.seed;
  record_.workers = transport_.num_workers();
  parallelism_ = std::min(job_.max_parallel, transport_.num_workers());

  {
    JsonWriter w;
    w.begin_object().key("t").value(clock_.now_s()).key("event").value("job_start");
    w.key("job").value(job_.name).key("strategy").value(to_string(job_.strategy));
    w.key("scheduler").value(record_.scheduler).key("searcher").value(record_.searcher);
    w.key("workers").value(transport_.num_workers()).key("parallelism").value(parallelism_);
    w.key("seed").value(static_cast<long long>(job_.seed));
    w.key("max_trials").value(job_.max_trials);
    w.key("min_resource").value(job_.min_resource).key("max_resource").value(job_.max_resource);
    w.key("rungs").begin_array();
    for (int r : record_.rungs) w.value(r);
    w.end_array().key("objective").value(job_.objective.metric_name);
    w.key("objective_type").value(to_string(job_.objective.type)).end_object();
    journal_event(w.str());
  }
  std::string rungs;
  for (int r : record_.rungs) rungs += (rungs.empty() ? "" : ",") + std::to_string(r);
  console_ << format_time(clock_.now_s()) << " job " << job_.name << ": " << to_string(job_.strategy)
           << " (" << record_.scheduler << ", searcher " << record_.searcher << "), "
           << job_.max_trials << " trials, " << parallelism_ << " in parallel on "
           << transport_.num_workers() << " workers, rungs at epochs " << rungs << ", seed "
           << job_.seed << std::endl;

  using SteadyClock = std::chrono::steady_clock;
  const SteadyClock::time_point loop_start = SteadyClock::now();
  std::optional<SteadyClock::time_point> received_at;  // the message being handled
  for (;;) {
    if (job_.max_runtime_s && clock_.now_s() >= *job_.max_runtime_s) {
      begin_stop(EndReason::MaxRuntimeInSecondsReached);
    }
    if (!stopping_) dispatch_idle_workers();
    const bool nothing_running = busy_workers_.empty() && awaiting_checkpoint_.empty();
    if (nothing_running && (stopping_ || !idle_workers_.empty())) break;
    const double now = clock_.now_s();
    double wait_s = last_status_s_ + options_.status_interval_s - now;
    if (job_.max_runtime_s && !stopping_) wait_s = std::min(wait_s, *job_.max_runtime_s - now);
    wait_s = std::max(0.01, wait_s);
    if (received_at) {
      // Handled, and the workers it freed have their next assignment.
      latency_us_.push_back(static_cast<float>(
          std::chrono::duration<double, std::micro>(SteadyClock::now() - *received_at).count()));
      received_at.reset();
    }
    auto msg = transport_.receive(std::chrono::milliseconds(static_cast<long>(wait_s * 1000)));
    if (msg) {
      received_at = SteadyClock::now();
      handle(*msg);
    }
    if (clock_.now_s() - last_status_s_ >= options_.status_interval_s) print_status_line();
  }
  if (received_at) {
    latency_us_.push_back(static_cast<float>(
        std::chrono::duration<double, std::micro>(SteadyClock::now() - *received_at).count()));
  }
  record_coordinator_stats(std::chrono::duration<double>(SteadyClock::now() - loop_start).count());
  if (!stopping_ && searcher_exhausted_ &&
      static_cast<int>(record_.trials.size()) < job_.max_trials) {
    record_.end_reason = EndReason::SearchSpaceExhausted;
  }
  record_.trials_not_improving = completion_.trials_not_improving();

  finish_paused_trials();
  // Workers beyond the parallelism limit still announced themselves; collect those
  // messages so none is left unmatched, then shut everyone down.
  while (workers_ready_ < transport_.num_workers()) {
    auto msg = transport_.receive(std::chrono::milliseconds(30000));
    if (!msg) break;
    if (std::holds_alternative<Ready>(msg->body)) ++workers_ready_;
  }
  for (int w = 1; w <= transport_.num_workers(); ++w) transport_.send(w, Shutdown{});

  record_.runtime_s = clock_.now_s();
  {
    JsonWriter w;
    w.begin_object().key("t").value(record_.runtime_s).key("event").value("job_end");
    w.key("reason").value(to_string(record_.end_reason)).key("trials").value(record_.trials.size());
    w.key("epochs").value(record_.total_epochs_trained).end_object();
    journal_event(w.str());
  }
  print_status_line();
  print_top_trials();
  return record_;
}

void Coordinator::dispatch_idle_workers() {
  while (!idle_workers_.empty()) {
    const int worker = *idle_workers_.begin();
    if (auto promotion = scheduler_->promote()) {
      idle_workers_.erase(worker);
      Trial& t = trial(promotion->trial);
      if (t.status == TrialStatus::Paused) {
        resume_trial(worker, *promotion);
      } else {
        // Promoted before its worker finished writing the checkpoint: hold this worker for it.
        awaiting_checkpoint_[promotion->trial] = worker;
      }
      continue;
    }
    if (searcher_exhausted_ || static_cast<int>(record_.trials.size()) >= job_.max_trials) return;
    idle_workers_.erase(worker);
    start_new_trial(worker);
  }
}

Assign Coordinator::assignment(const Trial& t, int until_epoch) const {
  Assign a;
  a.trial = t.id;
  a.name = t.name;
  // Static and tuned hyperparameters together; config forbids a name in both.
  a.hyperparameters = job_.training.static_hyperparameters;
  for (const auto& [k, v] : t.tuned) a.hyperparameters[k] = v;
  a.start_epoch = t.epochs;  // 0 for a new trial, else resume from its checkpoint
  a.until_epoch = until_epoch;
  a.seed = t.seed;
  return a;
}

void Coordinator::start_new_trial(int worker) {
  const TrialId id = static_cast<TrialId>(record_.trials.size());
  std::optional<HyperParameters> hp = searcher_->suggest(id);
  if (!hp) {
    searcher_exhausted_ = true;
    idle_workers_.insert(worker);
    return;
  }
  Trial t;
  t.id = id;
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, "-%03lld", static_cast<long long>(id + 1));
  t.name = job_.name + suffix;
  t.tuned = *hp;
  t.seed = trial_seed(job_.seed, id);
  t.start_s = clock_.now_s();
  t.worker = worker;
  record_.trials.push_back(t);
  const int until = scheduler_->on_start(id);

  JsonWriter w;
  w.begin_object().key("t").value(t.start_s).key("event").value("start");
  w.key("trial").value(static_cast<long long>(id)).key("name").value(t.name);
  w.key("worker").value(worker).key("seed").value(static_cast<long long>(t.seed));
  w.key("until").value(until).key("hyperparameters").hyperparameters_typed(t.tuned).end_object();
  journal_event(w.str());

  transport_.send(worker, assignment(record_.trials.back(), until));
  busy_workers_.insert(worker);
  console_ << format_time(t.start_s) << " start      " << t.name << " on worker " << worker << ": "
           << format_hp(t.tuned) << std::endl;
}

void Coordinator::resume_trial(int worker, const Promotion& promotion) {
  Trial& t = trial(promotion.trial);
  t.status = TrialStatus::Running;
  t.times_resumed += 1;
  t.worker = worker;
  JsonWriter w;
  w.begin_object().key("t").value(clock_.now_s()).key("event").value("promote");
  w.key("trial").value(static_cast<long long>(t.id)).key("worker").value(worker);
  w.key("from").value(t.epochs).key("until").value(promotion.until_epoch).end_object();
  journal_event(w.str());

  transport_.send(worker, assignment(t, promotion.until_epoch));
  busy_workers_.insert(worker);
  console_ << format_time(clock_.now_s()) << " promoted   " << t.name << " on worker " << worker
           << ": epoch " << t.epochs << " -> " << promotion.until_epoch << std::endl;
}

void Coordinator::record_coordinator_stats(double loop_wall_s) {
  CoordinatorStats& stats = record_.coordinator;
  stats.messages_handled = static_cast<long long>(latency_us_.size());
  stats.loop_wall_s = loop_wall_s;
  if (latency_us_.empty()) return;
  // Nearest-rank percentiles; nth_element reorders the samples, which are not needed again.
  auto percentile = [this](double q) {
    const auto n = latency_us_.size();
    const auto k = std::min(n - 1, static_cast<std::size_t>(std::ceil(q * static_cast<double>(n))) -
                                       (q > 0 ? 1 : 0));
    std::nth_element(latency_us_.begin(), latency_us_.begin() + static_cast<std::ptrdiff_t>(k),
                     latency_us_.end());
    return static_cast<double>(latency_us_[k]);
  };
  stats.decision_p50_us = percentile(0.50);
  stats.decision_p99_us = percentile(0.99);
  stats.decision_max_us = percentile(1.0);
}

void Coordinator::handle(const FromWorker& msg) {
  if (const auto* ready = std::get_if<Ready>(&msg.body)) {
    on_ready(msg.worker, *ready);
  } else if (const auto* report = std::get_if<EpochReport>(&msg.body)) {
    on_report(msg.worker, *report);
  } else {
    on_released(msg.worker, std::get<TrialReleased>(msg.body));
  }
}

void Coordinator::on_ready(int worker, const Ready& ready) {
  ++workers_ready_;
  JsonWriter w;
  w.begin_object().key("t").value(clock_.now_s()).key("event").value("worker_ready");
  w.key("worker").value(worker).key("host").value(ready.host).key("device").value(ready.device);
  w.key("used").value(worker <= parallelism_).end_object();
  journal_event(w.str());
  if (worker <= parallelism_) idle_workers_.insert(worker);
}

void Coordinator::on_report(int worker, const EpochReport& report) {
  Trial& t = trial(report.trial);
  const double now = clock_.now_s();
  EpochRecord e;
  e.epoch = report.epoch;
  e.metrics = report.metrics;
  e.train_time_s = report.train_time_s;
  e.eval_time_s = report.eval_time_s;
  e.reported_at_s = now;
  e.worker = worker;
  t.curve.push_back(e);
  t.epochs = report.epoch;
  record_.total_epochs_trained += 1;

  Decision decision = Decision::Stop;
  const auto it = report.metrics.find(job_.objective.metric_name);
  if (it == report.metrics.end()) {
    t.failure_reason = "the trainer did not report the objective metric " +
                       job_.objective.metric_name;
    scheduler_->on_failed(t.id);
  } else if (!std::isfinite(it->second)) {
    t.failure_reason = job_.objective.metric_name + " is not finite at epoch " +
                       std::to_string(report.epoch);
    scheduler_->on_failed(t.id);
  } else {
    t.objective = it->second;
    const double score = job_.objective.score(it->second);
    decision = scheduler_->on_report(t.id, report.epoch, score);
    searcher_->observe(t.id, report.epoch, score);
    if (auto reason = completion_.on_report(it->second)) begin_stop(*reason);
  }
  // A job that is ending lets no trial train on or pause for a promotion that cannot come.
  if (stopping_ && (decision == Decision::Continue || decision == Decision::Pause)) {
    decision = Decision::Stop;
    t.stop_reason = std::string("stopped at epoch ") + std::to_string(t.epochs) + ": the job is ending (" +
                    to_string(record_.end_reason) + ")";
  }

  JsonWriter w;
  w.begin_object().key("t").value(now).key("event").value("report");
  w.key("trial").value(static_cast<long long>(t.id)).key("epoch").value(report.epoch);
  w.key("worker").value(worker).key("metrics").begin_object();
  for (const auto& [k, v] : report.metrics) w.key(k).value(v);
  w.end_object().key("train_s").value(report.train_time_s).key("eval_s").value(report.eval_time_s);
  w.key("decision").value(to_string(decision)).end_object();
  journal_event(w.str());

  transport_.send(worker, DecisionMsg{t.id, report.epoch, to_verdict(decision)});
}

void Coordinator::on_released(int worker, const TrialReleased& released) {
  Trial& t = trial(released.trial);
  const double now = clock_.now_s();
  switch (released.outcome) {
    case TrialOutcome::Paused:
      t.status = TrialStatus::Paused;
      t.times_paused += 1;
      break;
    case TrialOutcome::Stopped:
      t.status = t.failure_reason.empty() ? TrialStatus::Stopped : TrialStatus::Failed;
      if (t.status == TrialStatus::Stopped && t.stop_reason.empty()) {
        t.stop_reason = "early-stopped at epoch " + std::to_string(t.epochs);
      }
      t.end_s = now;
      trial_ended(t, t.status == TrialStatus::Stopped ? TrialEnd::Stopped : TrialEnd::Failed);
      break;
    case TrialOutcome::Completed:
      t.status = TrialStatus::Completed;
      t.end_s = now;
      trial_ended(t, TrialEnd::Completed);
      break;
    case TrialOutcome::Failed:
      t.status = TrialStatus::Failed;
      t.failure_reason = released.message;
      t.end_s = now;
      scheduler_->on_failed(t.id);
      trial_ended(t, TrialEnd::Failed);
      break;
  }
  JsonWriter w;
  w.begin_object().key("t").value(now).key("event").value("release");
  w.key("trial").value(static_cast<long long>(t.id)).key("worker").value(worker);
  w.key("epoch").value(released.epoch).key("outcome").value(outcome_name(released.outcome));
  w.key("status").value(to_string(t.status));
  w.key("checkpoint_s").value(released.checkpoint_time_s);
  if (!t.failure_reason.empty()) w.key("message").value(t.failure_reason);
  w.end_object();
  journal_event(w.str());

  busy_workers_.erase(worker);
  idle_workers_.insert(worker);

  std::string objective = t.objective ? format_metric(*t.objective) : std::string("n/a");
  char verb[16];
  std::snprintf(verb, sizeof verb, "%-10s", outcome_name(released.outcome));
  console_ << format_time(now) << ' ' << verb << t.name << " at epoch " << t.epochs << ": " << job_.objective.metric_name << ' '
           << objective;
  if (t.status == TrialStatus::Failed) console_ << " (" << t.failure_reason << ")";
  console_ << std::endl;

  // A promotion that waited for this checkpoint goes ahead now on the worker held for it.
  const auto waiting = awaiting_checkpoint_.find(t.id);
  if (waiting != awaiting_checkpoint_.end()) {
    const int held = waiting->second;
    awaiting_checkpoint_.erase(waiting);
    if (t.status == TrialStatus::Paused && !stopping_) {
      const std::vector<int>& levels = record_.rungs;
      const auto next = std::upper_bound(levels.begin(), levels.end(), t.epochs);
      resume_trial(held, Promotion{t.id, next == levels.end() ? job_.max_resource : *next});
    } else {
      idle_workers_.insert(held);
    }
  }
}

void Coordinator::trial_ended(Trial& t, TrialEnd end) {
  searcher_->on_trial_end(t.id, end);
  if (end == TrialEnd::Failed || !t.objective) return;
  if (auto reason = completion_.on_trial_finished(*t.objective)) begin_stop(*reason);
}

void Coordinator::begin_stop(EndReason reason) {
  if (stopping_) return;
  stopping_ = true;
  record_.end_reason = reason;
  record_.end_decided_s = clock_.now_s();
  JsonWriter w;
  w.begin_object().key("t").value(record_.end_decided_s).key("event").value("stopping");
  w.key("reason").value(to_string(reason)).key("running").value(busy_workers_.size()).end_object();
  journal_event(w.str());
  console_ << format_time(record_.end_decided_s) << " ending the job: " << to_string(reason)
           << "; stopping " << busy_workers_.size() << " running trial(s) at their next epoch"
           << std::endl;
}

void Coordinator::finish_paused_trials() {
  for (Trial& t : record_.trials) {
    if (t.status != TrialStatus::Paused) continue;
    t.status = TrialStatus::Stopped;
    t.stop_reason = "paused at epoch " + std::to_string(t.epochs) + ", never promoted";
    t.end_s = clock_.now_s();
    searcher_->on_trial_end(t.id, TrialEnd::Stopped);
    JsonWriter w;
    w.begin_object().key("t").value(t.end_s).key("event").value("finish_paused");
    w.key("trial").value(static_cast<long long>(t.id)).key("epoch").value(t.epochs).end_object();
    journal_event(w.str());
  }
}

void Coordinator::print_status_line() {
  last_status_s_ = clock_.now_s();
  int counts[5] = {0, 0, 0, 0, 0};
  for (const Trial& t : record_.trials) counts[static_cast<int>(t.status)] += 1;
  console_ << format_time(last_status_s_) << " status: " << counts[0] << " running, " << counts[1]
           << " paused, " << counts[2] << " stopped, " << counts[3] << " completed, "
           << counts[4] << " failed; " << record_.trials.size() << '/' << job_.max_trials
           << " trials, " << record_.total_epochs_trained << " epochs";
  if (auto best = record_.best_trial(job_.objective.type == ObjectiveType::Maximize)) {
    const Trial& b = trial(*best);
    console_ << "; best " << job_.objective.metric_name << ' ' << format_metric(*b.objective)
             << " (" << b.name << ", " << b.epochs << " epochs)";
  }
  console_ << std::endl;
}

void Coordinator::print_top_trials() {
  std::vector<const Trial*> ranked;
  for (const Trial& t : record_.trials) {
    if (t.objective && t.status != TrialStatus::Failed) ranked.push_back(&t);
  }
  const bool maximize = job_.objective.type == ObjectiveType::Maximize;
  std::stable_sort(ranked.begin(), ranked.end(), [&](const Trial* a, const Trial* b) {
    const double av = maximize ? *a->objective : -*a->objective;
    const double bv = maximize ? *b->objective : -*b->objective;
    if (av != bv) return av > bv;
    return a->epochs > b->epochs;
  });
  console_ << "\nTop trials by " << job_.objective.metric_name << " ("
           << to_string(job_.objective.type) << "):\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-4s %-28s %-10s %6s %10s  %s\n", "rank", "trial", "status",
                "epochs", "objective", "hyperparameters");
  console_ << line;
  for (std::size_t i = 0; i < ranked.size() && i < 5; ++i) {
    const Trial& t = *ranked[i];
    std::snprintf(line, sizeof line, "  %-4zu %-28s %-10s %6d %10.4f  ", i + 1, t.name.c_str(),
                  to_string(t.status), t.epochs, *t.objective);
    console_ << line << format_hp(t.tuned) << '\n';
  }
  if (!ranked.empty()) {
    const Trial& best = *ranked.front();
    console_ << "\nBest configuration: " << best.name << "  " << job_.objective.metric_name << " = "
             << format_metric(*best.objective) << " after " << best.epochs << " epochs\n";
    for (const auto& [name, v] : best.tuned) console_ << "  " << name << ": " << to_string(v) << '\n';
  } else {
    console_ << "  (no trial reported the objective)\n";
  }
  console_.flush();
}

}  // namespace rung
