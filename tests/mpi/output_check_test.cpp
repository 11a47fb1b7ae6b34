// Checks the output directory of one real `mpirun ... rung run` (see run_case.sh): the trial
// count, statuses, epoch budgets, that paused trials resumed from checkpoints without
// retraining, and that journal, results.h5, trials.csv and summary.json agree.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "rung/ckpt/results_file.hpp"
#include "rung/config/job_config.hpp"

namespace {

namespace fs = std::filesystem;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::vector<YAML::Node> read_journal(const std::string& path) {
  std::ifstream in(path);
  std::vector<YAML::Node> events;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) events.push_back(YAML::Load(line));
  }
  return events;
}

std::vector<std::vector<std::string>> read_csv(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
    } else if (c == '\n') {
      rows.back().push_back(field);
      field.clear();
      rows.emplace_back();
    } else {
      field += c;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

class RunOutput : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = env("RUNG_CHECK_OUT");
    ASSERT_FALSE(out_.empty()) << "run through run_case.sh (RUNG_CHECK_OUT unset)";
    job_ = rung::load_job_file(env("RUNG_CHECK_JOB"));
    np_ = std::atoi(env("RUNG_CHECK_NP").c_str());
    events_ = read_journal(out_ + "/journal");
    results_ = rung::read_results_h5(out_ + "/results.h5");
  }
  std::vector<YAML::Node> events(const std::string& kind) const {
    std::vector<YAML::Node> out;
    for (const auto& e : events_)
      if (e["event"].as<std::string>() == kind) out.push_back(e);
    return out;
  }

  std::string out_;
  rung::JobConfig job_;
  int np_ = 0;
  std::vector<YAML::Node> events_;
  rung::ResultsTable results_;
};

// Whether the job may end before MaxNumberOfTrainingJobs (runtime limit, completion criteria).
bool may_end_early(const rung::JobConfig& job) {
  return job.max_runtime_s || job.completion.target_objective_value ||
         job.completion.max_jobs_not_improving || job.completion.complete_on_convergence;
}

TEST_F(RunOutput, runs_exactly_max_number_of_training_jobs) {
  if (may_end_early(job_)) {
    EXPECT_LE(static_cast<int>(results_.trial_names.size()), job_.max_trials);
  } else {
    EXPECT_EQ(static_cast<int>(results_.trial_names.size()), job_.max_trials);
  }
  EXPECT_EQ(events("start").size(), results_.trial_names.size());
  std::set<std::string> names(results_.trial_names.begin(), results_.trial_names.end());
  EXPECT_EQ(names.size(), results_.trial_names.size()) << "a trial name was used twice";
}

TEST_F(RunOutput, every_trial_ends_in_a_final_state_within_its_budget) {
  const std::set<std::string> final_states = {"Completed", "Stopped"};
  for (std::size_t i = 0; i < results_.trial_names.size(); ++i) {
    EXPECT_TRUE(final_states.count(results_.trial_status[i]))
        << results_.trial_names[i] << " ended " << results_.trial_status[i];
    EXPECT_GE(results_.trial_epochs[i], 1);
    EXPECT_LE(results_.trial_epochs[i], job_.max_resource) << results_.trial_names[i];
    if (results_.trial_status[i] == "Completed") {
      EXPECT_EQ(results_.trial_epochs[i], job_.max_resource);
    } else if (!may_end_early(job_)) {
      EXPECT_GE(results_.trial_epochs[i], job_.min_resource);
    }
  }
  if (job_.strategy == rung::Strategy::Random) {
    for (const auto& s : results_.trial_status) EXPECT_EQ(s, "Completed");
  }
}

TEST_F(RunOutput, nothing_is_retrained_across_pauses) {
  // Every epoch is reported once: the epoch reports of a trial run 1, 2, ..., final with
  // no repeats, so resumed trials continued from their checkpoints.
  std::map<long, std::vector<int>> epochs_of;
  for (const auto& e : events("report")) epochs_of[e["trial"].as<long>()].push_back(e["epoch"].as<int>());
  long total = 0;
  for (std::size_t i = 0; i < results_.trial_epochs.size(); ++i) {
    const auto& seen = epochs_of[static_cast<long>(i)];
    ASSERT_EQ(static_cast<long>(seen.size()), results_.trial_epochs[i]) << results_.trial_names[i];
    for (std::size_t k = 0; k < seen.size(); ++k) EXPECT_EQ(seen[k], static_cast<int>(k + 1));
    total += results_.trial_epochs[i];
  }
  EXPECT_EQ(static_cast<long>(events("report").size()), total);
  EXPECT_EQ(static_cast<long>(results_.epoch_trial.size()), total);
}

TEST_F(RunOutput, promotion_type_pauses_and_resumes_trials_from_checkpoints) {
  if (job_.strategy != rung::Strategy::Hyperband || job_.asha.type != rung::AshaType::Promotion) {
    EXPECT_TRUE(events("promote").empty());
    return;
  }
  ASSERT_FALSE(events("promote").empty()) << "no trial was ever promoted";
  // Each promote event resumes a trial at the epoch where it last paused, from its checkpoint.
  std::map<long, int> paused_at;
  for (const auto& e : events_) {
    const std::string kind = e["event"].as<std::string>();
    if (kind == "release" && e["outcome"].as<std::string>() == "paused") {
      paused_at[e["trial"].as<long>()] = e["epoch"].as<int>();
    } else if (kind == "promote") {
      const long trial = e["trial"].as<long>();
      const std::string name = results_.trial_names[static_cast<std::size_t>(trial)];
      ASSERT_TRUE(paused_at.count(trial)) << name << " promoted before it paused";
      EXPECT_EQ(e["from"].as<int>(), paused_at[trial]) << name;
      EXPECT_TRUE(fs::exists(out_ + "/checkpoints/" + name + ".h5")) << name;
      paused_at.erase(trial);
    } else if (kind == "restart") {
      // A resumed segment continues a trial from its checkpoint (or from scratch): never
      // from further than where it paused.
      const long trial = e["trial"].as<long>();
      if (paused_at.count(trial)) {
        EXPECT_LE(e["from"].as<int>(), paused_at[trial]);
      }
      paused_at.erase(trial);
    } else if (kind == "start") {
      EXPECT_FALSE(paused_at.count(e["trial"].as<long>()));
    }
  }
  // Trials pause at rungs, except when a signal or deadline suspends the run: then each
  // running trial pauses at its next epoch, wherever that is.
  const std::vector<int> rungs = events("job_start").at(0)["rungs"].as<std::vector<int>>();
  bool is_suspending = false;
  for (const auto& e : events_) {
    const std::string kind = e["event"].as<std::string>();
    if (kind == "suspending") is_suspending = true;
    if (kind == "resume") is_suspending = false;
    if (kind != "release" || e["outcome"].as<std::string>() != "paused" || is_suspending) continue;
    EXPECT_TRUE(std::count(rungs.begin(), rungs.end(), e["epoch"].as<int>())) << "paused off a rung";
  }
}

TEST_F(RunOutput, trials_csv_agrees_with_results_h5) {
  const auto rows = read_csv(out_ + "/trials.csv");
  ASSERT_EQ(rows.size(), results_.trial_names.size() + 1);
  const auto& header = rows[0];
  const auto col = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  for (std::size_t i = 0; i < results_.trial_names.size(); ++i) {
    const auto& row = rows[i + 1];
    ASSERT_EQ(row.size(), header.size());
    EXPECT_EQ(row[col("name")], results_.trial_names[i]);
    EXPECT_EQ(row[col("status")], results_.trial_status[i]);
    EXPECT_EQ(std::stol(row[col("epochs")]), results_.trial_epochs[i]);
    EXPECT_NEAR(std::stod(row[col("objective")]), results_.trial_objective[i], 1e-8);
    for (const rung::ParamRange& r : job_.space.ranges()) ASSERT_LT(col(r.name), header.size());
  }
}

TEST_F(RunOutput, summary_json_names_the_best_trial) {
  const YAML::Node summary = YAML::LoadFile(out_ + "/summary.json");
  EXPECT_EQ(summary["HyperParameterTuningJobStatus"].as<std::string>(), "Completed");
  const YAML::Node counters = summary["TrainingJobStatusCounters"];
  const int trials = static_cast<int>(results_.trial_names.size());
  EXPECT_EQ(counters["Completed"].as<int>() + counters["Stopped"].as<int>(), trials);
  EXPECT_EQ(counters["InProgress"].as<int>(), 0);
  EXPECT_EQ(counters["NonRetryableError"].as<int>(), 0);
  EXPECT_EQ(summary["ObjectiveStatusCounters"]["Succeeded"].as<int>(), trials);
  EXPECT_GE(summary["ConsumedResources"]["RuntimeInSeconds"].as<int>(), 0);

  const bool maximize = job_.objective.type == rung::ObjectiveType::Maximize;
  double best = maximize ? -INFINITY : INFINITY;
  for (double v : results_.trial_objective) best = maximize ? std::max(best, v) : std::min(best, v);
  const YAML::Node metric = summary["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"];
  EXPECT_EQ(metric["MetricName"].as<std::string>(), job_.objective.metric_name);
  EXPECT_DOUBLE_EQ(metric["Value"].as<double>(), best);
  const YAML::Node tuned = summary["BestTrainingJob"]["TunedHyperParameters"];
  for (const rung::ParamRange& r : job_.space.ranges()) EXPECT_TRUE(tuned[r.name]) << r.name;
  EXPECT_EQ(summary["Rung"]["EpochsTrained"].as<long>(),
            static_cast<long>(results_.epoch_trial.size()));
}

TEST_F(RunOutput, ends_for_the_reason_the_job_set) {
  const YAML::Node summary = YAML::LoadFile(out_ + "/summary.json");
  const std::string reason =
      summary["TuningJobCompletionDetails"]["CompletionReason"].as<std::string>();
  EXPECT_EQ(events("job_end").at(0)["reason"].as<std::string>(), reason);
  if (!job_.max_runtime_s) {
    if (!may_end_early(job_)) {
      EXPECT_EQ(reason, "MaxNumberOfTrainingJobsReached");
    }
    return;
  }
  // The runtime-limit jobs are sized to outlast their limit.
  EXPECT_EQ(reason, "MaxRuntimeInSecondsReached");
  const double limit = *job_.max_runtime_s;
  for (const auto& e : events("start")) EXPECT_LT(e["t"].as<double>(), limit + 0.5);
  for (const auto& e : events("promote")) EXPECT_LT(e["t"].as<double>(), limit + 0.5);
  // Running trials stop at their next epoch boundary: the job ends within about an epoch.
  double longest_epoch = 0.0;
  for (const auto& e : events("report")) {
    longest_epoch = std::max(longest_epoch, e["train_s"].as<double>() + e["eval_s"].as<double>());
  }
  EXPECT_LT(events("job_end").at(0)["t"].as<double>(), limit + 2.0 * longest_epoch + 5.0);
}

TEST_F(RunOutput, uses_at_most_the_allowed_parallel_workers) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int workers = np_ <= 1 ? std::min(job_.max_parallel, cores) : np_ - 1;
  const int parallel = std::min(job_.max_parallel, workers);
  std::set<int> used;
  for (const auto& e : events("start")) used.insert(e["worker"].as<int>());
  for (const auto& e : events("promote")) used.insert(e["worker"].as<int>());
  for (const auto& e : events("restart")) used.insert(e["worker"].as<int>());
  EXPECT_LE(static_cast<int>(used.size()), parallel);
  for (int w : used) EXPECT_LE(w, parallel);
  // Never more trials in flight than workers: count starts/promotes minus releases.
  // A suspension releases every trial before its `suspend` event; a resumed segment (after a
  // suspension or a kill) starts with nothing in flight.
  int in_flight = 0;
  for (const auto& e : events_) {
    const std::string kind = e["event"].as<std::string>();
    if (kind == "start" || kind == "promote" || kind == "restart") ++in_flight;
    if (kind == "release") --in_flight;
    if (kind == "suspend") {
      EXPECT_EQ(in_flight, 0) << "suspended with trials in flight";
    }
    if (kind == "resume") in_flight = 0;
    EXPECT_LE(in_flight, parallel);
    EXPECT_GE(in_flight, 0);
  }
  EXPECT_EQ(in_flight, 0);
}

TEST_F(RunOutput, journal_begins_and_ends_the_job) {
  ASSERT_GE(events_.size(), 2u);
  EXPECT_EQ(events_.front()["event"].as<std::string>(), "job_start");
  EXPECT_EQ(events_.back()["event"].as<std::string>(), "job_end");
  EXPECT_TRUE(fs::exists(out_ + "/job.yaml"));
  for (const auto& entry : fs::recursive_directory_iterator(out_)) {
    EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos)
        << "temporary file left behind: " << entry.path();
  }
}

}  // namespace
