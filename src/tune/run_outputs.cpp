#include "rung/tune/run_outputs.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rung/config/error.hpp"
#include "rung/tune/hyperparameter_json.hpp"

namespace rung {
namespace {

// RFC 4180: quote a field holding a comma, a quote or a line break.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + '"';
}

std::string number(double v) {
  if (!std::isfinite(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

}  // namespace

void write_trials_csv(const std::string& path, const JobConfig& job, const RunRecord& run) {
  std::ostringstream out;
  out << "name,status";
  for (const ParamRange& r : job.space.ranges()) out << ',' << csv_field(r.name);
  out << ",epochs,objective,start_s,end_s,times_paused,times_resumed,worker,reason\n";
  for (const Trial& t : run.trials) {
    out << csv_field(t.name) << ',' << to_string(t.status);
    for (const ParamRange& r : job.space.ranges()) {
      const auto it = t.tuned.find(r.name);
      out << ',' << (it == t.tuned.end() ? std::string() : csv_field(to_string(it->second)));
    }
    out << ',' << t.epochs << ',' << (t.objective ? number(*t.objective) : std::string()) << ','
        << number(t.start_s) << ',' << (t.end_s >= 0 ? number(t.end_s) : std::string()) << ','
        << t.times_paused << ',' << t.times_resumed << ',' << t.worker << ','
        << csv_field(t.failure_reason.empty() ? t.stop_reason : t.failure_reason) << '\n';
  }
  write_file_atomically(path, out.str());
}

namespace {

using Json = nlohmann::ordered_json;

Json tuning_job_config(const JobConfig& job) {
  Json config;
  config["Strategy"] = to_string(job.strategy);
  config["HyperParameterTuningJobObjective"] = {{"Type", to_string(job.objective.type)},
                                                {"MetricName", job.objective.metric_name}};
  Json limits;
  limits["MaxNumberOfTrainingJobs"] = job.max_trials;
  limits["MaxParallelTrainingJobs"] = job.max_parallel;
  if (job.max_runtime_s) limits["MaxRuntimeInSeconds"] = *job.max_runtime_s;
  config["ResourceLimits"] = std::move(limits);
  config["TrainingJobEarlyStoppingType"] = job.early_stopping == EarlyStopping::Auto ? "Auto" : "Off";
  if (job.strategy == Strategy::Hyperband) {
    config["StrategyConfig"]["HyperbandStrategyConfig"] = {{"MinResource", job.min_resource},
                                                           {"MaxResource", job.max_resource}};
  }
  config["RandomSeed"] = job.seed;
  return config;
}

Json best_training_job(const JobConfig& job, const Trial& b) {
  Json best;
  best["TrainingJobName"] = b.name;
  best["TrainingJobStatus"] = to_string(b.status);
  best["TunedHyperParameters"] = hyperparameters_json(b.tuned, /*as_strings=*/true);
  best["FinalHyperParameterTuningJobObjectiveMetric"] = {
      {"Type", to_string(job.objective.type)},
      {"MetricName", job.objective.metric_name},
      {"Value", *b.objective}};
  best["ObjectiveStatus"] = "Succeeded";
  best["TrainingStartTimeSeconds"] = b.start_s;
  best["TrainingEndTimeSeconds"] = b.end_s;
  best["EpochsTrained"] = b.epochs;
  return best;
}

// SageMaker's counters of trials and objectives, and the completion details.
void add_counters(Json& summary, const RunRecord& run) {
  int completed = 0, in_progress = 0, stopped = 0, failed = 0;
  int obj_succeeded = 0, obj_pending = 0, obj_failed = 0;
  for (const Trial& t : run.trials) {
    switch (t.status) {
      case TrialStatus::Running:
      case TrialStatus::Paused: ++in_progress; break;
      case TrialStatus::Stopped: ++stopped; break;
      case TrialStatus::Completed: ++completed; break;
      case TrialStatus::Failed: ++failed; break;
    }
    if (t.status == TrialStatus::Failed) {
      ++obj_failed;
    } else if (t.objective) {
      ++obj_succeeded;
    } else {
      ++obj_pending;
    }
  }
  summary["TrainingJobStatusCounters"] = {{"Completed", completed},
                                          {"InProgress", in_progress},
                                          {"RetryableError", 0},
                                          {"NonRetryableError", failed},
                                          {"Stopped", stopped}};
  summary["ObjectiveStatusCounters"] = {
      {"Succeeded", obj_succeeded}, {"Pending", obj_pending}, {"Failed", obj_failed}};
  summary["ConsumedResources"] = {{"RuntimeInSeconds", std::lround(run.runtime_s)}};
  Json details;
  if (!run.is_suspended) details["CompletionReason"] = to_string(run.end_reason);
  details["NumberOfTrainingJobsObjectiveNotImproving"] = run.trials_not_improving;
  if (run.end_reason == EndReason::ConvergenceDetected) {
    details["ConvergenceDetectedTimeSeconds"] = run.end_decided_s;
  }
  if (run.end_decided_s >= 0) details["DecidedAtSeconds"] = run.end_decided_s;
  summary["TuningJobCompletionDetails"] = std::move(details);
}

// What SageMaker does not have: rung's own counters, and the coordinator's cost in wall
// time (also under `rung simulate`, where it is the real time of the decisions).
Json rung_counters(const JobConfig& job, const RunRecord& run) {
  Json r;
  r["Scheduler"] = run.scheduler;
  r["Searcher"] = run.searcher;
  r["Rungs"] = run.rungs;
  r["Workers"] = run.workers;
  r["TrainingJobs"] = run.trials.size();
  r["EpochsTrained"] = run.total_epochs_trained;
  r["FullBudgetEpochs"] = static_cast<long long>(run.trials.size()) * job.max_resource;
  r["RuntimeSeconds"] = run.runtime_s;
  r["Segment"] = run.segment;
  if (run.is_suspended) {
    r["Suspended"] = {{"Signal", run.suspend_signal},
                      {"DeadlineHeldStarts", run.deadline_held_starts},
                      {"DeadlineHeldPromotions", run.deadline_held_promotions}};
  }
  const CoordinatorStats& c = run.coordinator;
  r["MessagesHandled"] = c.messages_handled;
  r["EventLoopSeconds"] = c.loop_wall_s;
  r["MessagesPerSecond"] = c.messages_per_s();
  r["DecisionLatencyP50Microseconds"] = c.decision_p50_us;
  r["DecisionLatencyP99Microseconds"] = c.decision_p99_us;
  r["DecisionLatencyMaxMicroseconds"] = c.decision_max_us;
  if (c.has_traffic) {
    r["MessagesSent"] = c.messages_sent;
    r["BytesSent"] = c.bytes_sent;
    r["MessagesReceived"] = c.messages_received;
    r["BytesReceived"] = c.bytes_received;
  }
  return r;
}

}  // namespace

void write_summary_json(const std::string& path, const JobConfig& job, const RunRecord& run) {
  const bool failed_job = run.end_reason == EndReason::Failed;
  Json summary;
  summary["HyperParameterTuningJobName"] = job.name;
  // A suspended run is resumable, so it is still in progress (SageMaker's "Stopped" is final).
  summary["HyperParameterTuningJobStatus"] = failed_job         ? "Failed"
                                             : run.is_suspended ? "InProgress"
                                                                : "Completed";
  if (failed_job) summary["FailureReason"] = run.end_message;
  summary["HyperParameterTuningJobConfig"] = tuning_job_config(job);
  if (auto best = run.best_trial(job.objective.type == ObjectiveType::Maximize)) {
    summary["BestTrainingJob"] = best_training_job(job, run.trials[static_cast<std::size_t>(*best)]);
  }
  // Each failed trial with SageMaker's FailureReason (what went wrong; for a command trial,
  // the last lines of its stderr), as ListTrainingJobsForHyperParameterTuningJob shows them.
  Json failed = Json::array();
  for (const Trial& t : run.trials) {
    if (t.status != TrialStatus::Failed) continue;
    failed.push_back({{"TrainingJobName", t.name},
                      {"TrainingJobStatus", to_string(t.status)},
                      {"FailureReason", t.failure_reason},
                      {"EpochsTrained", t.epochs}});
  }
  if (!failed.empty()) summary["FailedTrainingJobs"] = std::move(failed);
  add_counters(summary, run);
  summary["Rung"] = rung_counters(job, run);
  write_file_atomically(path, summary.dump() + "\n");
}

}  // namespace rung
