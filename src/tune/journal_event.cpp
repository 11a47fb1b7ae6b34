#include "rung/tune/journal_event.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <string_view>
#include <nlohmann/json.hpp>

#include "rung/config/error.hpp"
#include "rung/tune/hyperparameter_json.hpp"

namespace rung {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

// One table per enum: the name the journal writes for each value.
template <typename E>
struct Named {
  E value;
  const char* name;
};

constexpr Named<Decision> kDecisionNames[] = {{Decision::Continue, "Continue"},
                                              {Decision::Pause, "Pause"},
                                              {Decision::Stop, "Stop"},
                                              {Decision::Complete, "Complete"}};
constexpr Named<TrialOutcome> kOutcomeNames[] = {{TrialOutcome::Paused, "paused"},
                                                 {TrialOutcome::Stopped, "stopped"},
                                                 {TrialOutcome::Completed, "completed"},
                                                 {TrialOutcome::Failed, "failed"}};
constexpr Named<TrialStatus> kStatusNames[] = {{TrialStatus::Running, "InProgress"},
                                               {TrialStatus::Paused, "Paused"},
                                               {TrialStatus::Stopped, "Stopped"},
                                               {TrialStatus::Completed, "Completed"},
                                               {TrialStatus::Failed, "Failed"}};
constexpr Named<EndReason> kEndReasonNames[] = {
    {EndReason::MaxNumberOfTrainingJobsReached, "MaxNumberOfTrainingJobsReached"},
    {EndReason::SearchSpaceExhausted, "SearchSpaceExhausted"},
    {EndReason::MaxRuntimeInSecondsReached, "MaxRuntimeInSecondsReached"},
    {EndReason::TargetObjectiveMetricValueReached, "TargetObjectiveMetricValueReached"},
    {EndReason::BestObjectiveNotImproving, "BestObjectiveNotImproving"},
    {EndReason::ConvergenceDetected, "ConvergenceDetected"},
    {EndReason::Failed, "Failed"}};

template <typename E, std::size_t N>
const char* name_in(const Named<E> (&table)[N], E value) noexcept {
  for (const Named<E>& n : table) {
    if (n.value == value) return n.name;
  }
  return "?";
}

template <typename E, std::size_t N>
std::optional<E> value_in(const Named<E> (&table)[N], std::string_view name) noexcept {
  for (const Named<E>& n : table) {
    if (name == n.name) return n.value;
  }
  return std::nullopt;
}

// --- writing ---------------------------------------------------------------------------

OrderedJson head(double t, const char* kind) {
  OrderedJson j;
  j["t"] = t;  // nlohmann writes a non-finite number as null
  j["event"] = kind;
  return j;
}

struct Writer {
  OrderedJson operator()(const JobStartEvent& e) const {
    OrderedJson j = head(e.t, "job_start");
    j["job"] = e.job;
    j["strategy"] = e.strategy;
    j["scheduler"] = e.scheduler;
    j["searcher"] = e.searcher;
    j["workers"] = e.workers;
    j["parallelism"] = e.parallelism;
    j["seed"] = e.seed;
    j["max_trials"] = e.max_trials;
    j["min_resource"] = e.min_resource;
    j["max_resource"] = e.max_resource;
    j["rungs"] = e.rungs;
    j["objective"] = e.objective;
    j["objective_type"] = e.objective_type;
    return j;
  }
  OrderedJson operator()(const WorkerReadyEvent& e) const {
    OrderedJson j = head(e.t, "worker_ready");
    j["worker"] = e.worker;
    j["host"] = e.host;
    j["device"] = e.device;
    j["used"] = e.used;
    return j;
  }
  OrderedJson operator()(const StartEvent& e) const {
    OrderedJson j = head(e.t, "start");
    j["trial"] = e.trial;
    j["name"] = e.name;
    j["worker"] = e.worker;
    j["seed"] = e.seed;
    j["until"] = e.until;
    j["hyperparameters"] = hyperparameters_json(e.hyperparameters, /*as_strings=*/false);
    return j;
  }
  OrderedJson operator()(const ReportEvent& e) const {
    OrderedJson j = head(e.t, "report");
    j["trial"] = e.trial;
    j["epoch"] = e.epoch;
    j["worker"] = e.worker;
    OrderedJson metrics = OrderedJson::object();
    for (const auto& [name, value] : e.metrics) metrics[name] = value;
    j["metrics"] = std::move(metrics);
    j["train_s"] = e.train_s;
    j["eval_s"] = e.eval_s;
    j["decision"] = name_in(kDecisionNames, e.decision);
    if (e.suspend) j["suspend"] = true;
    return j;
  }
  OrderedJson operator()(const RecomputedEvent& e) const {
    OrderedJson j = head(e.t, "recomputed");
    j["trial"] = e.trial;
    j["epoch"] = e.epoch;
    j["worker"] = e.worker;
    j["train_s"] = e.train_s;
    j["eval_s"] = e.eval_s;
    j["matches"] = e.matches;
    j["decision"] = name_in(kDecisionNames, e.decision);
    if (e.suspend) j["suspend"] = true;
    return j;
  }
  OrderedJson operator()(const ReleaseEvent& e) const {
    OrderedJson j = head(e.t, "release");
    j["trial"] = e.trial;
    j["worker"] = e.worker;
    j["epoch"] = e.epoch;
    j["outcome"] = name_in(kOutcomeNames, e.outcome);
    j["status"] = name_in(kStatusNames, e.status);
    j["checkpoint_s"] = e.checkpoint_s;
    if (!e.message.empty()) j["message"] = e.message;
    if (!e.why.empty()) j["why"] = e.why;
    return j;
  }
  OrderedJson operator()(const PromotePendingEvent& e) const {
    OrderedJson j = head(e.t, "promote_pending");
    j["trial"] = e.trial;
    j["worker"] = e.worker;
    if (!e.held.empty()) j["held"] = e.held;
    return j;
  }
  OrderedJson operator()(const PromoteEvent& e) const {
    OrderedJson j = head(e.t, "promote");
    j["trial"] = e.trial;
    j["worker"] = e.worker;
    j["from"] = e.from;
    j["until"] = e.until;
    return j;
  }
  OrderedJson operator()(const RestartEvent& e) const {
    OrderedJson j = head(e.t, "restart");
    j["trial"] = e.trial;
    j["worker"] = e.worker;
    j["from"] = e.from;
    j["epochs"] = e.epochs;
    j["until"] = e.until;
    j["promoted"] = e.promoted;
    return j;
  }
  OrderedJson operator()(const StoppingEvent& e) const {
    OrderedJson j = head(e.t, "stopping");
    j["reason"] = name_in(kEndReasonNames, e.reason);
    j["running"] = e.running;
    return j;
  }
  OrderedJson operator()(const FinishPausedEvent& e) const {
    OrderedJson j = head(e.t, "finish_paused");
    j["trial"] = e.trial;
    j["epoch"] = e.epoch;
    return j;
  }
  OrderedJson operator()(const SuspendingEvent& e) const {
    OrderedJson j = head(e.t, "suspending");
    j["signal"] = e.signal;
    j["running"] = e.running;
    return j;
  }
  OrderedJson operator()(const SuspendEvent& e) const {
    OrderedJson j = head(e.t, "suspend");
    j["signal"] = e.signal;
    j["segment"] = e.segment;
    j["trials"] = e.trials;
    j["epochs"] = e.epochs;
    j["checkpointed"] = e.checkpointed;
    j["not_restarted"] = e.not_restarted;
    j["held_starts"] = e.held_starts;
    j["held_promotions"] = e.held_promotions;
    return j;
  }
  OrderedJson operator()(const ResumeEvent& e) const {
    OrderedJson j = head(e.t, "resume");
    j["segment"] = e.segment;
    j["workers"] = e.workers;
    j["parallelism"] = e.parallelism;
    j["trials"] = e.trials;
    j["epochs"] = e.epochs;
    j["restarts"] = e.restarts;
    j["to_recompute"] = e.to_recompute;
    j["replayed"] = e.replayed;
    j["replay_ms"] = e.replay_ms;
    if (!e.slurm_restart_count.empty()) j["slurm_restart_count"] = e.slurm_restart_count;
    if (!e.slurm_job_id.empty()) j["slurm_job_id"] = e.slurm_job_id;
    if (!e.notes.empty()) j["notes"] = e.notes;
    return j;
  }
  OrderedJson operator()(const JobEndEvent& e) const {
    OrderedJson j = head(e.t, "job_end");
    j["reason"] = name_in(kEndReasonNames, e.reason);
    j["trials"] = e.trials;
    j["epochs"] = e.epochs;
    return j;
  }
  OrderedJson operator()(const UnknownEvent& e) const { return head(e.t, e.kind.c_str()); }
};

// --- reading ---------------------------------------------------------------------------

// The fields of one event object, with errors that name the event kind and the field. A
// lenient reader gives a missing field, or one of the wrong kind, its type's default instead.
class Fields {
 public:
  Fields(const Json& object, std::string kind, bool is_lenient)
      : j_(object), kind_(std::move(kind)), is_lenient_(is_lenient) {}

  [[nodiscard]] bool has(const char* key) const { return j_.contains(key); }

  [[nodiscard]] double real(const char* key) const {
    if (is_lenient_ && !fits(key, &Json::is_number)) return 0.0;
    return as_real(need(key), key);
  }
  [[nodiscard]] long long integer(const char* key) const {
    if (is_lenient_ && !fits(key, &Json::is_number)) return 0;
    return as_integer(need(key), key);
  }
  [[nodiscard]] int small(const char* key) const { return narrow(integer(key), key); }
  [[nodiscard]] int small_or(const char* key, int fallback) const {
    return has(key) ? small(key) : fallback;
  }
  [[nodiscard]] std::string text(const char* key) const {
    if (is_lenient_ && !fits(key, &Json::is_string)) return "";
    const Json& v = need(key);
    if (!v.is_string()) fail(key, "is not a string");
    return v.get<std::string>();
  }
  [[nodiscard]] std::string text_or(const char* key) const { return has(key) ? text(key) : ""; }
  [[nodiscard]] bool flag(const char* key) const {
    if (is_lenient_ && !fits(key, &Json::is_boolean)) return false;
    const Json& v = need(key);
    if (!v.is_boolean()) fail(key, "is not true or false");
    return v.get<bool>();
  }
  [[nodiscard]] bool flag_or(const char* key, bool fallback) const {
    return has(key) ? flag(key) : fallback;
  }
  // Earlier versions wrote seeds as signed 64-bit integers; both read back as the same bits.
  [[nodiscard]] std::uint64_t seed(const char* key) const {
    if (is_lenient_ && !fits(key, &Json::is_number_integer)) return 0;
    const Json& v = need(key);
    if (v.is_number_unsigned()) return v.get<std::uint64_t>();
    if (v.is_number_integer()) return static_cast<std::uint64_t>(v.get<std::int64_t>());
    fail(key, "is not an integer");
  }
  template <typename E, std::size_t N>
  [[nodiscard]] E name(const char* key, const Named<E> (&table)[N]) const {
    const std::string n = text(key);
    if (auto v = value_in(table, n)) return *v;
    if (is_lenient_) return table[0].value;
    fail(key, "has the unknown value \"" + n + "\"");
  }
  [[nodiscard]] std::map<std::string, double> reals(const char* key) const {
    if (is_lenient_ && !fits(key, &Json::is_object)) return {};
    const Json& v = need(key);
    if (!v.is_object()) fail(key, "is not an object");
    std::map<std::string, double> out;
    for (const auto& [name, value] : v.items()) out[name] = as_real(value, key);
    return out;
  }
  [[nodiscard]] HyperParameters params(const char* key) const {
    if (is_lenient_ && !fits(key, &Json::is_object)) return {};
    const Json& v = need(key);
    if (!v.is_object()) fail(key, "is not an object");
    HyperParameters out;
    for (const auto& [name, value] : v.items()) {
      if (value.is_number_integer()) {
        out[name] = value.get<std::int64_t>();
      } else if (value.is_number_float()) {
        out[name] = value.get<double>();
      } else if (value.is_string()) {
        out[name] = value.get<std::string>();
      } else if (!is_lenient_) {
        fail(key, "has " + name + " neither a number nor a string");
      }
    }
    return out;
  }
  [[nodiscard]] std::vector<int> integers(const char* key) const {
    if (is_lenient_ && !fits(key, &Json::is_array)) return {};
    const Json& v = need(key);
    if (!v.is_array()) fail(key, "is not an array");
    std::vector<int> out;
    for (const Json& item : v) out.push_back(narrow(as_integer(item, key), key));
    return out;
  }
  [[nodiscard]] std::vector<std::string> texts_or(const char* key) const {
    std::vector<std::string> out;
    if (!has(key) || (is_lenient_ && !fits(key, &Json::is_array))) return out;
    const Json& v = need(key);
    if (!v.is_array()) fail(key, "is not an array");
    for (const Json& item : v) {
      if (item.is_string()) {
        out.push_back(item.get<std::string>());
      } else if (!is_lenient_) {
        fail(key, "holds something other than strings");
      }
    }
    return out;
  }

  [[noreturn]] void fail(const char* key, const std::string& what) const {
    throw Error("journal event \"" + kind_ + "\": field \"" + key + "\" " + what);
  }

 private:
  [[nodiscard]] bool fits(const char* key, bool (Json::*is_kind)() const noexcept) const {
    const auto it = j_.find(key);
    return it != j_.end() && ((*it).*is_kind)();
  }
  [[nodiscard]] const Json& need(const char* key) const {
    const auto it = j_.find(key);
    if (it == j_.end()) fail(key, "is missing");
    return *it;
  }
  // JSON has no NaN: a non-finite real is written as null. The lenient reader gives values it
  // cannot take (here and below) their type's default, so a shown journal never stops at them.
  [[nodiscard]] double as_real(const Json& v, const char* key) const {
    if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
    if (!v.is_number() && is_lenient_) return 0.0;
    if (!v.is_number()) fail(key, "is not a number");
    return v.get<double>();
  }
  [[nodiscard]] long long as_integer(const Json& v, const char* key) const {
    if (v.is_number_integer()) return v.get<long long>();
    // Earlier versions wrote whole reals with 17 digits and no point; accept integral reals.
    if (v.is_number_float()) {
      const double d = v.get<double>();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) {
        return static_cast<long long>(d);
      }
    }
    if (is_lenient_) return 0;
    fail(key, "is not an integer");
  }
  [[nodiscard]] int narrow(long long v, const char* key) const {
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
      if (is_lenient_) return 0;
      fail(key, "is out of range (" + std::to_string(v) + ")");
    }
    return static_cast<int>(v);
  }

  const Json& j_;
  std::string kind_;
  bool is_lenient_ = false;
};

// One reader per event kind, the mirror of Writer's overloads. Fields are read in the order
// the structs list them.
JournalEvent read_report(const Fields& f, double t) {
  return ReportEvent{t,
                     f.integer("trial"),
                     f.small("epoch"),
                     f.small("worker"),
                     f.reals("metrics"),
                     f.real("train_s"),
                     f.real("eval_s"),
                     f.name("decision", kDecisionNames),
                     f.flag_or("suspend", false)};
}

JournalEvent read_start(const Fields& f, double t) {
  return StartEvent{t,           f.integer("trial"), f.text("name"),
                    f.small("worker"), f.seed("seed"),   f.small("until"),
                    f.params("hyperparameters")};
}

JournalEvent read_release(const Fields& f, double t) {
  return ReleaseEvent{t,
                      f.integer("trial"),
                      f.small("worker"),
                      f.small("epoch"),
                      f.name("outcome", kOutcomeNames),
                      f.name("status", kStatusNames),
                      f.has("checkpoint_s") ? f.real("checkpoint_s") : 0.0,
                      f.text_or("message"),
                      f.text_or("why")};
}

JournalEvent read_promote(const Fields& f, double t) {
  return PromoteEvent{t, f.integer("trial"), f.small("worker"), f.small("from"), f.small("until")};
}

JournalEvent read_promote_pending(const Fields& f, double t) {
  return PromotePendingEvent{t, f.integer("trial"), f.small_or("worker", 0), f.text_or("held")};
}

JournalEvent read_recomputed(const Fields& f, double t) {
  return RecomputedEvent{t,
                         f.integer("trial"),
                         f.small("epoch"),
                         f.small("worker"),
                         f.real("train_s"),
                         f.real("eval_s"),
                         f.flag_or("matches", true),
                         f.name("decision", kDecisionNames),
                         f.flag_or("suspend", false)};
}

JournalEvent read_worker_ready(const Fields& f, double t) {
  return WorkerReadyEvent{t, f.small("worker"), f.text_or("host"), f.text_or("device"),
                          f.flag_or("used", true)};
}

JournalEvent read_job_start(const Fields& f, double t) {
  JobStartEvent e;
  e.t = t;
  e.job = f.text("job");
  e.strategy = f.text_or("strategy");
  e.scheduler = f.text_or("scheduler");
  e.searcher = f.text_or("searcher");
  e.workers = f.small_or("workers", 0);
  e.parallelism = f.small_or("parallelism", e.workers);
  e.seed = f.seed("seed");
  e.max_trials = f.small_or("max_trials", 0);
  e.min_resource = f.small_or("min_resource", 0);
  e.max_resource = f.small_or("max_resource", 0);
  if (f.has("rungs")) e.rungs = f.integers("rungs");
  e.objective = f.text_or("objective");
  e.objective_type = f.text_or("objective_type");
  return e;
}

JournalEvent read_restart(const Fields& f, double t) {
  return RestartEvent{t,
                      f.integer("trial"),
                      f.small("worker"),
                      f.small("from"),
                      f.small_or("epochs", 0),
                      f.small_or("until", 0),
                      f.flag("promoted")};
}

JournalEvent read_stopping(const Fields& f, double t) {
  return StoppingEvent{t, f.name("reason", kEndReasonNames), f.small_or("running", 0)};
}

JournalEvent read_finish_paused(const Fields& f, double t) {
  return FinishPausedEvent{t, f.integer("trial"), f.small_or("epoch", 0)};
}

JournalEvent read_suspending(const Fields& f, double t) {
  return SuspendingEvent{t, f.text_or("signal"), f.small_or("running", 0)};
}

JournalEvent read_suspend(const Fields& f, double t) {
  return SuspendEvent{t,
                      f.text_or("signal"),
                      f.small_or("segment", 1),
                      f.small_or("trials", 0),
                      f.small_or("epochs", 0),
                      f.small_or("checkpointed", 0),
                      f.small_or("not_restarted", 0),
                      f.small_or("held_starts", 0),
                      f.small_or("held_promotions", 0)};
}

JournalEvent read_resume(const Fields& f, double t) {
  ResumeEvent e;
  e.t = t;
  e.segment = f.small("segment");
  e.workers = f.small_or("workers", 0);
  e.parallelism = f.small_or("parallelism", 0);
  e.trials = f.small_or("trials", 0);
  e.epochs = f.small_or("epochs", 0);
  e.restarts = f.small_or("restarts", 0);
  e.to_recompute = f.small_or("to_recompute", 0);
  e.replayed = f.has("replayed") ? f.integer("replayed") : 0;
  e.replay_ms = f.has("replay_ms") ? f.real("replay_ms") : 0.0;
  e.slurm_restart_count = f.text_or("slurm_restart_count");
  e.slurm_job_id = f.text_or("slurm_job_id");
  e.notes = f.texts_or("notes");
  return e;
}

JournalEvent read_job_end(const Fields& f, double t) {
  return JobEndEvent{t, f.name("reason", kEndReasonNames), f.small_or("trials", 0),
                     f.small_or("epochs", 0)};
}

// An event of a kind this version does not know reads as UnknownEvent.
JournalEvent read_event(const Fields& f, const std::string& kind, double t) {
  using Read = JournalEvent (*)(const Fields&, double);
  static const std::map<std::string_view, Read> kReaders = {
      {"report", read_report},
      {"start", read_start},
      {"release", read_release},
      {"promote", read_promote},
      {"promote_pending", read_promote_pending},
      {"recomputed", read_recomputed},
      {"worker_ready", read_worker_ready},
      {"job_start", read_job_start},
      {"restart", read_restart},
      {"stopping", read_stopping},
      {"finish_paused", read_finish_paused},
      {"suspending", read_suspending},
      {"suspend", read_suspend},
      {"resume", read_resume},
      {"job_end", read_job_end},
  };
  const auto it = kReaders.find(kind);
  if (it == kReaders.end()) return UnknownEvent{t, kind};
  return it->second(f, t);
}

}  // namespace

std::string to_json(const JournalEvent& event) { return std::visit(Writer{}, event).dump(); }

JournalEvent parse_event(std::string_view json, EventParse mode) {
  Json j = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw Error("journal event is not valid JSON");
  if (!j.is_object()) throw Error("journal event is not a JSON object");
  const bool is_lenient = mode == EventParse::Lenient;
  const auto kind = j.find("event");
  if (kind == j.end() || !kind->is_string()) {
    if (!is_lenient) throw Error("journal event has no \"event\" kind");
    return UnknownEvent{Fields(j, "", true).real("t"), ""};
  }
  const std::string name = kind->get<std::string>();
  const Fields fields(j, name, is_lenient);
  return read_event(fields, name, fields.real("t"));
}

std::string_view event_kind(const JournalEvent& event) noexcept {
  static constexpr std::string_view kKinds[] = {
      "job_start", "worker_ready", "start",       "report",     "recomputed", "release",
      "promote_pending", "promote", "restart",    "stopping",   "finish_paused",
      "suspending", "suspend",      "resume",     "job_end"};
  if (const auto* unknown = std::get_if<UnknownEvent>(&event)) return unknown->kind;
  return kKinds[event.index()];
}

double event_time(const JournalEvent& event) noexcept {
  return std::visit([](const auto& e) { return e.t; }, event);
}

const char* to_string(TrialStatus s) { return name_in(kStatusNames, s); }
const char* to_string(EndReason r) { return name_in(kEndReasonNames, r); }
const char* journal_name(TrialOutcome outcome) noexcept { return name_in(kOutcomeNames, outcome); }
std::optional<Decision> parse_decision(std::string_view name) noexcept {
  return value_in(kDecisionNames, name);
}
std::optional<TrialOutcome> parse_outcome(std::string_view name) noexcept {
  return value_in(kOutcomeNames, name);
}
std::optional<TrialStatus> parse_status(std::string_view name) noexcept {
  return value_in(kStatusNames, name);
}
std::optional<EndReason> parse_end_reason(std::string_view name) noexcept {
  return value_in(kEndReasonNames, name);
}

}  // namespace rung
