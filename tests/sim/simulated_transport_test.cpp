// The real coordinator over the simulated transport and clock, with the analytic curves.
#include "rung/sim/simulated_transport.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "rung/comm/inprocess_transport.hpp"
#include "rung/sim/analytic_curves.hpp"
#include "rung/tune/coordinator.hpp"

namespace rung {
namespace {

namespace fs = std::filesystem;

JobConfig make_job(Strategy strategy, int max_trials, int max_parallel) {
  JobConfig job;
  job.name = "sim";
  job.strategy = strategy;
  job.min_resource = 1;
  job.max_resource = 27;
  job.max_trials = max_trials;
  job.max_parallel = max_parallel;
  job.seed = 42;
  job.has_seed = true;
  job.asha.reduction_factor = 3;
  ParamRange lr;
  lr.name = "lr";
  lr.kind = ParamKind::Continuous;
  lr.min_value = 1e-4;
  lr.max_value = 1e-1;
  lr.scaling = ScalingType::Logarithmic;
  ParamRange units;
  units.name = "units";
  units.kind = ParamKind::Integer;
  units.min_value = 16;
  units.max_value = 512;
  units.scaling = ScalingType::Logarithmic;
  job.space = SearchSpace({units, lr});
  return job;
}

AnalyticCurves curves_for(const JobConfig& job) {
  AnalyticCurveOptions o;
  o.max_epochs = job.max_resource;
  o.seed = 7;
  return AnalyticCurves(job.space, o);
}

fs::path test_dir() {
  const fs::path dir = fs::path(RUNG_TEST_TMP) /
                       ::testing::UnitTest::GetInstance()->current_test_info()->name();
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

struct SimOutcome {
  RunRecord record;
  std::vector<TimelineEntry> timeline;
  std::map<TrialId, int> epochs_trained;
  std::string journal_path;
};

SimOutcome run_simulated(const JobConfig& job, int workers, const CurveSource& curves,
                         const std::string& tag = "sim") {
  const fs::path dir = fs::path(RUNG_TEST_TMP) /
                       ::testing::UnitTest::GetInstance()->current_test_info()->name() / tag;
  fs::remove_all(dir);
  fs::create_directories(dir);
  SimulatedTransport sim(workers, curves, SimulationOptions{});
  Journal journal((dir / "journal").string(), /*is_durable=*/false);
  std::ostream quiet(nullptr);  // discards: status lines at scale cost nothing to print
  Coordinator coordinator(job, {make_scheduler(job), make_searcher(job), sim, journal, sim, quiet}, CoordinatorOptions{});
  SimOutcome out;
  out.record = coordinator.run();
  journal.flush();
  out.timeline = sim.timeline();
  out.epochs_trained = sim.epochs_trained();
  out.journal_path = (dir / "journal").string();
  return out;
}

// The same curves, replayed by a thread over the in-process transport (no sleeping).
void replay_worker(WorkerTransport& t, const CurveSource& curves) {
  t.send(Ready{"simulated", "simulated"});
  std::map<TrialId, int> saved;
  for (;;) {
    ToWorker msg = t.receive();
    if (std::holds_alternative<Shutdown>(msg)) return;
    const Assign a = std::get<Assign>(msg);
    int epoch = a.start_epoch;
    for (;;) {
      ++epoch;
      t.send(EpochReport{a.trial, epoch, curves.metrics_at(a.hyperparameters, epoch),
                         curves.epoch_seconds(a.hyperparameters, epoch), 0.0});
      const auto d = std::get<DecisionMsg>(t.receive());
      if (d.verdict == Verdict::Continue) continue;
      TrialOutcome outcome = TrialOutcome::Completed;
      if (d.verdict == Verdict::Pause) outcome = TrialOutcome::Paused;
      if (d.verdict == Verdict::Stop) outcome = TrialOutcome::Stopped;
      t.send(TrialReleased{a.trial, epoch, outcome, "", 0.0});
      break;
    }
  }
}

std::vector<std::string> decisions_of(const std::string& journal_path) {
  std::ifstream in(journal_path);
  std::vector<std::string> out;
  // Times vary from run to run, and so do each record's length and checksum over them.
  const std::regex timing(
      "\"(t|train_s|eval_s|checkpoint_s|len)\":[-0-9.e+]+,?|,?\"crc\":\"[0-9a-f]{8}\"");
  for (std::string line; std::getline(in, line);) {
    out.push_back(std::regex_replace(line, timing, ""));
  }
  return out;
}

TEST(SimulatedTransport, makes_the_same_decisions_as_the_in_process_transport) {
  const JobConfig job = make_job(Strategy::Hyperband, 30, 1);
  const AnalyticCurves curves = curves_for(job);
  const fs::path dir = test_dir() / "inprocess";
  const SimOutcome sim = run_simulated(job, 1, curves);

  fs::create_directories(dir);
  InProcessHub hub(1);
  std::thread worker([&] { replay_worker(hub.worker(1), curves); });
  Journal journal((dir / "journal").string());
  WallClock clock;
  std::ostream quiet(nullptr);
  Coordinator coordinator(job, {make_scheduler(job), make_searcher(job), hub.coordinator(), journal, clock, quiet}, CoordinatorOptions{});
  const RunRecord record = coordinator.run();
  worker.join();

  const auto expected = decisions_of((dir / "journal").string());
  ASSERT_GT(expected.size(), 30u);
  EXPECT_EQ(decisions_of(sim.journal_path), expected);
  EXPECT_EQ(sim.record.total_epochs_trained, record.total_epochs_trained);
}

TEST(SimulatedTransport, charges_exactly_the_epochs_trained_across_pauses_and_resumes) {
  const JobConfig job = make_job(Strategy::Hyperband, 120, 6);
  const AnalyticCurves curves = curves_for(job);
  const SimOutcome out = run_simulated(job, 8, curves);
  ASSERT_EQ(out.record.trials.size(), 120u);
  int epochs = 0, resumed = 0;
  for (const Trial& t : out.record.trials) {
    EXPECT_EQ(static_cast<int>(t.curve.size()), t.epochs) << t.name;
    // A promoted trial goes on from its checkpoint: each of its epochs is paid once.
    ASSERT_TRUE(out.epochs_trained.count(t.id)) << t.name;
    EXPECT_EQ(out.epochs_trained.at(t.id), t.epochs) << t.name;
    for (std::size_t i = 0; i < t.curve.size(); ++i) {
      EXPECT_EQ(t.curve[i].epoch, static_cast<int>(i) + 1) << t.name;
    }
    epochs += t.epochs;
    resumed += t.times_resumed;
  }
  EXPECT_GT(resumed, 0);
  EXPECT_EQ(out.record.total_epochs_trained, epochs);
  EXPECT_EQ(static_cast<int>(out.timeline.size()), epochs);
  // A worker trains one epoch at a time.
  std::map<int, double> busy_until;
  for (const TimelineEntry& e : out.timeline) {
    EXPECT_GE(e.start_s, busy_until[e.worker] - 1e-9) << "worker " << e.worker;
    busy_until[e.worker] = e.end_s;
    EXPECT_LE(e.worker, job.max_parallel);
  }
}

TEST(SimulatedTransport, one_worker_fifo_takes_the_sum_of_its_epoch_times) {
  const JobConfig job = make_job(Strategy::Random, 6, 1);
  const AnalyticCurves curves = curves_for(job);
  const SimOutcome out = run_simulated(job, 1, curves);
  ASSERT_EQ(out.record.trials.size(), 6u);
  double total_s = 0.0;
  for (const Trial& t : out.record.trials) {
    EXPECT_EQ(t.status, TrialStatus::Completed);
    EXPECT_EQ(t.epochs, job.max_resource);
    HyperParameters hp = t.tuned;
    for (int e = 1; e <= t.epochs; ++e) total_s += curves.epoch_seconds(hp, e);
  }
  EXPECT_NEAR(out.record.runtime_s, total_s, 1e-6 * total_s);
}

TEST(SimulatedTransport, max_runtime_ends_the_run_at_the_simulated_limit) {
  JobConfig job = make_job(Strategy::Hyperband, 500, 4);
  job.max_runtime_s = 1000.0;  // simulated seconds; epochs take 10-30 s
  const AnalyticCurves curves = curves_for(job);
  const SimOutcome out = run_simulated(job, 4, curves);
  EXPECT_EQ(out.record.end_reason, EndReason::MaxRuntimeInSecondsReached);
  EXPECT_LT(out.record.trials.size(), 500u);
  EXPECT_GE(out.record.end_decided_s, 1000.0);
  EXPECT_LT(out.record.end_decided_s, 1000.0 + 0.05);
  // Running trials end at their next epoch boundary, at most one (<= 30 s) epoch later.
  EXPECT_LE(out.record.runtime_s, 1000.0 + 30.0 + 1e-6);
  for (const Trial& t : out.record.trials) {
    EXPECT_LT(t.start_s, 1000.0 + 0.05) << t.name;
    EXPECT_NE(t.status, TrialStatus::Running) << t.name;
    EXPECT_NE(t.status, TrialStatus::Paused) << t.name;
  }
}

TEST(SimulatedTransport, hyperband_finds_a_near_best_configuration_of_the_analytic_function) {
  JobConfig job = make_job(Strategy::Hyperband, 400, 16);
  job.max_resource = 81;
  const AnalyticCurves curves = curves_for(job);
  const SimOutcome out = run_simulated(job, 16, curves);
  const auto best = out.record.best_trial(true);
  ASSERT_TRUE(best);
  const Trial& t = out.record.trials[static_cast<std::size_t>(*best)];
  EXPECT_EQ(t.epochs, job.max_resource);
  EXPECT_GT(curves.final_value(t.tuned), curves.best_final_value() - 0.02)
      << "best found " << *t.objective << ", optimum " << curves.best_final_value();
}

TEST(SimulatedTransport, runs_a_thousand_workers) {
  JobConfig job = make_job(Strategy::Hyperband, 5000, 1000);
  const AnalyticCurves curves = curves_for(job);
  const SimOutcome out = run_simulated(job, 1000, curves);
  EXPECT_EQ(out.record.trials.size(), 5000u);
  std::set<int> workers;
  for (const TimelineEntry& e : out.timeline) workers.insert(e.worker);
  EXPECT_EQ(workers.size(), 1000u);
  for (const Trial& t : out.record.trials) {
    EXPECT_TRUE(t.status == TrialStatus::Completed || t.status == TrialStatus::Stopped) << t.name;
  }
}

TEST(SimulatedTransport, charging_decision_time_moves_the_clock_forward) {
  const JobConfig job = make_job(Strategy::Random, 4, 2);
  const AnalyticCurves curves = curves_for(job);
  SimulationOptions options;
  options.charge_decision_time = true;
  SimulatedTransport sim(2, curves, options);
  const fs::path dir = test_dir();
  Journal journal((dir / "journal").string(), /*is_durable=*/false);
  std::ostream quiet(nullptr);
  Coordinator coordinator(job, {make_scheduler(job), make_searcher(job), sim, journal, sim, quiet}, CoordinatorOptions{});
  const RunRecord record = coordinator.run();
  EXPECT_GT(sim.charged_decision_s(), 0.0);
  EXPECT_EQ(record.trials.size(), 4u);
}

}  // namespace
}  // namespace rung
