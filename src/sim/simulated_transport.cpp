#include "rung/sim/simulated_transport.hpp"

#include <utility>

#include "rung/config/error.hpp"

namespace rung {

SimulatedTransport::SimulatedTransport(int num_workers, const CurveSource& curves,
                                       SimulationOptions options)
    : curves_(curves), options_(options) {
  if (num_workers < 1) throw InputError("a simulation needs at least one worker");
  workers_.resize(static_cast<std::size_t>(num_workers));
  for (int w = 1; w <= num_workers; ++w) schedule(0.0, w, Ready{"simulated", "simulated"});
}

SimulatedTransport::Worker& SimulatedTransport::worker(int id) {
  if (id < 1 || id > num_workers()) {
    throw Error("simulated transport: no worker " + std::to_string(id));
  }
  return workers_[static_cast<std::size_t>(id - 1)];
}

void SimulatedTransport::schedule(double time_s, int worker_id, FromWorkerBody body) {
  events_.push(Event{time_s, next_sequence_++, FromWorker{worker_id, std::move(body)}});
}

void SimulatedTransport::start_epoch(int worker_id) {
  Worker& w = worker(worker_id);
  const int epoch = w.epoch + 1;
  if (epoch > curves_.max_epochs()) {
    release(worker_id, TrialOutcome::Failed,
            "the curve source " + curves_.name() + " has only " +
                std::to_string(curves_.max_epochs()) + " epochs");
    return;
  }
  const double duration_s = curves_.epoch_seconds(w.hyperparameters, epoch);
  EpochReport report;
  report.trial = w.trial;
  report.epoch = epoch;
  report.metrics = curves_.metrics_at(w.hyperparameters, epoch);
  report.train_time_s = duration_s;
  timeline_.push_back(TimelineEntry{worker_id, w.trial, epoch, now_s_, now_s_ + duration_s});
  epochs_trained_[w.trial] += 1;
  w.epoch = epoch;  // paid for now: a stop or pause after the report keeps it
  schedule(now_s_ + duration_s, worker_id, std::move(report));
}

void SimulatedTransport::release(int worker_id, TrialOutcome outcome, std::string message) {
  Worker& w = worker(worker_id);
  double at_s = now_s_;
  if (outcome == TrialOutcome::Paused) {
    checkpoints_[w.trial] = w.epoch;
    at_s += options_.checkpoint_s;
  }
  TrialReleased released;
  released.trial = w.trial;
  released.epoch = w.epoch;
  released.outcome = outcome;
  released.message = std::move(message);
  released.checkpoint_time_s = outcome == TrialOutcome::Paused ? options_.checkpoint_s : 0.0;
  w.trial = -1;
  w.hyperparameters.clear();
  w.epoch = 0;
  schedule(at_s, worker_id, std::move(released));
}

void SimulatedTransport::send(int worker_id, const ToWorker& msg) {
  Worker& w = worker(worker_id);
  if (w.is_shut_down) throw Error("simulated transport: worker " + std::to_string(worker_id) +
                                  " got a message after Shutdown");
  if (std::holds_alternative<Shutdown>(msg)) {
    w.is_shut_down = true;
    return;
  }
  if (const auto* a = std::get_if<Assign>(&msg)) {
    if (w.trial >= 0) {
      throw Error("simulated transport: worker " + std::to_string(worker_id) +
                  " assigned a trial while busy");
    }
    w.trial = a->trial;
    w.hyperparameters = a->hyperparameters;
    w.epoch = 0;
    if (a->start_epoch > 0) {
      // Resume from the checkpoint: the epochs in it are kept, never paid again.
      const auto it = checkpoints_.find(a->trial);
      if (it == checkpoints_.end() || it->second != a->start_epoch) {
        release(worker_id, TrialOutcome::Failed,
                "no checkpoint of trial " + std::to_string(a->trial) + " at epoch " +
                    std::to_string(a->start_epoch));
        return;
      }
      w.epoch = it->second;
      checkpoints_.erase(it);
    }
    start_epoch(worker_id);
    return;
  }
  const auto& d = std::get<DecisionMsg>(msg);
  if (d.trial != w.trial || d.epoch != w.epoch) {
    throw Error("simulated transport: worker " + std::to_string(worker_id) +
                " got a decision for trial " + std::to_string(d.trial) + " epoch " +
                std::to_string(d.epoch) + " while on trial " + std::to_string(w.trial) +
                " epoch " + std::to_string(w.epoch));
  }
  switch (d.verdict) {
    case Verdict::Continue: start_epoch(worker_id); break;
    case Verdict::Pause: release(worker_id, TrialOutcome::Paused, ""); break;
    case Verdict::Stop: release(worker_id, TrialOutcome::Stopped, ""); break;
    case Verdict::Complete: release(worker_id, TrialOutcome::Completed, ""); break;
  }
}

std::optional<FromWorker> SimulatedTransport::receive(std::chrono::milliseconds timeout) {
  if (options_.charge_decision_time && has_received_) {
    const double spent_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - last_return_).count();
    now_s_ += spent_s;
    charged_decision_s_ += spent_s;
  }
  std::optional<FromWorker> out;
  const double limit_s = now_s_ + std::chrono::duration<double>(timeout).count();
  if (!events_.empty() && events_.top().time_s <= limit_s) {
    // The heap's top is const; the event is copied out (messages are small).
    Event e = events_.top();
    events_.pop();
    if (e.time_s > now_s_) now_s_ = e.time_s;  // charged time may have passed it already
    out = std::move(e.message);
  } else {
    now_s_ = limit_s;
  }
  has_received_ = true;
  last_return_ = std::chrono::steady_clock::now();
  return out;
}

}  // namespace rung
