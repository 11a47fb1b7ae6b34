// Coordinator, resuming: replays an interrupted run's journal through the scheduler and the
// searcher in journal order, checking at every step that they decide what the journal says,
// then plans the restart of the trials the run left on workers.
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "console_format.hpp"
#include "rung/config/error.hpp"
#include "rung/tune/coordinator.hpp"
#include "rung/tune/json_writer.hpp"

namespace rung {
namespace {

// A hyperparameter value as JsonWriter writes it into the journal (numbers) or its text.
std::string journal_text(const ParamValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", *d);
    return buf;
  }
  return std::get<std::string>(v);
}

std::optional<EndReason> parse_end_reason(const std::string& text) {
  for (EndReason r :
       {EndReason::MaxNumberOfTrainingJobsReached, EndReason::SearchSpaceExhausted,
        EndReason::MaxRuntimeInSecondsReached, EndReason::TargetObjectiveMetricValueReached,
        EndReason::BestObjectiveNotImproving, EndReason::ConvergenceDetected, EndReason::Failed}) {
    if (text == to_string(r)) return r;
  }
  return std::nullopt;
}

std::optional<TrialOutcome> parse_outcome(const std::string& text) {
  if (text == "paused") return TrialOutcome::Paused;
  if (text == "stopped") return TrialOutcome::Stopped;
  if (text == "completed") return TrialOutcome::Completed;
  if (text == "failed") return TrialOutcome::Failed;
  return std::nullopt;
}

template <typename T>
T get(const YAML::Node& e, const char* key) {
  const YAML::Node node = e[key];
  if (!node || !node.IsScalar()) {
    throw Error(std::string("journal event has no ") + key + ": " + YAML::Dump(e));
  }
  return node.as<T>();
}

}  // namespace

void Coordinator::replay_journal() {
  const ResumePlan& plan = *resume_;
  const std::string source = plan.journal_path.empty() ? "the journal" : plan.journal_path;
  is_replaying_ = true;
  const auto replay_start = std::chrono::steady_clock::now();
  std::size_t index = 0;
  try {
    for (; index < plan.events.size(); ++index) replay_event(plan.events[index]);
  } catch (const std::exception& e) {
    throw Error("cannot resume from " + source + " (record " + std::to_string(index + 1) +
                "): " + e.what());
  }
  is_replaying_ = false;
  replay_ms_ =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - replay_start)
          .count();
  ++segment_;
  plan_restarts();
}

void Coordinator::replay_event(const std::string& json) {
  const YAML::Node e = YAML::Load(json);
  const std::string event = get<std::string>(e, "event");
  const double at_s = get<double>(e, "t");
  if (std::isfinite(at_s)) time_offset_s_ = std::max(time_offset_s_, at_s);

  if (event == "job_start") {
    // Seeds are journaled as signed 64-bit integers (JsonWriter's), so compare them so.
    const auto seed = static_cast<std::uint64_t>(get<long long>(e, "seed"));
    if (seed != job_.seed) {
      throw Error("the journal's seed " + std::to_string(seed) + " is not the job's " +
                  std::to_string(job_.seed));
    }
  } else if (event == "start") {
    const auto id = get<TrialId>(e, "trial");
    if (id != static_cast<TrialId>(record_.trials.size())) {
      throw Error("trial " + std::to_string(id) + " starts out of order");
    }
    const std::optional<HyperParameters> hp = searcher_->suggest(id);
    const YAML::Node journaled = e["hyperparameters"];
    std::string diff;
    if (!hp) {
      diff = "the searcher has nothing left to suggest";
    } else if (!journaled.IsMap() || journaled.size() != hp->size()) {
      diff = "it suggests " + std::to_string(hp->size()) + " hyperparameters";
    } else {
      for (const auto& [name, value] : *hp) {
        const YAML::Node v = journaled[name];
        if (!v || !v.IsScalar() || v.Scalar() != journal_text(value)) {
          diff = name + " = " + journal_text(value) + " now, " +
                 (v && v.IsScalar() ? v.Scalar() : std::string("absent")) + " in the journal";
          break;
        }
      }
    }
    if (!diff.empty()) {
      throw Error("the searcher does not re-suggest trial " + get<std::string>(e, "name") +
                  "'s hyperparameters (" + diff +
                  "): the job's search space or rung's searcher changed since the run began");
    }
    Trial t;
    t.id = id;
    t.name = get<std::string>(e, "name");
    t.tuned = *hp;
    t.seed = trial_seed(job_.seed, id);
    if (static_cast<std::uint64_t>(get<long long>(e, "seed")) != t.seed) {
      throw Error("trial " + t.name + "'s seed differs from the journal's");
    }
    t.start_s = at_s;
    t.worker = get<int>(e, "worker");
    record_.trials.push_back(t);
    const int until = scheduler_->on_start(id);
    if (until != get<int>(e, "until")) {
      throw Error("the scheduler gives trial " + t.name + " its first milestone at epoch " +
                  std::to_string(until) + ", the journal at " + get<std::string>(e, "until"));
    }
    last_decision_.erase(id);
  } else if (event == "report") {
    Trial& t = trial(get<TrialId>(e, "trial"));
    const int epoch = get<int>(e, "epoch");
    if (epoch != t.epochs + 1) {
      throw Error("trial " + t.name + " reports epoch " + std::to_string(epoch) + " after " +
                  std::to_string(t.epochs));
    }
    std::map<std::string, double> metrics;
    for (const auto& kv : e["metrics"]) {
      // JSON has no NaN: the journal writes a non-finite metric as null.
      metrics[kv.first.Scalar()] =
          kv.second.IsNull() ? std::numeric_limits<double>::quiet_NaN() : kv.second.as<double>();
    }
    const Decision decision =
        record_report(t, get<int>(e, "worker"), epoch, metrics, get<double>(e, "train_s"),
                      get<double>(e, "eval_s"), at_s);
    const std::string journaled = get<std::string>(e, "decision");
    if (journaled != to_string(decision)) {
      throw Error("the scheduler decides " + std::string(to_string(decision)) + " for " + t.name +
                  " at epoch " + std::to_string(epoch) + ", the journal recorded " + journaled +
                  ": the job or rung's scheduler changed since the run began");
    }
    last_decision_[t.id] = decision;
    if (e["suspend"]) suspend_paused_.insert(t.id);
  } else if (event == "recomputed") {
    // An epoch trained again by an earlier segment: its result is the report's, already here.
    if (e["suspend"]) suspend_paused_.insert(get<TrialId>(e, "trial"));
  } else if (event == "release") {
    Trial& t = trial(get<TrialId>(e, "trial"));
    const auto outcome = parse_outcome(get<std::string>(e, "outcome"));
    if (!outcome) throw Error("unknown release outcome " + get<std::string>(e, "outcome"));
    if (*outcome == TrialOutcome::Paused && suspend_paused_.count(t.id) > 0) {
      t.status = TrialStatus::Paused;  // checkpointed for a suspension; resumes as running
    } else {
      const YAML::Node message = e["message"];
      record_release(t, *outcome, message && message.IsScalar() ? message.Scalar() : "", at_s);
      suspend_paused_.erase(t.id);
    }
    // A promotion made before this release went ahead unless the job was ending.
    if (*outcome != TrialOutcome::Paused || stopping_) reserved_.erase(t.id);
  } else if (event == "promote_pending" || event == "promote") {
    const auto id = get<TrialId>(e, "trial");
    if (event == "promote_pending" || reserved_.erase(id) == 0) {
      const std::optional<Promotion> promotion = scheduler_->promote();
      if (!promotion || promotion->trial != id) {
        throw Error("the scheduler promotes " +
                    (promotion ? trial(promotion->trial).name : std::string("no trial")) +
                    " where the journal promoted " + trial(id).name);
      }
      if (event == "promote_pending") reserved_.insert(id);
    }
    if (event == "promote") {
      Trial& t = trial(id);
      t.status = TrialStatus::Running;
      t.times_resumed += 1;
      t.worker = get<int>(e, "worker");
      last_decision_.erase(id);
    }
  } else if (event == "restart") {
    Trial& t = trial(get<TrialId>(e, "trial"));
    t.status = TrialStatus::Running;
    t.worker = get<int>(e, "worker");
    suspend_paused_.erase(t.id);
    if (get<bool>(e, "promoted")) {
      reserved_.erase(t.id);
      t.times_resumed += 1;
      last_decision_.erase(t.id);
    }
  } else if (event == "stopping") {
    const auto reason = parse_end_reason(get<std::string>(e, "reason"));
    if (!reason) throw Error("unknown end reason " + get<std::string>(e, "reason"));
    begin_stop(*reason);
    record_.end_decided_s = at_s;
  } else if (event == "finish_paused") {
    Trial& t = trial(get<TrialId>(e, "trial"));
    t.status = TrialStatus::Stopped;
    t.stop_reason = "paused at epoch " + std::to_string(t.epochs) + ", never promoted";
    t.end_s = at_s;
    searcher_->on_trial_end(t.id, TrialEnd::Stopped);
  } else if (event == "resume") {
    segment_ = get<int>(e, "segment");
  } else if (event == "job_end") {
    throw Error("the run has ended (job_end): there is nothing to resume");
  }
  // worker_ready, suspending, suspend: nothing to replay (workers are this segment's own).
}

void Coordinator::plan_restarts() {
  const ResumePlan& plan = *resume_;
  const double at_s = now();
  struct Ended {
    TrialId id;
    TrialOutcome outcome;
  };
  std::vector<Ended> ended;  // decided but not released when the run was cut: released now
  std::string restarts_text;
  int to_recompute = 0;
  for (Trial& t : record_.trials) {
    const bool is_reserved = reserved_.count(t.id) > 0;
    const bool is_interrupted = t.status == TrialStatus::Running ||
                                suspend_paused_.count(t.id) > 0 ||
                                (is_reserved && t.status == TrialStatus::Paused);
    if (!is_interrupted) continue;
    const auto last = last_decision_.find(t.id);
    // The last decision the journal holds for it (a suspension pauses only trials the
    // scheduler let go on, so theirs is Continue); a promoted trial goes on.
    const Decision decision =
        last == last_decision_.end() || is_reserved ? Decision::Continue : last->second;
    if (decision == Decision::Stop || decision == Decision::Complete) {
      ended.push_back(
          {t.id, decision == Decision::Stop ? TrialOutcome::Stopped : TrialOutcome::Completed});
      continue;
    }
    // The trial's latest checkpoint, when it is readable and not ahead of the journal.
    int from = 0;
    const auto ckpt = plan.checkpoint_epochs.find(t.name);
    if (ckpt != plan.checkpoint_epochs.end() && ckpt->second <= t.epochs) from = ckpt->second;
    if (decision == Decision::Pause && from == t.epochs) {
      ended.push_back({t.id, TrialOutcome::Paused});  // its pause was written, not journaled
      continue;
    }
    // Set even when the checkpoint is at the last epoch: a worker that cannot load it trains
    // the trial again from scratch, and those epochs need the journal's decisions too.
    retrain_[t.id] =
        Retrain{t.epochs, decision == Decision::Pause ? Decision::Pause : Decision::Continue};
    to_recompute += t.epochs - from;
    restart_from_[t.id] = from;
    if (is_reserved) promoted_restarts_.insert(t.id);
    reserved_.erase(t.id);
    restarts_.push_back(t.id);
    char line[160];
    std::snprintf(line, sizeof line, "%s%s from %s (%d epoch(s) to train again)",
                  restarts_text.empty() ? "" : ", ", t.name.c_str(),
                  from > 0 ? ("epoch " + std::to_string(from)).c_str() : "scratch",
                  t.epochs - from);
    restarts_text += line;
  }

  int finished = 0;
  int paused = 0;
  for (const Trial& t : record_.trials) {
    finished += t.status == TrialStatus::Stopped || t.status == TrialStatus::Completed ||
                t.status == TrialStatus::Failed;
    paused += t.status == TrialStatus::Paused && restart_from_.count(t.id) == 0;
  }
  JsonWriter w;
  w.begin_object().key("t").value(at_s).key("event").value("resume");
  w.key("segment").value(segment_).key("workers").value(transport_.num_workers());
  w.key("parallelism").value(parallelism_).key("trials").value(record_.trials.size());
  w.key("epochs").value(record_.total_epochs_trained).key("restarts").value(restarts_.size());
  w.key("to_recompute").value(to_recompute).key("replayed").value(plan.events.size());
  w.key("replay_ms").value(replay_ms_);
  if (!plan.slurm_restart_count.empty()) {
    w.key("slurm_restart_count").value(plan.slurm_restart_count);
  }
  if (!plan.slurm_job_id.empty()) w.key("slurm_job_id").value(plan.slurm_job_id);
  if (!plan.notes.empty()) {
    w.key("notes").begin_array();
    for (const std::string& note : plan.notes) w.value(note);
    w.end_array();
  }
  w.end_object();
  journal_event(w.str());

  for (const std::string& note : plan.notes) {
    console_ << format_time(at_s) << " resume: " << note << std::endl;
  }
  console_ << format_time(at_s) << " resume " << job_.name << " (segment " << segment_;
  if (!plan.slurm_restart_count.empty()) {
    console_ << ", SLURM_RESTART_COUNT " << plan.slurm_restart_count;
  }
  console_ << "): kept " << record_.trials.size() << '/' << job_.max_trials << " trials ("
           << finished << " finished, " << paused << " paused) and " << record_.total_epochs_trained
           << " epochs (" << plan.events.size() << " journal events replayed in "
           << static_cast<long>(replay_ms_ + 0.5) << " ms); "
           << (restarts_.empty() ? std::string("nothing to restart")
                                 : "restarting " + restarts_text)
           << std::endl;

  // Decisions the journal holds whose release it does not: the worker acted (or would have)
  // before the run was cut, so they take effect now.
  for (const Ended& end : ended) {
    Trial& t = trial(end.id);
    record_release(t, end.outcome, "", now());
    journal_release(t, t.worker, t.epochs, end.outcome, 0.0, "resume");
  }
}

}  // namespace rung
