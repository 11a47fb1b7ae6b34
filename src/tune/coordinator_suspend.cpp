// Coordinator, walltime: the per-epoch estimate the deadline holds work back by, the
// suspension on a signal or the deadline, and the restart of interrupted trials on resume.
#include <algorithm>
#include <csignal>

#include "console_format.hpp"
#include "rung/tune/coordinator.hpp"
#include "rung/tune/json_writer.hpp"

namespace rung {
namespace {

// The name journaled and printed for what asked for a suspension.
const char* signal_name(int signal) {
  switch (signal) {
    case kDeadlineSignal:
      return "deadline";
    case SIGUSR1:
      return "SIGUSR1";
    case SIGTERM:
      return "SIGTERM";
    default:
      return "signal";
  }
}

}  // namespace

std::optional<double> Coordinator::epoch_estimate_s(const Trial* t) const {
  constexpr std::size_t kWindow = 3;  // a trial's epochs slow down or speed up with its size
  if (t != nullptr && !t->curve.empty()) {
    double sum = 0.0;
    std::size_t n = 0;
    for (auto it = t->curve.rbegin(); it != t->curve.rend() && n < kWindow; ++it, ++n) {
      sum += it->train_time_s + it->eval_time_s;
    }
    return sum / static_cast<double>(n);
  }
  double sum = 0.0;
  std::size_t n = 0;
  for (const Trial& other : record_.trials) {
    for (const EpochRecord& e : other.curve) {
      sum += e.train_time_s + e.eval_time_s;
      ++n;
    }
  }
  if (n == 0) return std::nullopt;
  return sum / static_cast<double>(n);
}

bool Coordinator::would_overrun(const Trial* t, int epochs) const {
  if (!deadline_s_) return false;
  const std::optional<double> per_epoch = epoch_estimate_s(t);
  if (!per_epoch) return false;  // nothing measured yet: nothing to hold back on
  return now() + *per_epoch * static_cast<double>(std::max(epochs, 1)) > *deadline_s_;
}

void Coordinator::begin_suspend(int signal) {
  is_suspending_ = true;
  suspend_signal_ = signal;
  JsonWriter w;
  w.begin_object().key("t").value(now()).key("event").value("suspending");
  w.key("signal").value(signal_name(signal)).key("running").value(busy_workers_.size());
  w.end_object();
  journal_event(w.str());
  console_line() << format_time(now()) << " suspending the run (" << signal_name(signal)
                 << "): nothing new starts; checkpointing " << busy_workers_.size()
                 << " running trial(s) after their current epoch" << std::endl;
}

void Coordinator::finish_suspend() {
  is_suspended_ = true;
  record_.is_suspended = true;
  record_.suspend_signal = signal_name(suspend_signal_);
  record_.segment = segment_;
  record_.deadline_held_starts = held_starts_;
  record_.deadline_held_promotions = static_cast<int>(held_promotions_.size());
  int paused = 0;
  for (const Trial& t : record_.trials) {
    if (suspend_paused_.count(t.id) > 0) ++paused;
  }
  const auto waiting = static_cast<int>(restarts_.size());
  JsonWriter w;
  w.begin_object().key("t").value(now()).key("event").value("suspend");
  w.key("signal").value(signal_name(suspend_signal_)).key("segment").value(segment_);
  w.key("trials").value(record_.trials.size()).key("epochs").value(record_.total_epochs_trained);
  w.key("checkpointed").value(paused).key("not_restarted").value(waiting);
  w.key("held_starts").value(held_starts_).key("held_promotions").value(held_promotions_.size());
  w.end_object();
  journal_event(w.str());
  if (deadline_s_) {
    std::string held;
    for (TrialId id : held_promotions_) held += (held.empty() ? "" : ", ") + trial(id).name;
    console_line() << format_time(now()) << " deadline: held back " << held_starts_
                   << " new trial(s) and " << held_promotions_.size() << " promotion(s)"
                   << (held.empty() ? std::string() : " (" + held + ")")
                   << " that would have run past the segment's end" << std::endl;
  }
  console_line() << format_time(now()) << " suspended (" << signal_name(suspend_signal_)
                 << "): " << record_.trials.size() << '/' << job_.max_trials << " trials, "
                 << record_.total_epochs_trained << " epochs kept, " << paused
                 << " trial(s) checkpointed mid-run; run the same command with the same --out to "
                    "resume"
                 << std::endl;
}

void Coordinator::restart_trial(int worker, TrialId id) {
  Trial& t = trial(id);
  const int from = restart_from_.at(id);
  const bool is_promoted = promoted_restarts_.erase(id) > 0;
  t.status = TrialStatus::Running;
  t.worker = worker;
  if (is_promoted) t.times_resumed += 1;
  suspend_paused_.erase(id);
  // A trial whose last decision was a pause goes no further than where it paused: a trainer
  // whose program keeps checkpoints of its own (the command trainer) may hold that epoch
  // already and must not train past it.
  const auto retrain = retrain_.find(id);
  const bool pauses_where_it_was =
      retrain != retrain_.end() && retrain->second.at_end == Decision::Pause;
  const int until = pauses_where_it_was ? t.epochs : next_milestone(t.epochs);
  JsonWriter w;
  w.begin_object().key("t").value(now()).key("event").value("restart");
  w.key("trial").value(static_cast<long long>(id)).key("worker").value(worker);
  w.key("from").value(from).key("epochs").value(t.epochs).key("until").value(until);
  w.key("promoted").value(is_promoted).end_object();
  journal_event(w.str());
  transport_.send(worker, assignment(t, until, from));
  busy_workers_.insert(worker);
  console_line() << format_time(now()) << " restart    " << t.name << " on worker " << worker
                 << ": "
                 << (from > 0 ? "from its checkpoint at epoch " + std::to_string(from)
                              : std::string("from scratch"))
                 << (t.epochs > from
                         ? ", " + std::to_string(t.epochs - from) + " epoch(s) to train again"
                         : std::string())
                 << std::endl;
}

}  // namespace rung
