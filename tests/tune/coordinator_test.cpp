// The coordinator over the in-process transport, with workers that replay a known learning
// curve instead of training (the trainer is not what is under test here).
#include "rung/tune/coordinator.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <mutex>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "rung/comm/inprocess_transport.hpp"
#include "rung/config/error.hpp"

namespace rung {
namespace {

namespace fs = std::filesystem;

// Accuracy rises with epochs, faster for learning rates near 1e-2; "lr" above 0.09 fails.
double curve(double lr, int epoch) {
  const double quality = 1.0 / (1.0 + std::pow(std::log10(lr) + 2.0, 2));
  return 0.5 + 0.45 * quality * (1.0 - std::exp(-0.5 * epoch));
}

// Checkpoints are a map trial -> epoch, shared by the replay workers.
struct ReplayStore {
  std::mutex mutex;
  std::map<TrialId, int> saved_epoch;
};

void replay_worker(WorkerTransport& t, ReplayStore& store, bool report_objective,
                   std::chrono::milliseconds epoch_time) {
  t.send(Ready{"localhost", "replay"});
  for (;;) {
    ToWorker msg = t.receive();
    if (std::holds_alternative<Shutdown>(msg)) return;
    const Assign a = std::get<Assign>(msg);
    int epoch = a.start_epoch;
    if (epoch > 0) {
      std::lock_guard<std::mutex> lock(store.mutex);
      ASSERT_EQ(store.saved_epoch.at(a.trial), epoch) << "resumed from the wrong epoch";
    }
    const double lr = std::get<double>(a.hyperparameters.at("lr"));
    if (lr > 0.09) {
      t.send(TrialReleased{a.trial, epoch, TrialOutcome::Failed, "loss is NaN", 0.0});
      continue;
    }
    for (;;) {
      ++epoch;
      if (epoch_time.count() > 0) std::this_thread::sleep_for(epoch_time);
      std::map<std::string, double> metrics = {{"validation:loss", 1.0 - curve(lr, epoch)}};
      if (report_objective) metrics["validation:accuracy"] = curve(lr, epoch);
      t.send(EpochReport{a.trial, epoch, metrics, 0.0, 0.0});
      const auto d = std::get<DecisionMsg>(t.receive());
      if (d.verdict == Verdict::Continue) continue;
      TrialOutcome outcome = TrialOutcome::Completed;
      if (d.verdict == Verdict::Pause) {
        std::lock_guard<std::mutex> lock(store.mutex);
        store.saved_epoch[a.trial] = epoch;
        outcome = TrialOutcome::Paused;
      } else if (d.verdict == Verdict::Stop) {
        outcome = TrialOutcome::Stopped;
      }
      t.send(TrialReleased{a.trial, epoch, outcome, "", 0.0});
      break;
    }
  }
}

JobConfig make_job(Strategy strategy, double max_lr) {
  JobConfig job;
  job.name = "replay";
  job.strategy = strategy;
  job.min_resource = 1;
  job.max_resource = 9;
  job.max_trials = 20;
  job.max_parallel = 3;
  job.seed = 123;
  job.has_seed = true;
  job.asha.reduction_factor = 3;
  ParamRange lr;
  lr.name = "lr";
  lr.kind = ParamKind::Continuous;
  lr.min_value = 1e-4;
  lr.max_value = max_lr;
  lr.scaling = ScalingType::Logarithmic;
  job.space = SearchSpace({lr});
  return job;
}

struct Outcome {
  RunRecord record;
  std::string console;
  long long journal_records = 0;
  std::string journal_path;
};

Outcome run_job(const JobConfig& job, int workers, bool report_objective = true,
                std::chrono::milliseconds epoch_time = std::chrono::milliseconds(0)) {
  const fs::path dir = fs::path(RUNG_TEST_TMP) / ::testing::UnitTest::GetInstance()->current_test_info()->name();
  fs::remove_all(dir);
  fs::create_directories(dir);
  InProcessHub hub(workers);
  ReplayStore store;
  std::vector<std::thread> threads;
  for (int w = 1; w <= workers; ++w) {
    threads.emplace_back([&, w] { replay_worker(hub.worker(w), store, report_objective, epoch_time); });
  }
  Journal journal((dir / "journal").string());
  WallClock clock;
  std::ostringstream console;
  Coordinator coordinator(job, hub.coordinator(), journal, clock, console, CoordinatorOptions{});
  Outcome out;
  out.record = coordinator.run();
  for (auto& t : threads) t.join();
  out.console = console.str();
  out.journal_records = journal.records();
  out.journal_path = (dir / "journal").string();
  return out;
}

// Every trial of an ended job is in a final state.
void expect_all_final(const RunRecord& record) {
  for (const Trial& t : record.trials) {
    EXPECT_TRUE(t.status == TrialStatus::Completed || t.status == TrialStatus::Stopped ||
                t.status == TrialStatus::Failed)
        << t.name << " is " << to_string(t.status);
    EXPECT_GE(t.end_s, 0.0) << t.name;
  }
}

TEST(Coordinator, hyperband_runs_max_trials_and_promotes_paused_trials) {
  const JobConfig job = make_job(Strategy::Hyperband, 0.05);
  const Outcome out = run_job(job, 3);
  ASSERT_EQ(out.record.trials.size(), 20u);
  int resumed = 0, completed = 0, epochs = 0;
  for (const Trial& t : out.record.trials) {
    EXPECT_LE(t.epochs, job.max_resource);
    EXPECT_GE(t.epochs, job.min_resource);
    EXPECT_TRUE(t.status == TrialStatus::Completed || t.status == TrialStatus::Stopped) << t.name;
    EXPECT_EQ(static_cast<int>(t.curve.size()), t.epochs);
    resumed += t.times_resumed;
    completed += t.status == TrialStatus::Completed;
    epochs += t.epochs;
  }
  EXPECT_GT(resumed, 0);
  EXPECT_GE(completed, 1);
  EXPECT_EQ(out.record.total_epochs_trained, epochs);
  EXPECT_LT(epochs, 20 * job.max_resource) << "ASHA should spend less than full budget";
  EXPECT_NE(out.console.find("Best configuration"), std::string::npos);
  EXPECT_GT(out.journal_records, 20);
}

TEST(Coordinator, random_trains_every_trial_to_max_resource) {
  JobConfig job = make_job(Strategy::Random, 0.05);
  job.max_trials = 5;
  const Outcome out = run_job(job, 2);
  ASSERT_EQ(out.record.trials.size(), 5u);
  for (const Trial& t : out.record.trials) {
    EXPECT_EQ(t.status, TrialStatus::Completed);
    EXPECT_EQ(t.epochs, job.max_resource);
    EXPECT_EQ(t.times_resumed, 0);
  }
}

TEST(Coordinator, failed_trials_are_recorded_and_the_job_goes_on) {
  JobConfig job = make_job(Strategy::Hyperband, 0.5);  // lr > 0.09 fails in the replay
  job.max_trials = 12;
  const Outcome out = run_job(job, 2);
  ASSERT_EQ(out.record.trials.size(), 12u);
  int failed = 0;
  for (const Trial& t : out.record.trials) {
    if (std::get<double>(t.tuned.at("lr")) > 0.09) {
      EXPECT_EQ(t.status, TrialStatus::Failed);
      EXPECT_EQ(t.failure_reason, "loss is NaN");
      ++failed;
    } else {
      EXPECT_NE(t.status, TrialStatus::Failed);
    }
  }
  EXPECT_GT(failed, 0);
}

TEST(Coordinator, a_missing_objective_metric_fails_the_trial) {
  JobConfig job = make_job(Strategy::Random, 0.05);
  job.max_trials = 2;
  const Outcome out = run_job(job, 1, /*report_objective=*/false);
  for (const Trial& t : out.record.trials) {
    EXPECT_EQ(t.status, TrialStatus::Failed);
    EXPECT_NE(t.failure_reason.find("validation:accuracy"), std::string::npos);
    EXPECT_EQ(t.epochs, 1);
  }
}

TEST(Coordinator, extra_workers_beyond_max_parallel_stay_idle) {
  JobConfig job = make_job(Strategy::Hyperband, 0.05);
  job.max_parallel = 2;
  const Outcome out = run_job(job, 4);
  for (const Trial& t : out.record.trials) {
    for (const EpochRecord& e : t.curve) EXPECT_LE(e.worker, 2);
  }
}

TEST(Coordinator, target_objective_value_ends_the_job_early) {
  JobConfig job = make_job(Strategy::Random, 0.05);
  job.max_trials = 40;
  job.completion.target_objective_value = 0.8;
  const Outcome out = run_job(job, 2);
  EXPECT_EQ(out.record.end_reason, EndReason::TargetObjectiveMetricValueReached);
  EXPECT_LT(out.record.trials.size(), 40u);
  expect_all_final(out.record);
  const auto best = out.record.best_trial(true);
  ASSERT_TRUE(best);
  EXPECT_GE(*out.record.trials[static_cast<std::size_t>(*best)].objective, 0.8);
}

TEST(Coordinator, best_objective_not_improving_ends_the_job) {
  JobConfig job = make_job(Strategy::Random, 0.05);
  job.max_trials = 200;
  job.completion.max_jobs_not_improving = 3;
  const Outcome out = run_job(job, 1);
  EXPECT_EQ(out.record.end_reason, EndReason::BestObjectiveNotImproving);
  EXPECT_GE(out.record.trials_not_improving, 3);
  EXPECT_LT(out.record.trials.size(), 200u);
  expect_all_final(out.record);
}

TEST(Coordinator, convergence_ends_the_job_after_two_windows_at_least) {
  JobConfig job = make_job(Strategy::Random, 0.05);
  job.max_trials = 500;
  job.completion.complete_on_convergence = true;
  const Outcome out = run_job(job, 1);
  EXPECT_EQ(out.record.end_reason, EndReason::ConvergenceDetected);
  EXPECT_GE(out.record.trials.size(), 20u);  // W = max(10, 2 x 3): at least 2W finished
  EXPECT_LT(out.record.trials.size(), 500u);
  expect_all_final(out.record);
}

TEST(Coordinator, max_runtime_stops_running_trials_cleanly) {
  JobConfig job = make_job(Strategy::Hyperband, 0.05);
  job.max_trials = 200;
  job.max_runtime_s = 0.3;
  const Outcome out = run_job(job, 3, true, std::chrono::milliseconds(20));
  EXPECT_EQ(out.record.end_reason, EndReason::MaxRuntimeInSecondsReached);
  EXPECT_LT(out.record.trials.size(), 200u);
  expect_all_final(out.record);
  // Nothing starts after the limit; running trials end at their next epoch boundary.
  EXPECT_LT(out.record.runtime_s, 0.3 + 5.0);
  for (const Trial& t : out.record.trials) EXPECT_LT(t.start_s, 0.3 + 1e-3) << t.name;
  EXPECT_NE(out.console.find("MaxRuntimeInSecondsReached"), std::string::npos);
}

// The journal without its timings: what was decided, in order.
std::vector<std::string> decisions_of(const std::string& journal_path) {
  std::ifstream in(journal_path);
  std::vector<std::string> out;
  const std::regex timing("\"(t|train_s|eval_s|checkpoint_s)\":[-0-9.e+]+,?");
  for (std::string line; std::getline(in, line);) out.push_back(std::regex_replace(line, timing, ""));
  return out;
}

TEST(Coordinator, same_seed_and_event_order_reproduce_every_decision) {
  const JobConfig job = make_job(Strategy::Hyperband, 0.05);
  const Outcome first = run_job(job, 1);
  const auto first_decisions = decisions_of(first.journal_path);
  const Outcome second = run_job(job, 1);
  EXPECT_EQ(decisions_of(second.journal_path), first_decisions);
  JobConfig other = job;
  other.seed = job.seed + 1;
  const Outcome third = run_job(other, 1);
  EXPECT_NE(decisions_of(third.journal_path), first_decisions);
}

}  // namespace
}  // namespace rung
