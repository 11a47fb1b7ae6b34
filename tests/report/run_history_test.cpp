#include "rung/report/run_history.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "rung/config/error.hpp"

namespace rung::report {
namespace {

// A small Hyperband-like journal as the coordinator writes it, with the framing keys
// (len, crc) another change adds and an event kind this reader does not know.
const char* kJournal =
    R"({"t":0,"event":"job_start","job":"j<1>","strategy":"Hyperband","scheduler":"hyperband","searcher":"random","workers":2,"parallelism":2,"seed":5,"max_trials":2,"min_resource":1,"max_resource":3,"rungs":[1,3],"objective":"validation:accuracy","objective_type":"Maximize","len":10,"crc":"0badf00d"})"
    "\n"
    R"({"t":0.1,"event":"worker_ready","worker":1,"host":"h","device":"cpu","used":true})"
    "\n"
    R"({"t":0.1,"event":"worker_ready","worker":2,"host":"h","device":"cpu","used":true})"
    "\n"
    R"({"t":1,"event":"start","trial":0,"name":"t-0","worker":1,"seed":1,"until":1,"hyperparameters":{"learning_rate":0.01,"optimizer":"adam"}})"
    "\n"
    R"({"t":1,"event":"start","trial":1,"name":"t-1","worker":2,"seed":2,"until":1,"hyperparameters":{"learning_rate":5.0,"optimizer":"sgd"}})"
    "\n"
    R"({"t":4,"event":"report","trial":0,"epoch":1,"worker":1,"metrics":{"validation:accuracy":0.7},"train_s":2,"eval_s":1,"decision":"Pause","len":99,"crc":"12345678"})"
    "\n"
    R"({"t":4.5,"event":"report","trial":1,"epoch":1,"worker":2,"metrics":{"validation:accuracy":null},"train_s":3,"eval_s":0.5,"decision":"Continue"})"
    "\n"
    R"({"t":4.6,"event":"release","trial":1,"worker":2,"epoch":1,"outcome":"failed","status":"Failed","checkpoint_s":0,"message":"loss is NaN"})"
    "\n"
    R"({"t":5,"event":"release","trial":0,"worker":1,"epoch":1,"outcome":"paused","status":"Paused","checkpoint_s":0.5})"
    "\n"
    R"({"t":5.5,"event":"heartbeat","segment":2})"
    "\n"
    R"({"t":6,"event":"promote","trial":0,"worker":2,"from":1,"until":3})"
    "\n"
    R"({"t":9,"event":"report","trial":0,"epoch":2,"worker":2,"metrics":{"validation:accuracy":0.8},"train_s":2,"eval_s":1,"decision":"Continue"})"
    "\n"
    R"({"t":12,"event":"report","trial":0,"epoch":3,"worker":2,"metrics":{"validation:accuracy":0.75},"train_s":2,"eval_s":1,"decision":"Complete"})"
    "\n"
    R"({"t":12,"event":"release","trial":0,"worker":2,"epoch":3,"outcome":"completed","status":"Completed","checkpoint_s":0})"
    "\n"
    R"({"t":12.5,"event":"job_end","reason":"MaxNumberOfTrainingJobsReached","trials":2,"epochs":4})"
    "\n"
    R"({"t":13,"event":"rep)";  // a write in progress

TEST(RunHistory, replays_trials_states_pauses_and_promotions) {
  std::istringstream in(kJournal);
  const RunHistory h = replay_history(in, "journal");
  EXPECT_TRUE(h.has_job_start);
  EXPECT_EQ(h.job_name, "j<1>");
  EXPECT_EQ(h.rungs, (std::vector<long long>{1, 3}));
  EXPECT_TRUE(h.has_ended);
  EXPECT_EQ(h.end_reason, "MaxNumberOfTrainingJobsReached");
  EXPECT_TRUE(h.has_truncated_tail);
  EXPECT_EQ(h.unknown_events, 1);
  EXPECT_EQ(h.epochs_reported, 4);
  ASSERT_EQ(h.trials.size(), 2u);
  const TrialHistory& t0 = h.trials[0];
  EXPECT_EQ(t0.state, FinalState::Completed);
  EXPECT_EQ(t0.paused_at, (std::vector<long long>{1}));
  EXPECT_EQ(t0.promoted_from, (std::vector<long long>{1}));
  EXPECT_EQ(t0.reports.size(), 3u);
  ASSERT_TRUE(t0.objective);
  EXPECT_DOUBLE_EQ(*t0.objective, 0.75);
  ASSERT_EQ(t0.hyperparameters.size(), 2u);
  EXPECT_TRUE(t0.hyperparameters[0].second.is_number);
  EXPECT_EQ(t0.hyperparameters[1].second.text, "adam");
  const TrialHistory& t1 = h.trials[1];
  EXPECT_EQ(t1.state, FinalState::Failed);
  EXPECT_EQ(t1.message, "loss is NaN");
  EXPECT_FALSE(t1.objective);
  EXPECT_TRUE(std::isnan(t1.reports[0].objective));
  ASSERT_NE(h.best_trial(), nullptr);
  EXPECT_EQ(h.best_trial()->name, "t-0");
  EXPECT_EQ(h.worker_ids, (std::vector<int>{1, 2}));
}

TEST(RunHistory, incumbent_is_the_best_reported_so_far) {
  std::istringstream in(kJournal);
  const RunHistory h = replay_history(in, "journal");
  ASSERT_EQ(h.incumbent.size(), 2u);
  EXPECT_DOUBLE_EQ(h.incumbent[0].best, 0.7);
  EXPECT_DOUBLE_EQ(h.incumbent[0].t, 4);
  EXPECT_EQ(h.incumbent[0].epochs_spent, 1);
  EXPECT_DOUBLE_EQ(h.incumbent[1].best, 0.8);  // 0.75 later is no improvement
  EXPECT_EQ(h.incumbent[1].epochs_spent, 3);
}

TEST(RunHistory, worker_spans_come_from_times_and_durations) {
  std::istringstream in(kJournal);
  const RunHistory h = replay_history(in, "journal");
  // Worker 1: train [1,3], validate [3,4], checkpoint [4.5,5].
  std::vector<WorkerSpan> w1;
  for (const WorkerSpan& s : h.spans) {
    if (s.worker == 1) w1.push_back(s);
  }
  ASSERT_EQ(w1.size(), 3u);
  EXPECT_EQ(w1[0].kind, SpanKind::Validate);
  EXPECT_DOUBLE_EQ(w1[0].begin_t, 3);
  EXPECT_DOUBLE_EQ(w1[0].end_t, 4);
  EXPECT_EQ(w1[1].kind, SpanKind::Train);
  EXPECT_DOUBLE_EQ(w1[1].begin_t, 1);
  EXPECT_DOUBLE_EQ(w1[1].end_t, 3);
  EXPECT_EQ(w1[2].kind, SpanKind::Checkpoint);
  EXPECT_DOUBLE_EQ(w1[2].begin_t, 4.5);
  EXPECT_DOUBLE_EQ(w1[2].end_t, 5);
  EXPECT_FALSE(h.has_clipped_spans);
}

TEST(RunHistory, durations_longer_than_wall_time_are_clipped) {
  std::istringstream in(
      R"({"t":0,"event":"job_start","job":"j","objective":"acc","objective_type":"Maximize"})"
      "\n"
      R"({"t":1,"event":"start","trial":0,"name":"a","worker":1,"until":1,"hyperparameters":{}})"
      "\n"
      R"({"t":1.01,"event":"report","trial":0,"epoch":1,"worker":1,"metrics":{"acc":0.5},"train_s":30,"eval_s":0,"decision":"Complete"})"
      "\n");
  const RunHistory h = replay_history(in, "j");
  ASSERT_EQ(h.spans.size(), 1u);
  EXPECT_DOUBLE_EQ(h.spans[0].begin_t, 1);
  EXPECT_TRUE(h.has_clipped_spans);
}

TEST(RunHistory, suspended_and_resumed_run_keeps_its_marks_restarts_and_recomputes) {
  std::istringstream in(
      R"({"t":0,"event":"job_start","job":"j","objective":"acc","objective_type":"Maximize"})"
      "\n"
      R"({"t":1,"event":"start","trial":0,"name":"a","worker":1,"until":3,"hyperparameters":{}})"
      "\n"
      R"({"t":3,"event":"report","trial":0,"epoch":1,"worker":1,"metrics":{"acc":0.5},"train_s":1.5,"eval_s":0.5,"decision":"Continue"})"
      "\n"
      R"({"t":3.5,"event":"suspending","signal":"SIGUSR1","running":1})"
      "\n"
      R"({"t":4,"event":"suspend","signal":"SIGUSR1","segment":1,"trials":1,"epochs":1})"
      "\n"
      R"({"t":10,"event":"resume","segment":2,"workers":1,"trials":1,"epochs":1,"restarts":1})"
      "\n"
      R"({"t":10.5,"event":"restart","trial":0,"worker":1,"from":1,"epochs":1,"until":3,"promoted":false})"
      "\n"
      R"({"t":12,"event":"recomputed","trial":0,"epoch":1,"worker":1,"train_s":1,"eval_s":0.5,"matches":true,"decision":"Continue"})"
      "\n");
  const RunHistory h = replay_history(in, "j");
  ASSERT_EQ(h.segment_marks.size(), 3u);
  EXPECT_EQ(h.segment_marks[1].kind, "suspend");
  EXPECT_EQ(h.segment_marks[1].detail, "SIGUSR1");
  EXPECT_EQ(h.segment_marks[2].kind, "resume");
  EXPECT_EQ(h.segment_marks[2].segment, 2);
  EXPECT_EQ(h.unknown_events, 0);
  ASSERT_EQ(h.trials.size(), 1u);
  EXPECT_EQ(h.trials[0].state, FinalState::Running);
  EXPECT_EQ(h.trials[0].restarted_from, (std::vector<long long>{1}));
  EXPECT_EQ(h.epochs_recomputed, 1);
  EXPECT_EQ(h.epochs_reported, 1);  // a recomputed epoch is not a new result
  const WorkerSpan& last = h.spans.back();
  EXPECT_EQ(last.kind, SpanKind::Recompute);
  EXPECT_DOUBLE_EQ(last.begin_t, 10.5);
  EXPECT_DOUBLE_EQ(last.end_t, 12);
}

TEST(RunHistory, malformed_line_in_the_middle_names_file_and_line) {
  std::istringstream in(
      "{\"t\":0,\"event\":\"job_start\"}\nthis is not json\n{\"t\":1,\"event\":\"job_end\"}\n");
  try {
    (void)replay_history(in, "out/x/journal");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("out/x/journal line 2"), std::string::npos) << e.what();
  }
}

TEST(RunHistory, missing_file_is_an_input_error) {
  EXPECT_THROW((void)read_history("/nonexistent/journal"), InputError);
}

}  // namespace
}  // namespace rung::report
