#include "rung/tune/coordinator.hpp"

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <optional>
#include <sstream>

#include "console_format.hpp"
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

void Coordinator::journal_event(const std::string& json) {
  if (!is_replaying_) journal_.append(json);  // replayed events are in the journal already
}

void Coordinator::journal_job_start() {
  JsonWriter w;
  w.begin_object().key("t").value(now()).key("event").value("job_start");
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
  std::string rungs;
  for (int r : record_.rungs) rungs += (rungs.empty() ? "" : ",") + std::to_string(r);
  console_line() << format_time(now()) << " job " << job_.name << ": " << to_string(job_.strategy)
                 << " (" << record_.scheduler << ", searcher " << record_.searcher << "), "
                 << job_.max_trials << " trials, " << parallelism_ << " in parallel on "
                 << transport_.num_workers() << " workers, rungs at epochs " << rungs << ", seed "
                 << job_.seed << std::endl;
}

void Coordinator::resume_from(ResumePlan plan) { resume_ = std::move(plan); }

RunRecord Coordinator::run() {
  record_.job_name = job_.name;
  record_.rungs = scheduler_->rungs();
  record_.scheduler = scheduler_->name();
  record_.searcher = searcher_->name();
  record_.seed = job_.seed;
  record_.workers = transport_.num_workers();
  parallelism_ = std::min(job_.max_parallel, transport_.num_workers());

  if (resume_) {
    replay_journal();
  } else {
    journal_job_start();
  }
  if (options_.deadline_in_s) deadline_s_ = now() + *options_.deadline_in_s;

  using SteadyClock = std::chrono::steady_clock;
  const SteadyClock::time_point loop_start = SteadyClock::now();
  std::optional<SteadyClock::time_point> received_at;  // the message being handled
  for (;;) {
    if (job_.max_runtime_s && now() >= *job_.max_runtime_s) {
      begin_stop(EndReason::MaxRuntimeInSecondsReached);
    }
    if (!is_suspending_ && options_.suspend_signal != nullptr) {
      const int signal = options_.suspend_signal->load();
      if (signal != 0) begin_suspend(signal);
    }
    if (!is_suspending_ && deadline_s_ && now() >= *deadline_s_) begin_suspend(kDeadlineSignal);
    dispatch_idle_workers();
    const bool nothing_running = busy_workers_.empty() && awaiting_checkpoint_.empty();
    // Work was held back for the deadline and nothing else runs: suspend now, not later.
    if (is_held_by_deadline_ && nothing_running && !is_suspending_) begin_suspend(kDeadlineSignal);
    if (is_suspending_ && nothing_running) break;
    if (nothing_running && restarts_.empty() && (stopping_ || !idle_workers_.empty())) break;
    const double now_s = now();
    double wait_s = last_status_s_ + options_.status_interval_s - now_s;
    if (job_.max_runtime_s && !stopping_) wait_s = std::min(wait_s, *job_.max_runtime_s - now_s);
    // A suspend request is a flag, not a message: look at it a few times a second.
    if (options_.suspend_signal != nullptr && !is_suspending_) wait_s = std::min(wait_s, 0.2);
    if (deadline_s_ && !is_suspending_) wait_s = std::min(wait_s, *deadline_s_ - now_s);
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
    if (now() - last_status_s_ >= options_.status_interval_s) print_status_line();
  }
  if (received_at) {
    latency_us_.push_back(static_cast<float>(
        std::chrono::duration<double, std::micro>(SteadyClock::now() - *received_at).count()));
  }
  record_coordinator_stats(std::chrono::duration<double>(SteadyClock::now() - loop_start).count());
  if (is_suspending_) finish_suspend();
  if (!is_suspended_ && !stopping_ && searcher_exhausted_ &&
      static_cast<int>(record_.trials.size()) < job_.max_trials) {
    record_.end_reason = EndReason::SearchSpaceExhausted;
  }
  record_.trials_not_improving = completion_.trials_not_improving();

  if (!is_suspended_) finish_paused_trials();
  // Workers beyond the parallelism limit still announced themselves; collect those
  // messages so none is left unmatched, then shut everyone down.
  while (workers_ready_ < transport_.num_workers()) {
    auto msg = transport_.receive(std::chrono::milliseconds(30000));
    if (!msg) break;
    if (std::holds_alternative<Ready>(msg->body)) ++workers_ready_;
  }
  for (int w = 1; w <= transport_.num_workers(); ++w) transport_.send(w, Shutdown{});

  record_.runtime_s = now();
  record_.segment = segment_;
  if (!is_suspended_) {
    JsonWriter w;
    w.begin_object().key("t").value(record_.runtime_s).key("event").value("job_end");
    w.key("reason").value(to_string(record_.end_reason)).key("trials").value(record_.trials.size());
    w.key("epochs").value(record_.total_epochs_trained).end_object();
    journal_event(w.str());
  }
  if (recomputed_epochs_ > 0) {
    console_line() << format_time(record_.runtime_s) << " resume cost: " << recomputed_epochs_
                   << " epoch(s) trained again (trials restarted before their checkpoint); "
                   << recomputed_mismatches_ << " with metrics other than the journal's"
                   << std::endl;
  }
  print_status_line();
  if (is_bar_shown_) {  // the final bar stays on screen, ended by a newline
    console_ << '\n';
    is_bar_shown_ = false;
  }
  if (!is_suspended_) print_top_trials();
  return record_;
}

void Coordinator::dispatch_idle_workers() {
  while (!idle_workers_.empty() && !is_suspending_) {
    const int worker = *idle_workers_.begin();
    // Trials an interrupted segment left running go first: they hold the scheduler's slots.
    if (!restarts_.empty()) {
      const TrialId id = restarts_.front();
      restarts_.pop_front();
      idle_workers_.erase(worker);
      restart_trial(worker, id);
      continue;
    }
    if (stopping_ || is_held_by_deadline_) return;
    if (auto promotion = scheduler_->promote()) {
      idle_workers_.erase(worker);
      Trial& t = trial(promotion->trial);
      if (would_overrun(&t, promotion->until_epoch - t.epochs)) {
        // Held for the next segment: journaled as a promotion waiting for its worker, so a
        // resume starts it first. Nothing more is dispatched in this segment.
        is_held_by_deadline_ = true;
        held_promotions_.push_back(t.id);
        idle_workers_.insert(worker);
        JsonWriter w;
        w.begin_object().key("t").value(now()).key("event").value("promote_pending");
        w.key("trial").value(static_cast<long long>(t.id)).key("worker").value(0);
        w.key("held").value("deadline").end_object();
        journal_event(w.str());
        console_line() << format_time(now()) << " deadline: holding the promotion of " << t.name
                       << " (epochs " << t.epochs << " -> " << promotion->until_epoch
                       << ") for the next segment" << std::endl;
        return;
      }
      if (t.status == TrialStatus::Paused) {
        resume_trial(worker, *promotion);
      } else {
        // Promoted before its worker finished writing the checkpoint: hold this worker for it
        // (journaled, so that a resume replays the promotion at this point).
        awaiting_checkpoint_[promotion->trial] = worker;
        JsonWriter w;
        w.begin_object().key("t").value(now()).key("event").value("promote_pending");
        w.key("trial").value(static_cast<long long>(t.id)).key("worker").value(worker);
        w.end_object();
        journal_event(w.str());
      }
      continue;
    }
    if (searcher_exhausted_ || static_cast<int>(record_.trials.size()) >= job_.max_trials) return;
    if (would_overrun(nullptr, job_.min_resource)) {
      is_held_by_deadline_ = true;
      ++held_starts_;
      console_line() << format_time(now()) << " deadline: not starting a new trial ("
                     << job_.min_resource << " epoch(s) would end past the deadline)" << std::endl;
      return;
    }
    idle_workers_.erase(worker);
    start_new_trial(worker);
  }
}

int Coordinator::next_milestone(int epoch) const {
  const auto next = std::upper_bound(record_.rungs.begin(), record_.rungs.end(), epoch);
  return next == record_.rungs.end() ? job_.max_resource : *next;
}

Assign Coordinator::assignment(const Trial& t, int until_epoch, int start_epoch) const {
  Assign a;
  a.trial = t.id;
  a.name = t.name;
  // Static and tuned hyperparameters together; config forbids a name in both.
  a.hyperparameters = job_.training.static_hyperparameters;
  for (const auto& [k, v] : t.tuned) a.hyperparameters[k] = v;
  a.start_epoch = start_epoch;  // 0 for a new trial, else resume from its checkpoint
  a.until_epoch = until_epoch;
  a.known_epochs = t.epochs;
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
  t.start_s = now();
  t.worker = worker;
  record_.trials.push_back(t);
  const int until = scheduler_->on_start(id);

  JsonWriter w;
  w.begin_object().key("t").value(t.start_s).key("event").value("start");
  w.key("trial").value(static_cast<long long>(id)).key("name").value(t.name);
  w.key("worker").value(worker).key("seed").value(static_cast<long long>(t.seed));
  w.key("until").value(until).key("hyperparameters").hyperparameters_typed(t.tuned).end_object();
  journal_event(w.str());

  transport_.send(worker, assignment(record_.trials.back(), until, 0));
  busy_workers_.insert(worker);
  console_line() << format_time(t.start_s) << " start      " << t.name << " on worker " << worker
                 << ": " << format_hp(t.tuned) << std::endl;
}

void Coordinator::resume_trial(int worker, const Promotion& promotion) {
  Trial& t = trial(promotion.trial);
  t.status = TrialStatus::Running;
  t.times_resumed += 1;
  t.worker = worker;
  JsonWriter w;
  w.begin_object().key("t").value(now()).key("event").value("promote");
  w.key("trial").value(static_cast<long long>(t.id)).key("worker").value(worker);
  w.key("from").value(t.epochs).key("until").value(promotion.until_epoch).end_object();
  journal_event(w.str());

  // A worker that cannot load the checkpoint trains from scratch: those epochs get Continue.
  retrain_[t.id] = Retrain{t.epochs, Decision::Continue};
  transport_.send(worker, assignment(t, promotion.until_epoch, t.epochs));
  busy_workers_.insert(worker);
  console_line() << format_time(now()) << " promoted   " << t.name << " on worker " << worker
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
  w.begin_object().key("t").value(now()).key("event").value("worker_ready");
  w.key("worker").value(worker).key("host").value(ready.host).key("device").value(ready.device);
  w.key("used").value(worker <= parallelism_).end_object();
  journal_event(w.str());
  if (worker <= parallelism_) idle_workers_.insert(worker);
}

Decision Coordinator::record_report(Trial& t, int worker, int epoch,
                                    const std::map<std::string, double>& metrics, double train_s,
                                    double eval_s, double at_s) {
  EpochRecord e;
  e.epoch = epoch;
  e.metrics = metrics;
  e.train_time_s = train_s;
  e.eval_time_s = eval_s;
  e.reported_at_s = at_s;
  e.worker = worker;
  t.curve.push_back(e);
  t.epochs = epoch;
  t.worker = worker;
  record_.total_epochs_trained += 1;

  Decision decision = Decision::Stop;
  const auto it = metrics.find(job_.objective.metric_name);
  if (it == metrics.end()) {
    t.failure_reason = "the trainer did not report the objective metric " +
                       job_.objective.metric_name;
    scheduler_->on_failed(t.id);
  } else if (!std::isfinite(it->second)) {
    t.failure_reason =
        job_.objective.metric_name + " is not finite at epoch " + std::to_string(epoch);
    scheduler_->on_failed(t.id);
  } else {
    t.objective = it->second;
    const double score = job_.objective.score(it->second);
    decision = scheduler_->on_report(t.id, epoch, score);
    searcher_->observe(t.id, epoch, score);
    if (auto reason = completion_.on_report(it->second)) begin_stop(*reason);
  }
  // A job that is ending lets no trial train on or pause for a promotion that cannot come.
  if (stopping_ && (decision == Decision::Continue || decision == Decision::Pause)) {
    decision = Decision::Stop;
    t.stop_reason = std::string("stopped at epoch ") + std::to_string(t.epochs) + ": the job is ending (" +
                    to_string(record_.end_reason) + ")";
  }
  return decision;
}

void Coordinator::on_report(int worker, const EpochReport& report) {
  Trial& t = trial(report.trial);
  if (report.suspend_signal != 0 && !is_suspending_) begin_suspend(report.suspend_signal);
  const auto retrain = retrain_.find(t.id);
  if (retrain != retrain_.end()) {
    if (report.epoch <= retrain->second.through_epoch) {
      on_recomputed(worker, report, t);
      return;
    }
    retrain_.erase(retrain);
  }
  const double now_s = now();
  Decision decision = record_report(t, worker, report.epoch, report.metrics, report.train_time_s,
                                    report.eval_time_s, now_s);
  // The next epoch would end past the deadline: suspend now (this trial pauses here).
  if (decision == Decision::Continue && !is_suspending_ && would_overrun(&t, 1)) {
    begin_suspend(kDeadlineSignal);
  }
  // Suspending: a trial the scheduler lets go on is checkpointed instead; the scheduler's own
  // decision is journaled, so a resume continues the trial from here as if nothing happened.
  const bool is_paused_for_suspend = is_suspending_ && decision == Decision::Continue;

  JsonWriter w;
  w.begin_object().key("t").value(now_s).key("event").value("report");
  w.key("trial").value(static_cast<long long>(t.id)).key("epoch").value(report.epoch);
  w.key("worker").value(worker).key("metrics").begin_object();
  for (const auto& [k, v] : report.metrics) w.key(k).value(v);
  w.end_object().key("train_s").value(report.train_time_s).key("eval_s").value(report.eval_time_s);
  w.key("decision").value(to_string(decision));
  if (is_paused_for_suspend) w.key("suspend").value(true);
  w.end_object();
  journal_event(w.str());

  if (is_paused_for_suspend) suspend_paused_.insert(t.id);
  transport_.send(worker,
                  DecisionMsg{t.id, report.epoch,
                              is_paused_for_suspend ? Verdict::Pause : to_verdict(decision)});
}

void Coordinator::on_recomputed(int worker, const EpochReport& report, Trial& t) {
  const Retrain retrain = retrain_.at(t.id);
  const EpochRecord& journaled = t.curve.at(static_cast<std::size_t>(report.epoch - 1));
  // Training is deterministic per seed: the same epoch must give the same metrics.
  std::string mismatch;
  for (const auto& [name, value] : journaled.metrics) {
    const auto again = report.metrics.find(name);
    const bool same = again != report.metrics.end() &&
                      (again->second == value || (std::isnan(value) && std::isnan(again->second)));
    if (!same && mismatch.empty()) {
      mismatch =
          name + " " + format_metric(value) + " in the journal, " +
          (again == report.metrics.end() ? std::string("missing") : format_metric(again->second)) +
          " now";
    }
  }
  const Decision decision =
      report.epoch < retrain.through_epoch ? Decision::Continue : retrain.at_end;
  if (report.epoch >= retrain.through_epoch) retrain_.erase(t.id);
  const bool is_paused_for_suspend = is_suspending_ && decision == Decision::Continue;
  ++recomputed_epochs_;
  JsonWriter w;
  w.begin_object().key("t").value(now()).key("event").value("recomputed");
  w.key("trial").value(static_cast<long long>(t.id)).key("epoch").value(report.epoch);
  w.key("worker").value(worker).key("train_s").value(report.train_time_s);
  w.key("eval_s").value(report.eval_time_s).key("matches").value(mismatch.empty());
  w.key("decision").value(to_string(decision));
  if (is_paused_for_suspend) w.key("suspend").value(true);
  w.end_object();
  journal_event(w.str());
  if (!mismatch.empty()) {
    ++recomputed_mismatches_;
    console_line() << format_time(now()) << " warning: " << t.name << " epoch " << report.epoch
                   << " trained again differs from the journal (" << mismatch
                   << "); the journal's result is kept" << std::endl;
  }
  if (is_paused_for_suspend) suspend_paused_.insert(t.id);
  t.worker = worker;
  transport_.send(worker,
                  DecisionMsg{t.id, report.epoch,
                              is_paused_for_suspend ? Verdict::Pause : to_verdict(decision)});
}

void Coordinator::record_release(Trial& t, TrialOutcome outcome, const std::string& message,
                                 double at_s) {
  switch (outcome) {
    case TrialOutcome::Paused:
      t.status = TrialStatus::Paused;
      t.times_paused += 1;
      break;
    case TrialOutcome::Stopped:
      t.status = t.failure_reason.empty() ? TrialStatus::Stopped : TrialStatus::Failed;
      if (t.status == TrialStatus::Stopped && t.stop_reason.empty()) {
        t.stop_reason = "early-stopped at epoch " + std::to_string(t.epochs);
      }
      t.end_s = at_s;
      trial_ended(t, t.status == TrialStatus::Stopped ? TrialEnd::Stopped : TrialEnd::Failed);
      break;
    case TrialOutcome::Completed:
      t.status = TrialStatus::Completed;
      t.end_s = at_s;
      trial_ended(t, TrialEnd::Completed);
      break;
    case TrialOutcome::Failed:
      t.status = TrialStatus::Failed;
      t.failure_reason = message;
      t.end_s = at_s;
      scheduler_->on_failed(t.id);
      trial_ended(t, TrialEnd::Failed);
      break;
  }
}

void Coordinator::journal_release(const Trial& t, int worker, int epoch, TrialOutcome outcome,
                                  double checkpoint_s, const char* why) {
  JsonWriter w;
  w.begin_object().key("t").value(now()).key("event").value("release");
  w.key("trial").value(static_cast<long long>(t.id)).key("worker").value(worker);
  w.key("epoch").value(epoch).key("outcome").value(outcome_name(outcome));
  w.key("status").value(to_string(t.status));
  w.key("checkpoint_s").value(checkpoint_s);
  if (!t.failure_reason.empty()) w.key("message").value(t.failure_reason);
  if (why != nullptr) w.key("why").value(why);
  w.end_object();
  journal_event(w.str());
}

void Coordinator::on_released(int worker, const TrialReleased& released) {
  Trial& t = trial(released.trial);
  const double now_s = now();
  retrain_.erase(t.id);
  const bool is_suspend_pause =
      released.outcome == TrialOutcome::Paused && suspend_paused_.count(t.id) > 0;
  if (is_suspend_pause) {
    // Checkpointed for the suspension: the scheduler still counts it as running, and a resume
    // continues it from this checkpoint.
    t.status = TrialStatus::Paused;
  } else {
    record_release(t, released.outcome, released.message, now_s);
  }
  journal_release(t, worker, released.epoch, released.outcome, released.checkpoint_time_s,
                  is_suspend_pause ? "suspend" : nullptr);
  busy_workers_.erase(worker);
  idle_workers_.insert(worker);

  std::string objective = t.objective ? format_metric(*t.objective) : std::string("n/a");
  char verb[16];
  std::snprintf(verb, sizeof verb, "%-10s", outcome_name(released.outcome));
  console_line() << format_time(now_s) << ' ' << verb << t.name << " at epoch " << t.epochs << ": "
                 << job_.objective.metric_name << ' ' << objective;
  if (t.status == TrialStatus::Failed) console_ << " (" << t.failure_reason << ")";
  console_ << std::endl;

  // A promotion that waited for this checkpoint goes ahead now on the worker held for it.
  const auto waiting = awaiting_checkpoint_.find(t.id);
  if (waiting != awaiting_checkpoint_.end()) {
    const int held = waiting->second;
    awaiting_checkpoint_.erase(waiting);
    if (t.status == TrialStatus::Paused && !stopping_ && !is_suspending_) {
      resume_trial(held, Promotion{t.id, next_milestone(t.epochs)});
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
  record_.end_decided_s = now();
  JsonWriter w;
  w.begin_object().key("t").value(record_.end_decided_s).key("event").value("stopping");
  w.key("reason").value(to_string(reason)).key("running").value(busy_workers_.size()).end_object();
  journal_event(w.str());
  if (is_replaying_) return;
  console_line() << format_time(record_.end_decided_s) << " ending the job: " << to_string(reason)
                 << "; stopping " << busy_workers_.size() << " running trial(s) at their next epoch"
                 << std::endl;
}

void Coordinator::finish_paused_trials() {
  for (Trial& t : record_.trials) {
    if (t.status != TrialStatus::Paused) continue;
    t.status = TrialStatus::Stopped;
    t.stop_reason = "paused at epoch " + std::to_string(t.epochs) + ", never promoted";
    t.end_s = now();
    searcher_->on_trial_end(t.id, TrialEnd::Stopped);
    JsonWriter w;
    w.begin_object().key("t").value(t.end_s).key("event").value("finish_paused");
    w.key("trial").value(static_cast<long long>(t.id)).key("epoch").value(t.epochs).end_object();
    journal_event(w.str());
  }
}

}  // namespace rung
