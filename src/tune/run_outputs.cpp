#include "rung/tune/run_outputs.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rung/config/error.hpp"
#include "rung/tune/json_writer.hpp"

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

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) throw Error("cannot write " + tmp + ": " + std::strerror(errno));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw Error("cannot rename " + tmp + " to " + path + ": " + ec.message());
}

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

void write_summary_json(const std::string& path, const JobConfig& job, const RunRecord& run) {
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
  const bool maximize = job.objective.type == ObjectiveType::Maximize;
  const bool failed_job = run.end_reason == EndReason::Failed;

  JsonWriter w;
  w.begin_object();
  w.key("HyperParameterTuningJobName").value(job.name);
  // A suspended run is resumable, so it is still in progress (SageMaker's "Stopped" is final).
  w.key("HyperParameterTuningJobStatus")
      .value(failed_job         ? "Failed"
             : run.is_suspended ? "InProgress"
                                : "Completed");
  if (failed_job) w.key("FailureReason").value(run.end_message);
  w.key("HyperParameterTuningJobConfig").begin_object();
  w.key("Strategy").value(to_string(job.strategy));
  w.key("HyperParameterTuningJobObjective").begin_object();
  w.key("Type").value(to_string(job.objective.type));
  w.key("MetricName").value(job.objective.metric_name).end_object();
  w.key("ResourceLimits").begin_object();
  w.key("MaxNumberOfTrainingJobs").value(job.max_trials);
  w.key("MaxParallelTrainingJobs").value(job.max_parallel);
  if (job.max_runtime_s) w.key("MaxRuntimeInSeconds").value(*job.max_runtime_s);
  w.end_object();
  w.key("TrainingJobEarlyStoppingType").value(job.early_stopping == EarlyStopping::Auto ? "Auto" : "Off");
  if (job.strategy == Strategy::Hyperband) {
    w.key("StrategyConfig").begin_object().key("HyperbandStrategyConfig").begin_object();
    w.key("MinResource").value(job.min_resource).key("MaxResource").value(job.max_resource);
    w.end_object().end_object();
  }
  w.key("RandomSeed").value(static_cast<long long>(job.seed));
  w.end_object();

  if (auto best = run.best_trial(maximize)) {
    const Trial& b = run.trials[static_cast<std::size_t>(*best)];
    w.key("BestTrainingJob").begin_object();
    w.key("TrainingJobName").value(b.name);
    w.key("TrainingJobStatus").value(to_string(b.status));
    w.key("TunedHyperParameters").hyperparameters_as_strings(b.tuned);
    w.key("FinalHyperParameterTuningJobObjectiveMetric").begin_object();
    w.key("Type").value(to_string(job.objective.type));
    w.key("MetricName").value(job.objective.metric_name);
    w.key("Value").value(*b.objective).end_object();
    w.key("ObjectiveStatus").value("Succeeded");
    w.key("TrainingStartTimeSeconds").value(b.start_s);
    w.key("TrainingEndTimeSeconds").value(b.end_s);
    w.key("EpochsTrained").value(b.epochs);
    w.end_object();
  }
  // Each failed trial with SageMaker's FailureReason (what went wrong; for a command trial,
  // the last lines of its stderr), as ListTrainingJobsForHyperParameterTuningJob shows them.
  if (failed > 0) {
    w.key("FailedTrainingJobs").begin_array();
    for (const Trial& t : run.trials) {
      if (t.status != TrialStatus::Failed) continue;
      w.begin_object().key("TrainingJobName").value(t.name);
      w.key("TrainingJobStatus").value(to_string(t.status));
      w.key("FailureReason").value(t.failure_reason);
      w.key("EpochsTrained").value(t.epochs).end_object();
    }
    w.end_array();
  }
  w.key("TrainingJobStatusCounters").begin_object();
  w.key("Completed").value(completed).key("InProgress").value(in_progress);
  w.key("RetryableError").value(0).key("NonRetryableError").value(failed);
  w.key("Stopped").value(stopped).end_object();
  w.key("ObjectiveStatusCounters").begin_object();
  w.key("Succeeded").value(obj_succeeded).key("Pending").value(obj_pending);
  w.key("Failed").value(obj_failed).end_object();
  w.key("ConsumedResources").begin_object();
  w.key("RuntimeInSeconds").value(static_cast<long long>(std::lround(run.runtime_s)));
  w.end_object();
  w.key("TuningJobCompletionDetails").begin_object();
  if (!run.is_suspended) w.key("CompletionReason").value(to_string(run.end_reason));
  w.key("NumberOfTrainingJobsObjectiveNotImproving").value(run.trials_not_improving);
  if (run.end_reason == EndReason::ConvergenceDetected) {
    w.key("ConvergenceDetectedTimeSeconds").value(run.end_decided_s);
  }
  if (run.end_decided_s >= 0) w.key("DecidedAtSeconds").value(run.end_decided_s);
  w.end_object();

  // What SageMaker does not have: rung's own counters.
  w.key("Rung").begin_object();
  w.key("Scheduler").value(run.scheduler).key("Searcher").value(run.searcher);
  w.key("Rungs").begin_array();
  for (int r : run.rungs) w.value(r);
  w.end_array();
  w.key("Workers").value(run.workers);
  w.key("TrainingJobs").value(run.trials.size());
  w.key("EpochsTrained").value(run.total_epochs_trained);
  w.key("FullBudgetEpochs").value(static_cast<long long>(run.trials.size()) * job.max_resource);
  w.key("RuntimeSeconds").value(run.runtime_s);
  w.key("Segment").value(run.segment);
  if (run.is_suspended) {
    w.key("Suspended").begin_object();
    w.key("Signal").value(run.suspend_signal);
    w.key("DeadlineHeldStarts").value(run.deadline_held_starts);
    w.key("DeadlineHeldPromotions").value(run.deadline_held_promotions);
    w.end_object();
  }
  // The coordinator's own cost in wall time (also under `rung simulate`, where it is the
  // real time of the decisions, not simulated time).
  const CoordinatorStats& c = run.coordinator;
  w.key("MessagesHandled").value(c.messages_handled);
  w.key("EventLoopSeconds").value(c.loop_wall_s);
  w.key("MessagesPerSecond").value(c.messages_per_s());
  w.key("DecisionLatencyP50Microseconds").value(c.decision_p50_us);
  w.key("DecisionLatencyP99Microseconds").value(c.decision_p99_us);
  w.key("DecisionLatencyMaxMicroseconds").value(c.decision_max_us);
  if (c.has_traffic) {
    w.key("MessagesSent").value(static_cast<long long>(c.messages_sent));
    w.key("BytesSent").value(static_cast<long long>(c.bytes_sent));
    w.key("MessagesReceived").value(static_cast<long long>(c.messages_received));
    w.key("BytesReceived").value(static_cast<long long>(c.bytes_received));
  }
  w.end_object();
  w.end_object();
  write_file_atomically(path, w.str() + "\n");
}

}  // namespace rung
