// Coordinator, segments: the job's start, a resume (the journal replayed through the same
// decisions and checked against them, then the interrupted trials restarted), and a
// suspension on a signal or the deadline.
#include <chrono>
#include <csignal>
#include <type_traits>

#include "console_format.hpp"
#include "rung/config/error.hpp"
#include "rung/tune/coordinator.hpp"

namespace rung {
namespace {

// The name journaled and printed for what asked for a suspension.
const char* signal_name(int signal) {
  switch (signal) {
    case kDeadlineSignal: return "deadline";
    case kWorkersLostSignal: return "workers lost";
    case SIGUSR1: return "SIGUSR1";
    case SIGTERM: return "SIGTERM";
    default: return "signal";
  }
}

// Whether a journaled hyperparameter is the value the searcher suggests again. Numbers
// compare by value: earlier versions wrote a whole real without its point.
bool same_value(const ParamValue& journaled, const ParamValue& suggested) {
  if (std::holds_alternative<std::string>(journaled) ||
      std::holds_alternative<std::string>(suggested)) {
    return journaled == suggested;
  }
  const auto as_double = [](const ParamValue& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
    return std::get<double>(v);
  };
  return as_double(journaled) == as_double(suggested);
}

std::string hp_difference(const HyperParameters& journaled, const HyperParameters& suggested) {
  if (journaled.size() != suggested.size()) {
    return "it suggests " + std::to_string(suggested.size()) + " hyperparameters";
  }
  for (const auto& [name, value] : suggested) {
    const auto it = journaled.find(name);
    if (it == journaled.end() || !same_value(it->second, value)) {
      return name + " = " + to_string(value) + " now, " +
             (it == journaled.end() ? std::string("absent") : to_string(it->second)) +
             " in the journal";
    }
  }
  return "";
}

}  // namespace

void Coordinator::journal_job_start() {
  const RunRecord& record = state_.record;
  commit(JobStartEvent{now(), job_.name, to_string(job_.strategy), record.scheduler,
                       record.searcher, transport_.num_workers(), parallelism_, job_.seed,
                       job_.max_trials, job_.min_resource, job_.max_resource, record.rungs,
                       job_.objective.metric_name, to_string(job_.objective.type)});
  std::string rungs;
  for (int r : record.rungs) rungs += (rungs.empty() ? "" : ",") + std::to_string(r);
  console_.line() << format_time(now()) << " job " << job_.name << ": "
                  << to_string(job_.strategy) << " (" << record.scheduler << ", searcher "
                  << record.searcher << "), " << job_.max_trials << " trials, " << parallelism_
                  << " in parallel on " << transport_.num_workers()
                  << " workers, rungs at epochs " << rungs << ", seed " << job_.seed
                  << std::endl;
}

void Coordinator::replay_journal() {
  const ResumePlan& plan = *resume_;
  const std::string source = plan.journal_path.empty() ? "the journal" : plan.journal_path;
  const auto replay_start = std::chrono::steady_clock::now();
  std::size_t index = 0;
  try {
    for (; index < plan.events.size(); ++index) {
      const JournalEvent event = parse_event(plan.events[index]);
      const double at_s = event_time(event);
      if (std::isfinite(at_s)) time_offset_s_ = std::max(time_offset_s_, at_s);
      replay(event);
    }
  } catch (const std::exception& e) {
    throw Error("cannot resume from " + source + " (record " + std::to_string(index + 1) +
                "): " + e.what());
  }
  replay_ms_ =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - replay_start)
          .count();
}

// Decides each event again as the live run did, checks the decision against the journal's,
// and applies the event.
void Coordinator::replay(const JournalEvent& event) {
  std::visit(
      [this, &event](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, JobStartEvent>) {
          if (e.seed != job_.seed) {
            throw Error("the journal's seed " + std::to_string(e.seed) + " is not the job's " +
                        std::to_string(job_.seed));
          }
          state_.apply(event);
        } else if constexpr (std::is_same_v<E, StartEvent>) {
          if (e.trial != static_cast<TrialId>(state_.record.trials.size())) {
            throw Error("trial " + std::to_string(e.trial) + " starts out of order");
          }
          auto decided = decide_start(e.trial);
          const std::string diff = decided ? hp_difference(e.hyperparameters, decided->first)
                                           : "the searcher has nothing left to suggest";
          if (!diff.empty()) {
            throw Error("the searcher does not re-suggest trial " + e.name +
                        "'s hyperparameters (" + diff +
                        "): the job's search space or rung's searcher changed since the run "
                        "began");
          }
          if (e.seed != trial_seed(job_.seed, e.trial)) {
            throw Error("trial " + e.name + "'s seed differs from the journal's");
          }
          if (decided->second != e.until) {
            throw Error("the scheduler gives trial " + e.name + " its first milestone at epoch " +
                        std::to_string(decided->second) + ", the journal at " +
                        std::to_string(e.until));
          }
          StartEvent typed = e;  // the searcher's values, kinds included
          typed.hyperparameters = std::move(decided->first);
          state_.apply(typed);
        } else if constexpr (std::is_same_v<E, ReportEvent>) {
          const Trial& t = trial(e.trial);
          if (e.epoch != t.epochs + 1) {
            throw Error("trial " + t.name + " reports epoch " + std::to_string(e.epoch) +
                        " after " + std::to_string(t.epochs));
          }
          // The criteria end the job again here; the journal's `stopping` came before.
          const Decision decision = ending_adjusted(decide_report(t, e.epoch, e.metrics).decision);
          if (decision != e.decision) {
            throw Error("the scheduler decides " + std::string(to_string(decision)) + " for " +
                        t.name + " at epoch " + std::to_string(e.epoch) +
                        ", the journal recorded " + to_string(e.decision) +
                        ": the job or rung's scheduler changed since the run began");
          }
          state_.apply(event);
        } else if constexpr (std::is_same_v<E, ReleaseEvent>) {
          const Trial& t = trial(e.trial);
          const bool is_suspend_pause =
              e.outcome == TrialOutcome::Paused && state_.suspend_paused.count(t.id) > 0;
          (void)decide_release(t, e.outcome, is_suspend_pause);
          state_.apply(event);
        } else if constexpr (std::is_same_v<E, PromotePendingEvent> ||
                             std::is_same_v<E, PromoteEvent>) {
          // A promote that follows its promote_pending was decided then.
          const bool is_decided = std::is_same_v<E, PromoteEvent> &&
                                  state_.pending_promotions.count(e.trial) > 0;
          if (!is_decided) {
            const std::optional<Promotion> promotion = scheduler_->promote();
            if (!promotion || promotion->trial != e.trial) {
              throw Error("the scheduler promotes " +
                          (promotion ? trial(promotion->trial).name : std::string("no trial")) +
                          " where the journal promoted " + trial(e.trial).name);
            }
          }
          state_.apply(event);
        } else if constexpr (std::is_same_v<E, FinishPausedEvent>) {
          searcher_->on_trial_end(e.trial, TrialEnd::Stopped);
          state_.apply(event);
        } else if constexpr (std::is_same_v<E, JobEndEvent>) {
          throw Error("the run has ended (job_end): there is nothing to resume");
        } else {
          state_.apply(event);  // no decision to check
        }
      },
      event);
}

void Coordinator::begin_segment() {
  const ResumePlan& plan = *resume_;
  const RunRecord& record = state_.record;
  const double at_s = now();
  const RestartPlan restarts = plan_restarts(state_, plan.checkpoint_epochs);
  std::string restarts_text;
  std::set<TrialId> restarting;
  for (const TrialRestart& r : restarts.restarts) {
    retrain_[r.trial] = r;
    restarts_.push_back(r);
    restarting.insert(r.trial);
    const Trial& t = state_.trial(r.trial);
    restarts_text += (restarts_text.empty() ? "" : ", ") + t.name + " from " +
                     (r.from > 0 ? "epoch " + std::to_string(r.from) : std::string("scratch")) +
                     " (" + std::to_string(t.epochs - r.from) + " epoch(s) to train again)";
  }
  int finished = 0;
  int paused = 0;
  for (const Trial& t : record.trials) {
    finished += t.status == TrialStatus::Stopped || t.status == TrialStatus::Completed ||
                t.status == TrialStatus::Failed;
    paused += t.status == TrialStatus::Paused && restarting.count(t.id) == 0;
  }
  commit(ResumeEvent{at_s, state_.segment + 1, transport_.num_workers(), parallelism_,
                     static_cast<int>(record.trials.size()), record.total_epochs_trained,
                     static_cast<int>(restarts_.size()), restarts.to_recompute,
                     static_cast<long long>(plan.events.size()), replay_ms_,
                     plan.slurm_restart_count, plan.slurm_job_id, plan.notes});

  for (const std::string& note : plan.notes) {
    console_.line() << format_time(at_s) << " resume: " << note << std::endl;
  }
  std::ostream& out = console_.line();
  out << format_time(at_s) << " resume " << job_.name << " (segment " << state_.segment;
  if (!plan.slurm_restart_count.empty()) {
    out << ", SLURM_RESTART_COUNT " << plan.slurm_restart_count;
  }
  out << "): kept " << record.trials.size() << '/' << job_.max_trials << " trials (" << finished
      << " finished, " << paused << " paused) and " << record.total_epochs_trained
      << " epochs (" << plan.events.size() << " journal events replayed in "
      << static_cast<long>(replay_ms_ + 0.5) << " ms); "
      << (restarts_.empty() ? std::string("nothing to restart") : "restarting " + restarts_text)
      << std::endl;

  // Decisions the journal holds whose release it does not: the worker acted (or would have)
  // before the run was cut, so they take effect now.
  for (const TrialRelease& r : restarts.releases) {
    Trial& t = trial(r.trial);
    release(t, t.worker, t.epochs, r.outcome, 0.0, "", "resume");
  }
}

void Coordinator::restart_trial(int worker, const TrialRestart& restart) {
  Trial& t = trial(restart.trial);
  // A trial whose last decision was a pause goes no further than where it paused: a trainer
  // whose program keeps checkpoints of its own (the command trainer) may hold that epoch
  // already and must not train past it.
  const int until = restart.at_end == Decision::Pause ? t.epochs : next_milestone(t.epochs);
  commit(RestartEvent{now(), t.id, worker, restart.from, t.epochs, until, restart.promoted});
  send(worker, assignment(t, until, restart.from));
  busy_workers_.insert(worker);
  console_.line() << format_time(now()) << " restart    " << t.name << " on worker " << worker
                  << ": "
                  << (restart.from > 0 ? "from its checkpoint at epoch " + std::to_string(restart.from)
                                       : std::string("from scratch"))
                  << (t.epochs > restart.from
                          ? ", " + std::to_string(t.epochs - restart.from) +
                                " epoch(s) to train again"
                          : std::string())
                  << std::endl;
}

void Coordinator::begin_suspend(int signal) {
  is_suspending_ = true;
  suspend_signal_ = signal;
  commit(SuspendingEvent{now(), signal_name(signal), static_cast<int>(busy_workers_.size())});
  console_.line() << format_time(now()) << " suspending the run (" << signal_name(signal)
                  << "): nothing new starts; checkpointing " << busy_workers_.size()
                  << " running trial(s) after their current epoch" << std::endl;
}

void Coordinator::finish_suspend() {
  is_suspended_ = true;
  RunRecord& record = state_.record;
  record.is_suspended = true;
  record.suspend_signal = signal_name(suspend_signal_);
  record.segment = state_.segment;
  record.deadline_held_starts = deadline_.held_starts();
  record.deadline_held_promotions = static_cast<int>(deadline_.held_promotions().size());
  const auto paused = static_cast<int>(state_.suspend_paused.size());
  commit(SuspendEvent{now(), signal_name(suspend_signal_), state_.segment,
                      static_cast<int>(record.trials.size()), record.total_epochs_trained, paused,
                      static_cast<int>(restarts_.size()), deadline_.held_starts(),
                      record.deadline_held_promotions});
  if (deadline_.deadline_s()) {
    std::string held;
    for (TrialId id : deadline_.held_promotions()) {
      held += (held.empty() ? "" : ", ") + trial(id).name;
    }
    console_.line() << format_time(now()) << " deadline: held back " << deadline_.held_starts()
                    << " new trial(s) and " << deadline_.held_promotions().size()
                    << " promotion(s)" << (held.empty() ? std::string() : " (" + held + ")")
                    << " that would have run past the segment's end" << std::endl;
  }
  console_.line() << format_time(now()) << " suspended (" << signal_name(suspend_signal_)
                  << "): " << record.trials.size() << '/' << job_.max_trials << " trials, "
                  << record.total_epochs_trained << " epochs kept, " << paused
                  << " trial(s) checkpointed mid-run; run the same command with the same --out "
                     "to resume"
                  << std::endl;
}

}  // namespace rung
