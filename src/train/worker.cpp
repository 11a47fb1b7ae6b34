#include "rung/train/worker.hpp"

#include <chrono>
#include <exception>
#include <iostream>
#include <memory>

#include "rung/config/error.hpp"
#include "rung/train/trainer.hpp"
#include "rung/tune/suspend_request.hpp"

namespace rung {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::unique_ptr<Trainer> build_trainer(WorkerTransport& transport, const JobConfig& job,
                                       const WorkerContext& context, const Assign& assign) {
  if (job.training.model == "command") {
    CommandSetup setup = context.command;
    setup.worker = "worker " + std::to_string(transport.worker_id()) + " on " + context.host;
    return std::make_unique<CommandTrainer>(
        job, std::move(setup),
        CommandTrial{assign.name, assign.seed, assign.hyperparameters, assign.until_epoch,
                     assign.known_epochs});
  }
  return make_trainer(job, assign.hyperparameters, assign.seed);
}

// Trains one assignment until a decision other than Continue. Returns false on Shutdown.
bool train_assignment(WorkerTransport& transport, const JobConfig& job,
                      const WorkerContext& context, const Assign& assign) {
  const std::string ckpt = checkpoint_path(context.checkpoint_dir, assign.name);
  TrialReleased released;
  released.trial = assign.trial;
  released.epoch = assign.start_epoch;
  try {
    std::unique_ptr<Trainer> trainer = build_trainer(transport, job, context, assign);
    if (assign.start_epoch > 0) {
      // A checkpoint that cannot be used is never trusted: the trial trains again from
      // scratch (deterministic per seed), and the coordinator answers the epochs it already
      // has with the decisions it recorded for them.
      try {
        trainer->load_checkpoint(ckpt);
        if (trainer->epoch() != assign.start_epoch) {
          throw CheckpointError("checkpoint " + ckpt + " holds epoch " +
                                std::to_string(trainer->epoch()) + ", expected " +
                                std::to_string(assign.start_epoch));
        }
      } catch (const CheckpointError& e) {
        std::cerr << "rung: worker " << transport.worker_id() << ": " << assign.name
                  << ": cannot resume from its checkpoint (" << e.what()
                  << "); training it again from scratch" << std::endl;
        trainer = build_trainer(transport, job, context, assign);
      }
    }
    for (;;) {
      const EpochResult result = trainer->train_epoch();
      released.epoch = trainer->epoch();
      transport.send(EpochReport{assign.trial, trainer->epoch(), result.metrics,
                                 result.train_time_s, result.eval_time_s,
                                 suspend_request().load()});
      const ToWorker reply = transport.receive();
      if (std::holds_alternative<Shutdown>(reply)) return false;
      const auto* decision = std::get_if<DecisionMsg>(&reply);
      if (decision == nullptr || decision->trial != assign.trial) {
        throw Error("protocol error: expected a decision for trial " +
                    std::to_string(assign.trial));
      }
      if (decision->verdict == Verdict::Continue) {
        // Periodic checkpoints bound what a crash costs; a resume restarts the trial from
        // its latest readable one (save_checkpoint writes a temporary file, then renames).
        const int every = job.training.checkpoint_every;
        if (every > 0 && trainer->epoch() % every == 0) trainer->save_checkpoint(ckpt);
        continue;
      }
      if (decision->verdict == Verdict::Pause) {
        const auto start = std::chrono::steady_clock::now();
        trainer->pause(ckpt);
        released.checkpoint_time_s = seconds_since(start);
        released.outcome = TrialOutcome::Paused;
      } else {
        const bool completed = decision->verdict == Verdict::Complete;
        trainer->finish(completed);
        released.outcome = completed ? TrialOutcome::Completed : TrialOutcome::Stopped;
      }
      break;
    }
  } catch (const std::exception& e) {
    released.outcome = TrialOutcome::Failed;
    released.message = e.what();
  }
  transport.send(released);
  return true;
}

}  // namespace

std::string checkpoint_path(const std::string& checkpoint_dir, const std::string& trial_name) {
  return checkpoint_dir + "/" + trial_name + ".h5";
}

void run_worker(WorkerTransport& transport, const JobConfig& job, const WorkerContext& context) {
  transport.send(Ready{context.host, context.device});
  for (;;) {
    const ToWorker msg = transport.receive();
    if (std::holds_alternative<Shutdown>(msg)) return;
    if (const auto* assign = std::get_if<Assign>(&msg)) {
      if (!train_assignment(transport, job, context, *assign)) return;
    }
    // A stray decision (none expected outside an assignment) is ignored.
  }
}

}  // namespace rung
