// The coordinator over the in-process transport, with workers that replay a known learning
// curve instead of training (the trainer is not what is under test here).
#include "rung/tune/coordinator.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include "rung/comm/inprocess_transport.hpp"
#include "rung/config/error.hpp"
#include "rung/tune/journal_reader.hpp"

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
      // (the epoch's wall time as its train time: deadlines estimate from it)
      t.send(EpochReport{a.trial, epoch, metrics, static_cast<double>(epoch_time.count()) / 1000.0,
                         0.0, 0});
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
  Coordinator coordinator(job, {make_scheduler(job), make_searcher(job), hub.coordinator(), journal, clock, console}, CoordinatorOptions{});
  Outcome out;
  out.record = coordinator.run();
  for (auto& t : threads) t.join();
  out.console = console.str();
  out.journal_records = journal.records();
  out.journal_path = (dir / "journal").string();
  return out;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
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

// A hung worker rank (in MPI runs: a stopped process, a dead node MPI does not notice): worker
// 2 reports one epoch, then sends nothing, not even the heartbeats the live workers send.
TEST(Coordinator, a_silent_worker_is_given_up_its_trial_fails_and_the_others_finish) {
  JobConfig job = make_job(Strategy::Hyperband, 0.05);
  job.max_trials = 12;
  const fs::path dir = fs::path(RUNG_TEST_TMP) / "silent_worker";
  fs::remove_all(dir);
  fs::create_directories(dir);
  InProcessHub hub(3);
  ReplayStore store;
  std::atomic<bool> is_over{false};
  std::vector<std::thread> threads;
  for (int w : {1, 3}) {
    threads.emplace_back([&, w] { replay_worker(hub.worker(w), store, true, std::chrono::milliseconds(5)); });
  }
  threads.emplace_back([&] {
    while (!is_over) {
      hub.worker(1).send(Heartbeat{});
      hub.worker(3).send(Heartbeat{});
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  threads.emplace_back([&] {
    WorkerTransport& t = hub.worker(2);
    t.send(Ready{"localhost", "replay"});
    const Assign a = std::get<Assign>(t.receive());
    t.send(EpochReport{a.trial, 1, {{"validation:accuracy", 0.6}, {"validation:loss", 0.4}}, 0.0, 0.0, 0});
    (void)t.receive();  // the decision; then silence
    while (!is_over) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  });
  Journal journal((dir / "journal").string());
  WallClock clock;
  std::ostringstream console;
  CoordinatorOptions options;
  options.worker_timeout_s = 1.0;  // 50 heartbeats: a loaded machine still delivers some
  Coordinator coordinator(job, {make_scheduler(job), make_searcher(job), hub.coordinator(), journal, clock, console}, options);
  const RunRecord record = coordinator.run();
  is_over = true;
  for (auto& t : threads) t.join();

  EXPECT_EQ(coordinator.lost_workers(), std::set<int>{2});
  ASSERT_EQ(record.trials.size(), 12u);
  expect_all_final(record);
  int failed = 0;
  for (const Trial& t : record.trials) {
    if (t.status == TrialStatus::Failed) {
      ++failed;
      EXPECT_NE(t.failure_reason.find("worker 2 sent nothing for"), std::string::npos) << t.failure_reason;
      EXPECT_EQ(t.epochs, 1);
      continue;
    }
    for (const EpochRecord& e : t.curve) EXPECT_NE(e.worker, 2) << t.name << " trained on the lost worker";
  }
  EXPECT_EQ(failed, 1);
  EXPECT_NE(console.str().find("lost       worker 2 sent nothing"), std::string::npos) << console.str();
  EXPECT_NE(read_file(dir / "journal").find(R"("why":"worker lost")"), std::string::npos);
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
  // Times vary from run to run, and so do the record's length and checksum over them.
  const std::regex timing(
      "\"(t|train_s|eval_s|checkpoint_s|len)\":[-0-9.e+]+,?|,?\"crc\":\"[0-9a-f]{8}\"");
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

// --- Resuming -------------------------------------------------------------------------------

// What a resumable test run ends with: its record and whether it was suspended.
struct Segment {
  RunRecord record;
  bool is_suspended = false;
  int recomputed = 0;
  std::string console;
};

// Runs `job` in `dir` (continuing the journal there when `plan` is given) with workers whose
// checkpoints are `store`; `suspend` is the suspend flag (a worker may set it).
Segment run_segment(const JobConfig& job, int workers, const fs::path& dir, ReplayStore& store,
                    std::optional<ResumePlan> plan, std::atomic<int>* suspend = nullptr,
                    long long keep_bytes = 0,
                    std::chrono::milliseconds epoch_time = std::chrono::milliseconds(0),
                    std::optional<double> deadline_in_s = std::nullopt) {
  InProcessHub hub(workers);
  std::vector<std::thread> threads;
  for (int w = 1; w <= workers; ++w) {
    threads.emplace_back([&, w] { replay_worker(hub.worker(w), store, true, epoch_time); });
  }
  Journal journal = plan ? Journal::continue_at((dir / "journal").string(), keep_bytes)
                         : Journal((dir / "journal").string());
  WallClock clock;
  std::ostringstream console;
  CoordinatorOptions options;
  options.suspend_signal = suspend;
  options.deadline_in_s = deadline_in_s;
  Coordinator coordinator(job, {make_scheduler(job), make_searcher(job), hub.coordinator(), journal, clock, console}, options);
  if (plan) coordinator.resume_from(*plan);
  Segment out;
  out.record = coordinator.run();
  for (auto& t : threads) t.join();
  out.is_suspended = coordinator.is_suspended();
  out.recomputed = coordinator.recomputed_epochs();
  out.console = console.str();
  return out;
}

// The part of a run that must not depend on interruptions.
std::string outcome_of(const RunRecord& record) {
  std::ostringstream out;
  for (const Trial& t : record.trials) {
    out << t.name << ' ' << to_string(t.status) << ' ' << t.epochs << ' '
        << std::get<double>(t.tuned.at("lr")) << ' ' << (t.objective ? *t.objective : -1.0);
    for (const EpochRecord& e : t.curve)
      out << ' ' << e.epoch << ':' << e.metrics.at("validation:accuracy");
    out << '\n';
  }
  return out.str();
}

// The checkpoints a run cut after `events` has: each trial's last committed pause.
std::map<TrialId, int> checkpoints_after(const std::vector<std::string>& events) {
  std::map<TrialId, int> saved;
  const std::regex paused(
      "\"event\":\"release\",\"trial\":([0-9]+),\"worker\":[0-9]+,\"epoch\":([0-9]+),\"outcome\":"
      "\"paused\"");
  std::smatch m;
  for (const std::string& e : events) {
    if (std::regex_search(e, m, paused)) saved[std::stol(m[1])] = std::stoi(m[2]);
  }
  return saved;
}

ResumePlan plan_for(const fs::path& dir, const std::map<TrialId, int>& saved, const JobConfig& job,
                    long long& keep_bytes) {
  const JournalRecords records = read_journal_records((dir / "journal").string());
  keep_bytes = records.valid_bytes;
  ResumePlan plan;
  plan.journal_path = (dir / "journal").string();
  plan.events = records.events;
  for (const auto& [id, epoch] : saved) {
    char name[64];
    std::snprintf(name, sizeof name, "%s-%03lld", job.name.c_str(), static_cast<long long>(id + 1));
    plan.checkpoint_epochs[name] = epoch;
  }
  return plan;
}

TEST(CoordinatorResume, a_run_cut_after_any_record_resumes_to_the_uninterrupted_outcome) {
  // One worker: ASHA's decisions depend only on the order of events, so a resumed run must
  // reproduce the uninterrupted one exactly, wherever the journal was cut.
  const JobConfig job = make_job(Strategy::Hyperband, 0.05);
  const fs::path base = fs::path(RUNG_TEST_TMP) / "resume_cuts";
  fs::remove_all(base);
  fs::create_directories(base / "full");
  ReplayStore full_store;
  const Segment full = run_segment(job, 1, base / "full", full_store, std::nullopt);
  const std::string expected = outcome_of(full.record);
  const JournalRecords all = read_journal_records((base / "full" / "journal").string());
  ASSERT_GT(all.events.size(), 50u);
  std::ifstream in(base / "full" / "journal", std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::size_t cut_at = 0;
  int resumed = 0;
  for (std::size_t k = 1; k + 1 < all.events.size(); k += 3) {
    // The first k records, then half of the next one (a write cut short by the crash).
    for (std::size_t i = 0, n = 0; i < bytes.size(); ++i) {
      if (bytes[i] == '\n' && ++n == k) {
        cut_at = i + 1;
        break;
      }
    }
    const std::size_t next_end = bytes.find('\n', cut_at);
    const fs::path dir = base / ("cut" + std::to_string(k));
    fs::create_directories(dir);
    std::ofstream(dir / "journal", std::ios::binary)
        << bytes.substr(0, cut_at + (next_end - cut_at) / 2);
    const std::vector<std::string> kept(all.events.begin(),
                                        all.events.begin() + static_cast<long>(k));
    ReplayStore store;
    store.saved_epoch = checkpoints_after(kept);
    long long keep_bytes = 0;
    const ResumePlan plan = plan_for(dir, store.saved_epoch, job, keep_bytes);
    ASSERT_EQ(plan.events.size(), k);
    const Segment segment = run_segment(job, 1, dir, store, plan, nullptr, keep_bytes);
    EXPECT_EQ(outcome_of(segment.record), expected) << "cut after record " << k << "\n"
                                                    << segment.console;
    EXPECT_EQ(segment.record.trials.size(), static_cast<std::size_t>(job.max_trials));
    // The resumed journal is whole again (the torn record was cut off) and has ended.
    const JournalSnapshot snapshot = read_journal((dir / "journal").string());
    EXPECT_FALSE(snapshot.has_truncated_tail) << k;
    EXPECT_TRUE(snapshot.has_ended) << k;
    ++resumed;
  }
  EXPECT_GT(resumed, 15);
}

TEST(CoordinatorResume, several_workers_any_cut_replays_and_finishes_the_job) {
  // Three workers, ASHA: the outcome depends on timing, but every cut must replay (promotions
  // decided before a checkpoint was written included) and finish with every trial final.
  const JobConfig job = make_job(Strategy::Hyperband, 0.05);
  const fs::path base = fs::path(RUNG_TEST_TMP) / "resume_cuts_3";
  fs::remove_all(base);
  fs::create_directories(base / "full");
  ReplayStore full_store;
  (void)run_segment(job, 3, base / "full", full_store, std::nullopt, nullptr, 0,
                    std::chrono::milliseconds(1));
  const JournalRecords all = read_journal_records((base / "full" / "journal").string());
  std::ifstream in(base / "full" / "journal", std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  int pending_promotions = 0;
  for (const std::string& e : all.events)
    pending_promotions += e.find("promote_pending") != std::string::npos;
  std::size_t cut_at = 0;
  std::size_t k = 0;
  for (std::size_t step = 1; k + step < all.events.size();) {
    k += step;
    step = 1 + k % 4;
    cut_at = 0;
    for (std::size_t i = 0, n = 0; i < bytes.size(); ++i) {
      if (bytes[i] == '\n' && ++n == k) {
        cut_at = i + 1;
        break;
      }
    }
    const fs::path dir = base / ("cut" + std::to_string(k));
    fs::create_directories(dir);
    std::ofstream(dir / "journal", std::ios::binary) << bytes.substr(0, cut_at);
    const std::vector<std::string> kept(all.events.begin(),
                                        all.events.begin() + static_cast<long>(k));
    ReplayStore store;
    store.saved_epoch = checkpoints_after(kept);
    long long keep_bytes = 0;
    const ResumePlan plan = plan_for(dir, store.saved_epoch, job, keep_bytes);
    const Segment segment = run_segment(job, 3, dir, store, plan, nullptr, keep_bytes);
    EXPECT_EQ(segment.record.trials.size(), static_cast<std::size_t>(job.max_trials)) << k;
    expect_all_final(segment.record);
    EXPECT_TRUE(read_journal((dir / "journal").string()).has_ended) << k;
  }
  std::printf("%zu records, %d promotion(s) decided before their checkpoint\n", all.events.size(),
              pending_promotions);
}

TEST(CoordinatorResume, a_suspend_request_checkpoints_running_trials_and_resume_finishes) {
  // Three workers, Random without early stopping: the outcome does not depend on event order.
  JobConfig job = make_job(Strategy::Random, 0.05);
  const fs::path base = fs::path(RUNG_TEST_TMP) / "resume_suspend";
  fs::remove_all(base);
  fs::create_directories(base / "full");
  fs::create_directories(base / "cut");
  ReplayStore full_store;
  const std::string expected =
      outcome_of(run_segment(job, 3, base / "full", full_store, std::nullopt).record);

  std::atomic<int> suspend{10};  // before any work: nothing starts, the run suspends at once
  ReplayStore store;
  const Segment first = run_segment(job, 3, base / "cut", store, std::nullopt, &suspend);
  EXPECT_TRUE(first.is_suspended);
  EXPECT_TRUE(first.record.trials.empty());

  // Then suspend and resume over and over, each segment a few epochs long.
  const auto epoch_time = std::chrono::milliseconds(2);
  int segments = 1;
  int suspended_mid_run = 0;
  for (; segments < 60; ++segments) {
    suspend.store(0);
    long long keep_bytes = 0;
    const ResumePlan plan = plan_for(base / "cut", store.saved_epoch, job, keep_bytes);
    // The signal comes once this segment has journaled a few reports (progress, whatever the
    // machine's load).
    std::atomic<bool> is_finished{false};
    std::thread later([&] {
      while (!is_finished.load()) {
        std::error_code ec;
        const auto size = fs::file_size(base / "cut" / "journal", ec);
        if (!ec && static_cast<long long>(size) > keep_bytes + 1500) {
          suspend.store(15);
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
    const Segment next =
        run_segment(job, 3, base / "cut", store, plan, &suspend, keep_bytes, epoch_time);
    is_finished.store(true);
    later.join();
    // A suspension pauses trials at an epoch boundary: nothing is trained twice.
    EXPECT_EQ(next.recomputed, 0) << next.console;
    if (!next.is_suspended) {
      EXPECT_EQ(outcome_of(next.record), expected);
      EXPECT_EQ(next.record.trials.size(), static_cast<std::size_t>(job.max_trials));
      break;
    }
    suspended_mid_run += next.console.find("checkpointing 0 running") == std::string::npos;
  }
  EXPECT_GE(suspended_mid_run, 2) << "no suspension caught trials mid-run";
  EXPECT_LT(segments, 60) << "never finished";
  const JournalSnapshot snapshot = read_journal((base / "cut" / "journal").string());
  EXPECT_TRUE(snapshot.has_ended);
}

TEST(CoordinatorResume, deadlines_hold_back_work_then_resumes_end_like_an_uninterrupted_run) {
  // One worker, ASHA: segments cut by deadlines (work that would overrun is held back: a
  // promotion is journaled and started first in the next segment) end exactly like one run.
  const JobConfig job = make_job(Strategy::Hyperband, 0.05);
  const fs::path base = fs::path(RUNG_TEST_TMP) / "resume_deadline";
  fs::remove_all(base);
  fs::create_directories(base / "full");
  fs::create_directories(base / "cut");
  ReplayStore full_store;
  const std::string expected =
      outcome_of(run_segment(job, 1, base / "full", full_store, std::nullopt).record);
  // Epochs take 3 ms and each segment 30 ms: a few epochs, then work is held back.
  ReplayStore store;
  const auto epoch_time = std::chrono::milliseconds(3);
  int segments = 0;
  int held = 0;
  bool is_done = false;
  std::optional<ResumePlan> plan;
  long long keep_bytes = 0;
  for (; segments < 80 && !is_done; ++segments) {
    const Segment s =
        run_segment(job, 1, base / "cut", store, plan, nullptr, keep_bytes, epoch_time, 0.03);
    held += s.console.find("deadline: holding the promotion") != std::string::npos ||
            s.console.find("deadline: not starting") != std::string::npos;
    EXPECT_EQ(s.recomputed, 0) << s.console;
    if (!s.is_suspended) {
      EXPECT_EQ(outcome_of(s.record), expected);
      is_done = true;
    } else {
      EXPECT_NE(s.console.find("suspended (deadline)"), std::string::npos) << s.console;
    }
    plan = plan_for(base / "cut", store.saved_epoch, job, keep_bytes);
  }
  EXPECT_TRUE(is_done) << "never finished in " << segments << " segments";
  EXPECT_GT(segments, 2);
  EXPECT_GT(held, 0) << "no segment held work back";
  // The held promotions went through the journal (and were started first on resume).
  std::ifstream in(base / "cut" / "journal");
  const std::string journal{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const std::regex held_promotion("\"held\":\"deadline\"");
  const auto promotions_held = std::distance(
      std::sregex_iterator(journal.begin(), journal.end(), held_promotion), std::sregex_iterator());
  std::printf("%d segments, %ld promotion(s) held for the next segment\n", segments,
              static_cast<long>(promotions_held));
}

}  // namespace
}  // namespace rung
