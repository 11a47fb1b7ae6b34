#include "rung/tune/journal_reader.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "rung/config/error.hpp"
#include "rung/tune/journal_record.hpp"

namespace rung {
namespace {

// A hand-written ASHA-like run: trial 0 reaches the top rung, trial 1 is paused then stopped,
// trial 2 fails, trial 3 is still running.
const char* const kJournal =
    R"({"t":0.0,"event":"job_start","job":"hand","strategy":"Hyperband","scheduler":"ASHA","searcher":"Random","workers":2,"parallelism":2,"seed":1,"max_trials":4,"min_resource":1,"max_resource":4,"rungs":[1,2,4],"objective":"validation:loss","objective_type":"Minimize"}
{"t":0.1,"event":"worker_ready","worker":1,"host":"h","device":"cpu","used":true}
{"t":0.2,"event":"start","trial":0,"name":"hand-001","worker":1,"seed":5,"until":1,"hyperparameters":{"lr":0.01,"act":"relu"}}
{"t":0.3,"event":"start","trial":1,"name":"hand-002","worker":2,"seed":6,"until":1,"hyperparameters":{"lr":0.1,"act":"tanh"}}
{"t":1.0,"event":"report","trial":0,"epoch":1,"worker":1,"metrics":{"validation:loss":0.5},"train_s":0.1,"eval_s":0.1,"decision":"Pause"}
{"t":1.1,"event":"release","trial":0,"worker":1,"epoch":1,"outcome":"paused","status":"Paused","checkpoint_s":0.0}
{"t":1.2,"event":"report","trial":1,"epoch":1,"worker":2,"metrics":{"validation:loss":0.2},"train_s":0.1,"eval_s":0.1,"decision":"Pause"}
{"t":1.3,"event":"release","trial":1,"worker":2,"epoch":1,"outcome":"paused","status":"Paused","checkpoint_s":0.0}
{"t":1.4,"event":"promote","trial":0,"worker":1,"from":1,"until":4}
{"t":2.0,"event":"report","trial":0,"epoch":2,"worker":1,"metrics":{"validation:loss":0.3},"train_s":0.1,"eval_s":0.1,"decision":"Continue"}
{"t":3.0,"event":"report","trial":0,"epoch":3,"worker":1,"metrics":{"validation:loss":null},"train_s":0.1,"eval_s":0.1,"decision":"Continue"}
{"t":4.0,"event":"report","trial":0,"epoch":4,"worker":1,"metrics":{"validation:loss":0.1},"train_s":0.1,"eval_s":0.1,"decision":"Complete"}
{"t":4.1,"event":"release","trial":0,"worker":1,"epoch":4,"outcome":"completed","status":"Completed","checkpoint_s":0.0}
{"t":4.2,"event":"start","trial":2,"name":"hand-003","worker":1,"seed":7,"until":1,"hyperparameters":{"lr":0.5,"act":"relu"}}
{"t":4.3,"event":"report","trial":2,"epoch":1,"worker":1,"metrics":{"validation:loss":0.01},"train_s":0.1,"eval_s":0.1,"decision":"Continue"}
{"t":4.4,"event":"release","trial":2,"worker":1,"epoch":1,"outcome":"failed","status":"Failed","checkpoint_s":0.0,"message":"NaN loss"}
{"t":4.5,"event":"start","trial":3,"name":"hand-004","worker":2,"seed":8,"until":1,"hyperparameters":{"lr":0.2,"act":"tanh"}}
)";

// The journal as rung writes it: each event line framed with its length and checksum.
std::string framed(const std::string& events) {
  std::string out;
  std::istringstream in(events);
  for (std::string line; std::getline(in, line);) out += frame_record(line);
  return out;
}

TEST(JournalReader, replays_states_rungs_and_best_from_a_hand_written_journal) {
  std::istringstream in(framed(kJournal));
  const JournalSnapshot s = replay_journal(in, "hand");
  EXPECT_TRUE(s.has_job_start);
  EXPECT_EQ(s.job_name, "hand");
  EXPECT_EQ(s.scheduler, "ASHA");
  EXPECT_TRUE(s.is_minimize);
  EXPECT_EQ(s.records, 17);
  EXPECT_DOUBLE_EQ(s.elapsed_s, 4.5);
  EXPECT_FALSE(s.has_ended);
  ASSERT_EQ(s.trials.size(), 4U);
  EXPECT_EQ(s.trials.at(0).state, JournalTrialState::Completed);
  EXPECT_EQ(s.trials.at(1).state, JournalTrialState::Paused);
  EXPECT_EQ(s.trials.at(2).state, JournalTrialState::Failed);
  EXPECT_EQ(s.trials.at(3).state, JournalTrialState::Running);
  EXPECT_EQ(s.count(JournalTrialState::Running), 1);
  EXPECT_EQ(s.epochs_reported, 6);
  EXPECT_EQ(s.rung_occupancy.at(1), 3);
  EXPECT_EQ(s.rung_occupancy.at(2), 1);
  EXPECT_EQ(s.rung_occupancy.at(4), 1);
  // The failed trial's 0.01 does not count; trial 0's last epoch (0.1) beats trial 1's 0.2.
  ASSERT_TRUE(s.best.has_value());
  EXPECT_EQ(s.best->trial, 0);
  EXPECT_EQ(s.best->epoch, 4);
  EXPECT_DOUBLE_EQ(s.best->objective, 0.1);
  ASSERT_EQ(s.trials.at(0).hyperparameters.size(), 2U);
  // By name, whatever the journal's key order.
  EXPECT_EQ(s.trials.at(0).hyperparameters[0].first, "act");
  EXPECT_EQ(s.trials.at(0).hyperparameters[0].second, "relu");
  EXPECT_EQ(s.trials.at(0).hyperparameters[1].second, "0.01");
}

TEST(JournalReader, stopping_then_job_end_and_finish_paused_end_the_job) {
  std::string journal = framed(kJournal);
  journal += framed(
      R"({"t":5.0,"event":"stopping","reason":"MaxRuntimeInSecondsReached","running":1}
{"t":5.5,"event":"finish_paused","trial":1,"epoch":1}
)");
  std::istringstream stopping(journal);
  JournalSnapshot s = replay_journal(stopping, "hand");
  EXPECT_TRUE(s.is_stopping);
  EXPECT_FALSE(s.has_ended);
  EXPECT_EQ(s.end_reason, "MaxRuntimeInSecondsReached");
  EXPECT_EQ(s.trials.at(1).state, JournalTrialState::Stopped);
  journal +=
      framed(R"({"t":6.0,"event":"job_end","reason":"MaxRuntimeInSecondsReached","trials":4,"epochs":6}
)");
  std::istringstream ended(journal);
  s = replay_journal(ended, "hand");
  EXPECT_TRUE(s.has_ended);
  EXPECT_DOUBLE_EQ(s.elapsed_s, 6.0);
}

TEST(JournalReader, a_truncated_last_line_is_skipped_when_cut_anywhere) {
  const std::string full = framed(kJournal);
  const std::size_t last_start = full.rfind('\n', full.size() - 2) + 1;
  for (std::size_t cut = last_start + 1; cut < full.size() - 1; ++cut) {
    std::istringstream in(full.substr(0, cut));
    const JournalSnapshot s = replay_journal(in, "hand");
    EXPECT_TRUE(s.has_truncated_tail) << "cut at " << cut;
    EXPECT_EQ(s.records, 16) << "cut at " << cut;
    EXPECT_EQ(s.trials.size(), 3U) << "cut at " << cut;
  }
}

TEST(JournalReader, a_malformed_line_in_the_middle_is_an_input_error_naming_the_line) {
  std::istringstream in(frame_record(R"({"t":0,"event":"worker_ready"})") + "{\"t\":1,\n" +
                        frame_record(R"({"t":2,"event":"worker_ready"})"));
  try {
    (void)replay_journal(in, "j");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("j line 2"), std::string::npos) << e.what();
  }
}

TEST(JournalReader, a_record_with_a_bad_checksum_in_the_middle_names_the_file_and_line) {
  std::string second = frame_record(R"({"t":1,"event":"worker_ready","worker":1})");
  second[second.find("\"worker\":1") + 9] = '2';  // one flipped digit: the checksum catches it
  std::istringstream in(frame_record(R"({"t":0,"event":"worker_ready"})") + second +
                        frame_record(R"({"t":2,"event":"worker_ready"})"));
  try {
    (void)replay_journal(in, "dir/journal");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("dir/journal line 2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("checksum mismatch"), std::string::npos) << e.what();
  }
}

TEST(JournalReader, a_bad_last_record_is_skipped_and_cut_off_by_its_byte_count) {
  const std::string good = framed(kJournal);
  std::string bad_tail = frame_record(R"({"t":9,"event":"worker_ready","worker":1})");
  bad_tail[5] = '8';  // complete line, wrong checksum: damaged, so never trusted
  for (const std::string& tail : {bad_tail, bad_tail.substr(0, 20), std::string("{}\n")}) {
    std::istringstream for_status(good + tail);
    const JournalSnapshot s = replay_journal(for_status, "j");
    EXPECT_TRUE(s.has_truncated_tail);
    EXPECT_EQ(s.records, 17);
    std::istringstream for_resume(good + tail);
    const JournalRecords r = read_journal_records(for_resume, "j");
    EXPECT_TRUE(r.has_bad_tail);
    EXPECT_NE(r.tail_problem.find("j line 18"), std::string::npos) << r.tail_problem;
    EXPECT_EQ(r.events.size(), 17U);
    EXPECT_EQ(r.valid_bytes, static_cast<long long>(good.size()));
  }
}

TEST(JournalReader, an_unframed_record_in_the_middle_is_an_error) {
  std::istringstream in(std::string(R"({"t":0,"event":"worker_ready"})") + "\n" +
                        frame_record(R"({"t":2,"event":"worker_ready"})"));
  EXPECT_THROW((void)replay_journal(in, "j"), InputError);
}

TEST(JournalReader, suspend_and_resume_mark_the_segments_and_restart_runs_a_trial_again) {
  std::string journal = framed(kJournal);
  journal += framed(R"({"t":5.0,"event":"suspend","signal":"SIGUSR1","segment":1}
)");
  std::istringstream suspended(journal);
  JournalSnapshot s = replay_journal(suspended, "hand");
  EXPECT_TRUE(s.is_suspended);
  EXPECT_EQ(s.segment, 1);
  journal += framed(R"({"t":5.1,"event":"resume","segment":2,"workers":2}
{"t":5.2,"event":"restart","trial":1,"worker":2,"from":1,"epochs":1,"until":2,"promoted":false}
)");
  std::istringstream resumed(journal);
  s = replay_journal(resumed, "hand");
  EXPECT_FALSE(s.is_suspended);
  EXPECT_EQ(s.segment, 2);
  EXPECT_EQ(s.trials.at(1).state, JournalTrialState::Running);
  EXPECT_EQ(s.trials.at(1).worker, 2);
}

// Found by tests/fuzz (journal): a well-framed record with a non-integral or out-of-range
// number stopped `rung status` with an error that named neither the file nor the line. The
// lenient reader gives such a field its default, as it does a missing one.
TEST(JournalReader, a_field_out_of_range_or_not_integral_takes_its_default) {
  std::istringstream in(framed(
      R"({"t":1.0,"event":"report","trial":0,"epoch":1.5,"worker":1e12,"metrics":{"a":"x"},"train_s":0,"eval_s":0,"decision":"Continue"}
{"t":2.0,"event":"resume","segment":99999999999,"notes":[1,"kept"]}
)"));
  const JournalSnapshot s = replay_journal(in, "odd");
  EXPECT_EQ(s.records, 2);
  ASSERT_EQ(s.trials.size(), 1U);
  EXPECT_EQ(s.trials.at(0).epochs, 0);
  EXPECT_FALSE(s.has_truncated_tail);
}

TEST(JournalReader, a_missing_file_is_an_input_error_naming_it) {
  EXPECT_THROW((void)read_journal("/nonexistent/rung/journal"), InputError);
}

}  // namespace
}  // namespace rung
