// The messages between the coordinator (rank 0) and the workers. Named structs, one per
// message kind; every transport (MPI, in-process, simulated) carries exactly these.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>

#include "rung/config/hyperparameters.hpp"

namespace rung {

using TrialId = std::int64_t;

// Coordinator -> worker: train a trial. start_epoch == 0 starts it from scratch; otherwise
// the worker resumes it from its checkpoint, which holds exactly start_epoch epochs.
struct Assign {
  TrialId trial = -1;
  std::string name;         // e.g. "quickstart-007"
  HyperParameters hyperparameters;  // tuned and static together
  int start_epoch = 0;
  int until_epoch = 0;      // the next milestone (informative; decisions drive the worker)
  // The epochs the coordinator has results for (>= start_epoch after a restart): a trainer
  // whose program continues from a checkpoint of its own may report from start_epoch + 1
  // up to known_epochs + 1, never past it (that would leave a hole in the curve).
  int known_epochs = 0;
  std::uint64_t seed = 0;   // the trial's own seed (weights, shuffling)
};

enum class Verdict : std::uint8_t { Continue, Pause, Stop, Complete };

// Coordinator -> worker: what to do after the epoch just reported.
struct DecisionMsg {
  TrialId trial = -1;
  int epoch = 0;
  Verdict verdict = Verdict::Continue;
};

struct Shutdown {};

// Worker -> coordinator: the worker is up and idle.
struct Ready {
  std::string host;
  std::string device;
};

// Worker -> coordinator: one epoch done.
struct EpochReport {
  TrialId trial = -1;
  int epoch = 0;                          // 1-based, counts every epoch the trial has trained
  std::map<std::string, double> metrics;  // e.g. validation:accuracy, validation:loss
  double train_time_s = 0.0;              // training part of this epoch
  double eval_time_s = 0.0;               // validation part
  // Non-zero when this worker's rank was asked to suspend (SIGUSR1/SIGTERM's number): a
  // signal that reached only some ranks still suspends the whole run.
  int suspend_signal = 0;
};

enum class TrialOutcome : std::uint8_t { Paused, Stopped, Completed, Failed };

// Worker -> coordinator: the worker let go of the trial (after a pause it has written its
// checkpoint; after a failure `message` says why). The worker is idle again.
struct TrialReleased {
  TrialId trial = -1;
  int epoch = 0;
  TrialOutcome outcome = TrialOutcome::Completed;
  std::string message;
  double checkpoint_time_s = 0.0;
};

// Worker -> coordinator: the rank is alive (sent every few seconds by transports whose
// ranks can vanish without the coordinator noticing; see CoordinatorOptions::worker_timeout_s).
// It changes nothing else and is not journaled.
struct Heartbeat {};

using ToWorker = std::variant<Assign, DecisionMsg, Shutdown>;
using FromWorkerBody = std::variant<Ready, EpochReport, TrialReleased, Heartbeat>;

struct FromWorker {
  int worker = -1;  // 1-based worker id (the MPI rank in MPI runs)
  FromWorkerBody body;
};

// A compact binary encoding for transports that move bytes (MPI). Round-trips exactly.
[[nodiscard]] std::string encode(const ToWorker& msg);
[[nodiscard]] ToWorker decode_to_worker(const std::string& bytes);
[[nodiscard]] std::string encode(const FromWorkerBody& msg);
[[nodiscard]] FromWorkerBody decode_from_worker(const std::string& bytes);

}  // namespace rung
