// Coordinator: the event loop and the live events (a worker's message, an idle worker).
#include "rung/tune/coordinator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "console_format.hpp"
#include "rung/config/error.hpp"
#include "rung/config/seed_mix.hpp"

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

std::string trial_name(const std::string& job, TrialId id) {
  return fmt::format("{}-{:03}", job, id + 1);
}

}  // namespace

std::uint64_t trial_seed(std::uint64_t job_seed, TrialId id) {
  // Trials get unrelated streams.
  return mix_seed(job_seed + kSeedStep * static_cast<std::uint64_t>(id + 1));
}

Coordinator::Coordinator(const JobConfig& job, CoordinatorParts parts, CoordinatorOptions options)
    : job_(job),
      scheduler_(std::move(parts.scheduler)),
      searcher_(std::move(parts.searcher)),
      transport_(parts.transport),
      journal_(parts.journal),
      clock_(parts.clock),
      console_(parts.console, job, options.is_terminal),
      options_(options),
      completion_(job.completion, job.objective, job.max_parallel) {
  state_.objective_metric = job.objective.metric_name;
}

void Coordinator::resume_from(ResumePlan plan) { resume_ = std::move(plan); }

void Coordinator::commit(const JournalEvent& event) {
  journal_.append(to_json(event));
  state_.apply(event);
}

void Coordinator::send(int worker, ToWorker msg) { outbox_.emplace_back(worker, std::move(msg)); }

void Coordinator::deliver() {
  journal_.commit();  // every event is on disk before a worker acts on it
  for (auto& [worker, msg] : outbox_) transport_.send(worker, msg);
  outbox_.clear();
}

RunRecord Coordinator::run() {
  RunRecord& record = state_.record;
  record.job_name = job_.name;
  record.rungs = scheduler_->rungs();
  record.scheduler = scheduler_->name();
  record.searcher = searcher_->name();
  record.seed = job_.seed;
  record.workers = transport_.num_workers();
  parallelism_ = std::min(job_.max_parallel, transport_.num_workers());
  if (resume_) {
    replay_journal();
    begin_segment();
  } else {
    journal_job_start();
  }
  if (options_.deadline_in_s) deadline_ = DeadlinePolicy(now() + *options_.deadline_in_s);

  using SteadyClock = std::chrono::steady_clock;
  const SteadyClock::time_point loop_start = SteadyClock::now();
  std::vector<SteadyClock::time_point> arrivals;  // of the messages handled since the last sync
  for (;;) {
    check_limits();
    dispatch_idle_workers();
    // Work was held back for the deadline and nothing else runs: suspend now, not later.
    if (deadline_.is_holding() && !is_suspending_ && busy_workers_.empty() &&
        held_workers_.empty()) {
      begin_suspend(kDeadlineSignal);
    }
    deliver();
    const SteadyClock::time_point delivered = SteadyClock::now();
    for (const SteadyClock::time_point& at : arrivals) {
      latency_us_.push_back(
          static_cast<float>(std::chrono::duration<double, std::micro>(delivered - at).count()));
    }
    arrivals.clear();
    if (is_done()) break;
    // The messages that arrived together are handled as one batch, then synced once.
    auto msg = transport_.receive(std::chrono::milliseconds(static_cast<long>(wait_s() * 1000)));
    bool is_drained = true;
    while (msg) {
      if (hear(*msg)) {
        arrivals.push_back(SteadyClock::now());
        handle(*msg);
        if (static_cast<int>(arrivals.size()) >= options_.max_batch) {
          is_drained = false;
          break;
        }
      }
      msg = transport_.receive(std::chrono::milliseconds(0));
    }
    // Only with nothing left unread: a busy coordinator has not heard what is waiting.
    if (is_drained) give_up_silent_workers();
    if (now() - console_.last_status_s() >= options_.status_interval_s) {
      console_.status(record, now());
    }
  }
  record_coordinator_stats(std::chrono::duration<double>(SteadyClock::now() - loop_start).count());
  finish_run();
  return record;
}

void Coordinator::check_limits() {
  if (job_.max_runtime_s && now() >= *job_.max_runtime_s) {
    begin_stop(EndReason::MaxRuntimeInSecondsReached);
  }
  if (!is_suspending_ && options_.suspend_signal != nullptr) {
    const int signal = options_.suspend_signal->load();
    if (signal != 0) begin_suspend(signal);
  }
  if (!is_suspending_ && deadline_.has_passed(now())) begin_suspend(kDeadlineSignal);
}

bool Coordinator::is_done() const {
  const bool nothing_running = busy_workers_.empty() && held_workers_.empty();
  if (is_suspending_) return nothing_running;
  return nothing_running && restarts_.empty() &&
         (state_.is_stopping || !idle_workers_.empty());
}

double Coordinator::wait_s() const {
  const double now_s = now();
  double wait = console_.last_status_s() + options_.status_interval_s - now_s;
  if (job_.max_runtime_s && !state_.is_stopping) wait = std::min(wait, *job_.max_runtime_s - now_s);
  // A suspend request is a flag, not a message: look at it a few times a second.
  if (options_.suspend_signal != nullptr && !is_suspending_) wait = std::min(wait, 0.2);
  if (options_.worker_timeout_s) wait = std::min(wait, *options_.worker_timeout_s / 10);
  if (deadline_.deadline_s() && !is_suspending_) wait = std::min(wait, *deadline_.deadline_s() - now_s);
  return std::max(0.01, wait);
}

void Coordinator::finish_run() {
  RunRecord& record = state_.record;
  if (is_suspending_) finish_suspend();
  EndReason end = record.end_reason;
  if (!is_suspended_ && !state_.is_stopping && searcher_exhausted_ &&
      static_cast<int>(record.trials.size()) < job_.max_trials) {
    end = EndReason::SearchSpaceExhausted;
  }
  record.trials_not_improving = completion_.trials_not_improving();
  if (!is_suspended_) finish_paused_trials();
  // Workers beyond the parallelism limit still announced themselves; collect those
  // messages so none is left unmatched (for at most 30 s: heartbeats keep coming), then shut
  // everyone down.
  const auto collect_until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (workers_ready_ < transport_.num_workers()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        collect_until - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    auto msg = transport_.receive(left);
    if (!msg) break;
    if (lost_workers_.count(msg->worker) == 0 && std::holds_alternative<Ready>(msg->body)) {
      ++workers_ready_;
    }
  }
  record.runtime_s = now();
  record.segment = state_.segment;
  if (!is_suspended_) {
    commit(JobEndEvent{record.runtime_s, end, static_cast<int>(record.trials.size()),
                       record.total_epochs_trained});
  }
  for (int w = 1; w <= transport_.num_workers(); ++w) {
    if (lost_workers_.count(w) == 0) send(w, Shutdown{});
  }
  deliver();
  if (recomputed_epochs_ > 0) {
    console_.line() << format_time(record.runtime_s) << " resume cost: " << recomputed_epochs_
                    << " epoch(s) trained again (trials restarted before their checkpoint); "
                    << recomputed_mismatches_ << " with metrics other than the journal's"
                    << std::endl;
  }
  console_.status(record, now());
  console_.end_bar();  // the final bar stays on screen, ended by a newline
  if (!is_suspended_) console_.top_trials(record);
}

bool Coordinator::hear(const FromWorker& msg) {
  const bool is_heartbeat = std::holds_alternative<Heartbeat>(msg.body);
  if (lost_workers_.count(msg.worker) > 0) {
    if (!is_heartbeat) {
      console_.line() << format_time(now()) << " ignored    a message from worker " << msg.worker
                      << ", given up earlier" << std::endl;
    }
    return false;
  }
  if (options_.worker_timeout_s) last_heard_[msg.worker] = std::chrono::steady_clock::now();
  return !is_heartbeat;
}

void Coordinator::handle(const FromWorker& msg) {
  if (const auto* ready = std::get_if<Ready>(&msg.body)) {
    on_ready(msg.worker, *ready);
  } else if (const auto* report = std::get_if<EpochReport>(&msg.body)) {
    on_report(msg.worker, *report);
  } else if (const auto* released = std::get_if<TrialReleased>(&msg.body)) {
    on_released(msg.worker, *released);
  }
}

void Coordinator::give_up_silent_workers() {
  if (!options_.worker_timeout_s) return;
  const auto at = std::chrono::steady_clock::now();
  std::vector<std::pair<int, double>> silent;
  for (const auto& [worker, heard] : last_heard_) {
    const double silent_s = std::chrono::duration<double>(at - heard).count();
    if (silent_s > *options_.worker_timeout_s) silent.emplace_back(worker, silent_s);
  }
  for (const auto& [worker, silent_s] : silent) lose_worker(worker, silent_s);
}

void Coordinator::lose_worker(int worker, double silent_s) {
  lost_workers_.insert(worker);
  last_heard_.erase(worker);
  used_workers_.erase(worker);
  idle_workers_.erase(worker);
  const std::string why =
      fmt::format("worker {} sent nothing for {:.0f} s (rung.worker_timeout_s {:g}): its rank is "
                  "given up",
                  worker, silent_s, *options_.worker_timeout_s);
  console_.line() << format_time(now()) << " lost       " << why << "; "
                  << used_workers_.size() << " worker(s) left" << std::endl;
  if (busy_workers_.count(worker) > 0) {
    const auto& trials = state_.record.trials;
    const auto running = std::find_if(trials.begin(), trials.end(), [worker](const Trial& t) {
      return t.status == TrialStatus::Running && t.worker == worker;
    });
    if (running != trials.end()) {
      on_released(worker, TrialReleased{running->id, running->epochs, TrialOutcome::Failed, why, 0.0},
                  "worker lost");
    }
    busy_workers_.erase(worker);
    idle_workers_.erase(worker);
  }
  // A promotion this worker was held for goes to whichever worker is free first.
  for (auto& [trial, held] : held_workers_) {
    if (held == worker) held = 0;
  }
  if (used_workers_.empty() && !is_suspending_) begin_suspend(kWorkersLostSignal);
}

void Coordinator::dispatch_idle_workers() {
  while (!idle_workers_.empty() && !is_suspending_) {
    const int worker = *idle_workers_.begin();
    // Trials an interrupted segment left running go first: they hold the scheduler's slots.
    if (!restarts_.empty()) {
      const TrialRestart restart = restarts_.front();
      restarts_.pop_front();
      idle_workers_.erase(worker);
      restart_trial(worker, restart);
      continue;
    }
    if (state_.is_stopping || deadline_.is_holding()) return;
    if (!unheld_promotions_.empty()) {
      const TrialId id = unheld_promotions_.front();
      unheld_promotions_.pop_front();
      idle_workers_.erase(worker);
      resume_trial(worker, id, next_milestone(trial(id).epochs));
      continue;
    }
    if (auto promotion = scheduler_->promote()) {
      idle_workers_.erase(worker);
      if (!promote(worker, *promotion)) return;
      continue;
    }
    if (searcher_exhausted_ || static_cast<int>(state_.record.trials.size()) >= job_.max_trials) {
      return;
    }
    if (deadline_.would_overrun(state_.record, nullptr, job_.min_resource, now())) {
      deadline_.hold_start();
      console_.line() << format_time(now()) << " deadline: not starting a new trial ("
                      << job_.min_resource << " epoch(s) would end past the deadline)"
                      << std::endl;
      return;
    }
    idle_workers_.erase(worker);
    start_new_trial(worker);
  }
}

bool Coordinator::promote(int worker, const Promotion& promotion) {
  Trial& t = trial(promotion.trial);
  if (deadline_.would_overrun(state_.record, &t, promotion.until_epoch - t.epochs, now())) {
    // Held for the next segment: journaled as a promotion waiting for its worker, so a
    // resume starts it first. Nothing more is dispatched in this segment.
    deadline_.hold_promotion(t.id);
    idle_workers_.insert(worker);
    commit(PromotePendingEvent{now(), t.id, 0, "deadline"});
    console_.line() << format_time(now()) << " deadline: holding the promotion of " << t.name
                    << " (epochs " << t.epochs << " -> " << promotion.until_epoch
                    << ") for the next segment" << std::endl;
    return false;
  }
  if (t.status == TrialStatus::Paused) {
    resume_trial(worker, t.id, promotion.until_epoch);
  } else {
    // Promoted before its worker finished writing the checkpoint: hold this worker for it
    // (journaled, so that a resume replays the promotion at this point).
    held_workers_[t.id] = worker;
    commit(PromotePendingEvent{now(), t.id, worker, ""});
  }
  return true;
}

int Coordinator::next_milestone(int epoch) const {
  const std::vector<int>& rungs = state_.record.rungs;
  const auto next = std::upper_bound(rungs.begin(), rungs.end(), epoch);
  return next == rungs.end() ? job_.max_resource : *next;
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
  const auto id = static_cast<TrialId>(state_.record.trials.size());
  auto decided = decide_start(id);
  if (!decided) {
    searcher_exhausted_ = true;
    idle_workers_.insert(worker);
    return;
  }
  commit(StartEvent{now(), id, trial_name(job_.name, id), worker, trial_seed(job_.seed, id),
                    decided->second, std::move(decided->first)});
  const Trial& t = trial(id);
  send(worker, assignment(t, decided->second, 0));
  busy_workers_.insert(worker);
  console_.line() << format_time(t.start_s) << " start      " << t.name << " on worker " << worker
                  << ": " << format_hp(t.tuned) << std::endl;
}

void Coordinator::resume_trial(int worker, TrialId id, int until_epoch) {
  Trial& t = trial(id);
  commit(PromoteEvent{now(), id, worker, t.epochs, until_epoch});
  // A worker that cannot load the checkpoint trains from scratch: those epochs get Continue.
  retrain_[id] = TrialRestart{id, 0, t.epochs, Decision::Continue, false};
  send(worker, assignment(t, until_epoch, t.epochs));
  busy_workers_.insert(worker);
  console_.line() << format_time(now()) << " promoted   " << t.name << " on worker " << worker
                  << ": epoch " << t.epochs << " -> " << until_epoch << std::endl;
}

void Coordinator::on_ready(int worker, const Ready& ready) {
  ++workers_ready_;
  const bool is_used = worker <= parallelism_;
  commit(WorkerReadyEvent{now(), worker, ready.host, ready.device, is_used});
  if (is_used) {
    idle_workers_.insert(worker);
    used_workers_.insert(worker);
  }
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
  if (report.epoch != t.epochs + 1) {
    throw Error("worker " + std::to_string(worker) + " reported epoch " +
                std::to_string(report.epoch) + " of " + t.name + ", which has " +
                std::to_string(t.epochs) + " epochs: not the next one");
  }
  const double now_s = now();
  const ReportVerdict verdict = decide_report(t, report.epoch, report.metrics);
  if (verdict.ends_job) begin_stop(*verdict.ends_job);
  const Decision decision = ending_adjusted(verdict.decision);
  // The next epoch would end past the deadline: suspend now (this trial pauses here).
  if (decision == Decision::Continue && !is_suspending_ &&
      deadline_.would_overrun(state_.record, &t, 1, now_s,
                              report.train_time_s + report.eval_time_s)) {
    begin_suspend(kDeadlineSignal);
  }
  // Suspending: a trial the scheduler lets go on is checkpointed instead; the scheduler's own
  // decision is journaled, so a resume continues the trial from here as if nothing happened.
  const bool is_paused_for_suspend = is_suspending_ && decision == Decision::Continue;
  commit(ReportEvent{now_s, t.id, report.epoch, worker, report.metrics, report.train_time_s,
                     report.eval_time_s, decision, is_paused_for_suspend});
  send(worker, DecisionMsg{t.id, report.epoch,
                           is_paused_for_suspend ? Verdict::Pause : to_verdict(decision)});
}

void Coordinator::on_recomputed(int worker, const EpochReport& report, Trial& t) {
  const TrialRestart retrain = retrain_.at(t.id);
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
  commit(RecomputedEvent{now(), t.id, report.epoch, worker, report.train_time_s,
                         report.eval_time_s, mismatch.empty(), decision, is_paused_for_suspend});
  if (!mismatch.empty()) {
    ++recomputed_mismatches_;
    console_.line() << format_time(now()) << " warning: " << t.name << " epoch " << report.epoch
                    << " trained again differs from the journal (" << mismatch
                    << "); the journal's result is kept" << std::endl;
  }
  send(worker, DecisionMsg{t.id, report.epoch,
                           is_paused_for_suspend ? Verdict::Pause : to_verdict(decision)});
}

void Coordinator::release(Trial& t, int worker, int epoch, TrialOutcome outcome,
                          double checkpoint_s, const std::string& message, const char* why) {
  const bool is_suspend_pause =
      outcome == TrialOutcome::Paused && state_.suspend_paused.count(t.id) > 0;
  if (auto reason = decide_release(t, outcome, is_suspend_pause)) begin_stop(*reason);
  ReleaseEvent e{now(),
                 t.id,
                 worker,
                 epoch,
                 outcome,
                 status_after_release(t, outcome, is_suspend_pause),
                 checkpoint_s,
                 outcome == TrialOutcome::Failed ? message : t.failure_reason,
                 is_suspend_pause ? "suspend" : (why != nullptr ? why : "")};
  commit(e);
}

void Coordinator::on_released(int worker, const TrialReleased& released, const char* why) {
  Trial& t = trial(released.trial);
  retrain_.erase(t.id);
  release(t, worker, released.epoch, released.outcome, released.checkpoint_time_s,
          released.message, why);
  busy_workers_.erase(worker);
  idle_workers_.insert(worker);

  const std::string objective = t.objective ? format_metric(*t.objective) : std::string("n/a");
  console_.line() << format_time(now()) << ' '
                  << fmt::format("{:<10}", journal_name(released.outcome)) << t.name
                  << " at epoch " << t.epochs
                  << ": " << job_.objective.metric_name << ' ' << objective;
  if (t.status == TrialStatus::Failed) console_.line() << " (" << t.failure_reason << ")";
  console_.line() << std::endl;

  // A promotion that waited for this checkpoint goes ahead now on the worker held for it.
  const auto held = held_workers_.find(t.id);
  if (held != held_workers_.end()) {
    const int held_worker = held->second;  // 0: the held worker was given up
    held_workers_.erase(held);
    if (t.status == TrialStatus::Paused && !state_.is_stopping && !is_suspending_) {
      if (held_worker == 0) {
        unheld_promotions_.push_back(t.id);
      } else {
        resume_trial(held_worker, t.id, next_milestone(t.epochs));
      }
    } else if (held_worker != 0) {
      idle_workers_.insert(held_worker);
    }
  }
}

void Coordinator::begin_stop(EndReason reason) {
  if (state_.is_stopping) return;
  commit(StoppingEvent{now(), reason, static_cast<int>(busy_workers_.size())});
  console_.line() << format_time(state_.record.end_decided_s) << " ending the job: "
                  << to_string(reason) << "; stopping " << busy_workers_.size()
                  << " running trial(s) at their next epoch" << std::endl;
}

void Coordinator::finish_paused_trials() {
  for (Trial& t : state_.record.trials) {
    if (t.status != TrialStatus::Paused) continue;
    searcher_->on_trial_end(t.id, TrialEnd::Stopped);
    commit(FinishPausedEvent{now(), t.id, t.epochs});
  }
}

void Coordinator::record_coordinator_stats(double loop_wall_s) {
  CoordinatorStats& stats = state_.record.coordinator;
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

}  // namespace rung
