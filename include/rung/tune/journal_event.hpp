// The journal's schema: one struct per event kind, in one variant. Every writer (the
// coordinator) and every reader (resume, `rung status`, `rung report`, run support) goes
// through these types; none builds or inspects event JSON by hand.
//
// On disk an event is one JSON object, its keys in the order of the struct's fields after
// "t" and "event", framed with its length and CRC (rung/tune/journal_record.hpp). Optional
// fields (a report's "suspend", a release's "message") are written only when set. Readers
// accept journals from earlier versions of rung: seeds written as signed integers, reals
// written with 17 digits, and event kinds this version does not know (UnknownEvent).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "rung/comm/messages.hpp"
#include "rung/config/hyperparameters.hpp"
#include "rung/sched/scheduler.hpp"
#include "rung/tune/trial.hpp"

namespace rung {

// The job as it began: what a resume checks it is continuing, and what readers describe.
struct JobStartEvent {
  double t = 0.0;
  std::string job;
  std::string strategy;
  std::string scheduler;
  std::string searcher;
  int workers = 0;
  int parallelism = 0;
  std::uint64_t seed = 0;
  int max_trials = 0;
  int min_resource = 0;
  int max_resource = 0;
  std::vector<int> rungs;
  std::string objective;
  std::string objective_type;  // "Maximize" / "Minimize"
};

struct WorkerReadyEvent {
  double t = 0.0;
  int worker = 0;
  std::string host;
  std::string device;
  bool used = true;  // false: beyond the job's parallelism, left idle
};

struct StartEvent {
  double t = 0.0;
  TrialId trial = -1;
  std::string name;
  int worker = 0;
  std::uint64_t seed = 0;
  int until = 0;  // the scheduler's first milestone
  HyperParameters hyperparameters;  // the tuned ones
};

struct ReportEvent {
  double t = 0.0;
  TrialId trial = -1;
  int epoch = 0;
  int worker = 0;
  std::map<std::string, double> metrics;  // a non-finite value is written as null
  double train_s = 0.0;
  double eval_s = 0.0;
  Decision decision = Decision::Continue;  // the scheduler's
  bool suspend = false;  // paused for a suspension instead of the scheduler's Continue
};

// An epoch a restarted trial trained a second time: its result is the earlier report's.
struct RecomputedEvent {
  double t = 0.0;
  TrialId trial = -1;
  int epoch = 0;
  int worker = 0;
  double train_s = 0.0;
  double eval_s = 0.0;
  bool matches = true;  // the metrics equal the journal's
  Decision decision = Decision::Continue;
  bool suspend = false;
};

struct ReleaseEvent {
  double t = 0.0;
  TrialId trial = -1;
  int worker = 0;
  int epoch = 0;
  TrialOutcome outcome = TrialOutcome::Completed;
  TrialStatus status = TrialStatus::Completed;  // the trial's status after the release
  double checkpoint_s = 0.0;
  std::string message;  // why it failed (when it did)
  std::string why;      // "suspend" (paused for a suspension), "resume" (released on resume)
};

// The scheduler promoted a trial whose worker had not yet released it (worker: the worker
// held for it), or one held back for the next segment (held "deadline", worker 0).
struct PromotePendingEvent {
  double t = 0.0;
  TrialId trial = -1;
  int worker = 0;
  std::string held;
};

struct PromoteEvent {
  double t = 0.0;
  TrialId trial = -1;
  int worker = 0;
  int from = 0;
  int until = 0;
};

// A resumed segment sent back to a worker a trial the previous segment left running.
struct RestartEvent {
  double t = 0.0;
  TrialId trial = -1;
  int worker = 0;
  int from = 0;    // the checkpoint's epoch (0: from scratch)
  int epochs = 0;  // the epochs the journal holds
  int until = 0;
  bool promoted = false;  // it was promoted before the interruption
};

struct StoppingEvent {
  double t = 0.0;
  EndReason reason = EndReason::MaxNumberOfTrainingJobsReached;
  int running = 0;
};

struct FinishPausedEvent {
  double t = 0.0;
  TrialId trial = -1;
  int epoch = 0;
};

struct SuspendingEvent {
  double t = 0.0;
  std::string signal;  // "SIGUSR1", "SIGTERM", "deadline"
  int running = 0;
};

struct SuspendEvent {
  double t = 0.0;
  std::string signal;
  int segment = 1;
  int trials = 0;
  int epochs = 0;
  int checkpointed = 0;
  int not_restarted = 0;
  int held_starts = 0;
  int held_promotions = 0;
};

struct ResumeEvent {
  double t = 0.0;
  int segment = 2;
  int workers = 0;
  int parallelism = 0;
  int trials = 0;
  int epochs = 0;
  int restarts = 0;
  int to_recompute = 0;
  long long replayed = 0;
  double replay_ms = 0.0;
  std::string slurm_restart_count;  // written when set
  std::string slurm_job_id;
  std::vector<std::string> notes;
};

struct JobEndEvent {
  double t = 0.0;
  EndReason reason = EndReason::MaxNumberOfTrainingJobsReached;
  int trials = 0;
  int epochs = 0;
};

// An event kind this version of rung does not know (written by a newer one): readers skip it.
struct UnknownEvent {
  double t = 0.0;
  std::string kind;
};

using JournalEvent =
    std::variant<JobStartEvent, WorkerReadyEvent, StartEvent, ReportEvent, RecomputedEvent,
                 ReleaseEvent, PromotePendingEvent, PromoteEvent, RestartEvent, StoppingEvent,
                 FinishPausedEvent, SuspendingEvent, SuspendEvent, ResumeEvent, JobEndEvent,
                 UnknownEvent>;

// The event as one line of JSON (no newline, no framing keys).
[[nodiscard]] std::string to_json(const JournalEvent& event);

// Strict: a known event kind must have every field, of its kind (resuming a run).
// Lenient: a missing field, or one of the wrong kind or out of range, takes its default (an
// unknown enum value the enum's first), so that the readers that show a journal (`rung
// status`, `rung report`) never stop at one.
enum class EventParse { Strict, Lenient };

// Parses one event object (framing keys, when present, are ignored). Throws Error when it is
// not a JSON object, and (strict) naming the event kind, the field and what is wrong when a
// known kind lacks a field or has one of the wrong kind. An unknown kind gives UnknownEvent.
[[nodiscard]] JournalEvent parse_event(std::string_view json,
                                       EventParse mode = EventParse::Strict);

// The event's "event" key ("job_start", "report", ...) and its time "t".
[[nodiscard]] std::string_view event_kind(const JournalEvent& event) noexcept;
[[nodiscard]] double event_time(const JournalEvent& event) noexcept;

// The names the journal writes for these enums, and back (nullopt for an unknown name).
[[nodiscard]] const char* journal_name(TrialOutcome outcome) noexcept;
[[nodiscard]] std::optional<Decision> parse_decision(std::string_view name) noexcept;
[[nodiscard]] std::optional<TrialOutcome> parse_outcome(std::string_view name) noexcept;
[[nodiscard]] std::optional<TrialStatus> parse_status(std::string_view name) noexcept;
[[nodiscard]] std::optional<EndReason> parse_end_reason(std::string_view name) noexcept;

}  // namespace rung
