// The command trainer's parts on real child processes (/bin/sh programs): metric lines as
// SageMaker's regexes find them, the child process (output, exit, process group, signals),
// and the trainer's contract (RUNG_EPOCHS, RUNG_CHECKPOINT_DIR, marker checkpoints, failures).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "rung/ckpt/checkpoint_file.hpp"
#include "rung/config/error.hpp"
#include "rung/train/child_process.hpp"
#include "rung/train/command_trainer.hpp"
#include "rung/train/metric_lines.hpp"

namespace rung {
namespace {

namespace fs = std::filesystem;

std::vector<MetricDefinition> definitions() {
  return {{"validation:accuracy", "val_acc=([0-9.eEnaNif+-]+)"},
          {"train:loss", "loss=([0-9.]+)"},
          {"epoch", "epoch=([0-9]+)"}};
}

TEST(MetricLines, objective_line_ends_a_report_with_every_metric_since_the_last) {
  MetricLines lines(definitions(), "validation:accuracy");
  EXPECT_FALSE(lines.feed("loading data"));
  EXPECT_FALSE(lines.feed("epoch=1 loss=0.5"));
  const auto report = lines.feed("val_acc=0.75");
  ASSERT_TRUE(report);
  EXPECT_EQ(report->epoch, 1);
  EXPECT_DOUBLE_EQ(report->metrics.at("train:loss"), 0.5);
  EXPECT_DOUBLE_EQ(report->metrics.at("validation:accuracy"), 0.75);
  EXPECT_FALSE(report->metrics.count("epoch"));
  const auto next = lines.feed("epoch=2 val_acc=0.8");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->epoch, 2);
  EXPECT_FALSE(next->metrics.count("train:loss"));  // not carried over from epoch 1
}

TEST(MetricLines, sagemaker_xgboost_regex_matches_tabs_as_cloudwatch_shows_them) {
  const std::vector<MetricDefinition> xgb = {
      {"validation:auc",
       R"(.*\[[0-9]+\].*#011validation-auc:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*)"}};
  MetricLines lines(xgb, "validation:auc");
  const auto report = lines.feed("[3]\ttrain-auc:0.99\tvalidation-auc:0.9731");
  ASSERT_TRUE(report);
  EXPECT_DOUBLE_EQ(report->metrics.at("validation:auc"), 0.9731);
}

TEST(MetricLines, a_value_that_is_not_a_number_is_a_problem_and_nan_is_a_value) {
  MetricLines lines({{"validation:accuracy", "acc=(\\S+)"}}, "validation:accuracy");
  const auto bad = lines.feed("acc=high");
  ASSERT_TRUE(bad);
  EXPECT_NE(bad->problem.find("\"high\" is not a number"), std::string::npos) << bad->problem;
  const auto nan = lines.feed("acc=nan");
  ASSERT_TRUE(nan);
  EXPECT_TRUE(nan->problem.empty());
  EXPECT_TRUE(std::isnan(nan->metrics.at("validation:accuracy")));
}

ChildSpec shell(const std::string& script) {
  ChildSpec spec;
  spec.program = "/bin/sh";
  spec.argv = {"sh", "-c", script};
  spec.env = {"PATH=/usr/bin:/bin", "GREETING=hello"};
  spec.workdir = "/";
  fs::create_directories(RUNG_TEST_TMP);
  spec.output_path = std::string(RUNG_TEST_TMP) + "/child_output_" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".log";
  return spec;
}

TEST(ChildProcess, reads_its_output_from_the_file_as_it_grows_and_the_exit_status) {
  const ChildSpec spec = shell("echo \"$GREETING\"; pwd; echo oops >&2; echo '[rung] note';"
                               "printf 'no newline'; exit 3");
  std::ofstream(spec.output_path) << "an earlier start's line\n";
  ChildProcess child(spec);
  std::vector<std::string> lines;
  std::string line;
  while (child.next(10.0, line) == ChildProcess::Event::Line) lines.push_back(line);
  ASSERT_TRUE(child.exit());
  EXPECT_EQ(child.exit()->exit_status, 3);
  EXPECT_EQ(lines, (std::vector<std::string>{"hello", "/", "oops", "no newline"}));
  std::ifstream file(spec.output_path);
  std::string all((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_NE(all.find("an earlier start's line\nhello\n"), std::string::npos) << all;
}

TEST(ChildProcess, runs_in_its_own_process_group_and_terminate_escalates_to_sigkill) {
  // Ignores SIGTERM, so only the SIGKILL after the grace period ends it.
  ChildProcess child(shell("trap '' TERM; echo ready; while :; do sleep 0.05; done"));
  std::string line;
  ASSERT_EQ(child.next(10.0, line), ChildProcess::Event::Line);
  EXPECT_EQ(::getpgid(child.pid()), child.pid());
  const auto start = std::chrono::steady_clock::now();
  const ChildExit how = child.terminate(0.3, [](const std::string&) {});
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(how.signal, SIGKILL);
  EXPECT_GE(took, 0.25);
  EXPECT_LT(took, 5.0);
}

TEST(ChildProcess, a_program_that_cannot_start_is_a_trial_error_naming_it) {
  ChildSpec spec = shell("true");
  spec.workdir = "/no/such/dir";
  EXPECT_THROW(ChildProcess{spec}, TrialError);
  EXPECT_THROW((void)resolve_program("no-such-program-xyz", "/", "/usr/bin:/bin"), InputError);
  EXPECT_EQ(resolve_program("sh", "/", "/usr/bin:/bin"), "/usr/bin/sh");
  try {
    (void)resolve_program("./missing.py", "/tmp", "/usr/bin");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("/tmp/./missing.py"), std::string::npos) << e.what();
  }
}

// A job for the command model around an inline sh program; `extra` lands in the rung section.
JobConfig command_job(const std::string& out, const std::string& script,
                      const std::string& extra = "") {
  std::ostringstream y;
  y << "HyperParameterTuningJobName: cmd\n"
       "HyperParameterTuningJobConfig:\n"
       "  Strategy: Hyperband\n"
       "  StrategyConfig: {HyperbandStrategyConfig: {MinResource: 1, MaxResource: 9}}\n"
       "  ResourceLimits: {MaxNumberOfTrainingJobs: 4, MaxParallelTrainingJobs: 1}\n"
       "  HyperParameterTuningJobObjective: {Type: Maximize, MetricName: validation:accuracy}\n"
       "  ParameterRanges:\n"
       "    ContinuousParameterRanges: [{Name: x, MinValue: '0', MaxValue: '1'}]\n"
       "rung:\n"
       "  model: command\n"
       "  command: [/bin/sh, -c, '"
    << script << "', prog]\n"
    << "  metric_definitions:\n"
       "    - {Name: validation:accuracy, Regex: 'val_acc=([0-9.]+)'}\n"
       "    - {Name: epoch, Regex: 'epoch=([0-9]+)'}\n"
       "  command_grace_s: 1\n"
       "  output_dir: "
    << out << "\n"
    << extra;
  return parse_job_text(y.str(), "command_job");
}

// Follows the contract in sh: continues after the epoch in $RUNG_CHECKPOINT_DIR/epoch,
// saves each epoch before printing it, and logs its arguments and variables.
const std::string kGoodProgram =
    "e=$(cat \"$RUNG_CHECKPOINT_DIR/epoch\" 2>/dev/null || echo 0); "
    "echo \"args $* seed $RUNG_SEED hps $SM_HPS mpi ${OMPI_COMM_WORLD_RANK:-none}\"; "
    "while [ $e -lt $RUNG_EPOCHS ]; do e=$((e+1)); echo $e > \"$RUNG_CHECKPOINT_DIR/epoch.tmp\"; "
    "mv \"$RUNG_CHECKPOINT_DIR/epoch.tmp\" \"$RUNG_CHECKPOINT_DIR/epoch\"; "
    "echo \"epoch=$e val_acc=0.$e\"; done";

struct TrainerFixture : ::testing::Test {
  std::string out;
  void SetUp() override {
    out = std::string(RUNG_TEST_TMP) + "/command_" +
          ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(out);
    fs::create_directories(out + "/checkpoints");
  }
  CommandTrial trial(int until, int known = 0) {
    return CommandTrial{"cmd-001", 77, {{"x", 0.25}, {"mode", std::string("fast")}}, until, known};
  }
  std::string log() const {
    std::ifstream in(out + "/trials/cmd-001/output.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
};

TEST_F(TrainerFixture, trains_to_its_milestone_pauses_and_a_new_trainer_continues_it) {
  const JobConfig job = command_job(out, kGoodProgram);
  const std::string marker = out + "/checkpoints/cmd-001.h5";
  {
    CommandTrainer t(job, make_command_setup(job, ""), trial(3));
    for (int e = 1; e <= 3; ++e) {
      const EpochResult r = t.train_epoch();
      EXPECT_EQ(t.epoch(), e);
      EXPECT_DOUBLE_EQ(r.metrics.at("validation:accuracy"), e / 10.0);
    }
    t.pause(marker);
  }
  ::setenv("OMPI_COMM_WORLD_RANK", "1", 1);  // the launcher's variables never reach the program
  CommandTrainer resumed(job, make_command_setup(job, ""), trial(9, 3));
  ::unsetenv("OMPI_COMM_WORLD_RANK");
  resumed.load_checkpoint(marker);
  EXPECT_EQ(resumed.epoch(), 3);
  (void)resumed.train_epoch();
  EXPECT_EQ(resumed.epoch(), 4);
  resumed.finish(false);  // stopped early: SIGTERM to the held program
  const std::string text = log();
  EXPECT_NE(text.find("args --mode fast --x 0.25 seed 77 "), std::string::npos) << text;
  EXPECT_NE(text.find("\"mode\":\"fast\""), std::string::npos) << text;
  EXPECT_NE(text.find("mpi none"), std::string::npos) << text;
  EXPECT_NE(text.find("RUNG_EPOCHS=9, continuing after epoch 3"), std::string::npos) << text;
  std::ifstream hps(out + "/trials/cmd-001/hyperparameters.json");
  std::string json((std::istreambuf_iterator<char>(hps)), std::istreambuf_iterator<char>());
  EXPECT_NE(json.find("\"x\":\"0.25\""), std::string::npos) << json;  // strings, as SageMaker's
}

TEST_F(TrainerFixture, a_crash_fails_with_the_status_and_the_last_lines_of_stderr) {
  const JobConfig job = command_job(out, "echo epoch=1 val_acc=0.5; echo Traceback >&2; "
                                         "echo \"ValueError: boom\" >&2; exit 3");
  CommandTrainer t(job, make_command_setup(job, ""), trial(3));
  (void)t.train_epoch();
  try {
    (void)t.train_epoch();
    FAIL() << "no failure";
  } catch (const TrialError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("exited with status 3 at epoch 2"), std::string::npos) << what;
    EXPECT_NE(what.find("last lines of its output:\n  epoch=1 val_acc=0.5\n  Traceback\n  ValueError: boom"),
              std::string::npos) << what;
  }
}

TEST_F(TrainerFixture, silence_early_exit_restart_from_scratch_and_overrun_are_errors) {
  struct Case {
    std::string script;
    int known;  // > 0: resumed from a marker at this epoch
    std::string expected;
  } cases[] = {
      {"echo hello", 0, "without reporting an epoch: no line of its output matched"},
      {"echo epoch=1 val_acc=0.1", 0, "after epoch 1, before RUNG_EPOCHS=3"},
      {"echo epoch=1 val_acc=0.1", 2, "reported epoch 1 first"},
      {"echo epoch=1 val_acc=0.1; echo epoch=3 val_acc=0.1", 0, "reported epoch 3 after epoch 1"},
      {"echo epoch=5 val_acc=0.1", 2, "output.log lacks the reports in between"},
      {"echo epoch=1 val_acc=1.2.3", 0, "unparsable report"},
      {"kill -SEGV $$", 0, "killed by signal SIGSEGV"},
  };
  for (const Case& c : cases) {
    const JobConfig job = command_job(out, c.script);
    const std::string marker = out + "/checkpoints/marker.h5";
    if (c.known > 0) {
      CheckpointWriter writer(marker);
      writer.put_string("model", "command");
      writer.put_string("trial", "cmd-001");
      writer.put_int("epoch", c.known);
      writer.commit();
    }
    CommandTrainer t(job, make_command_setup(job, ""), trial(c.known > 0 ? 9 : 3, c.known));
    if (c.known > 0) t.load_checkpoint(marker);
    try {
      for (int i = 0; i < 5; ++i) (void)t.train_epoch();
      FAIL() << "no failure for: " << c.script;
    } catch (const TrialError& e) {
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos)
          << c.script << ": " << e.what();
    }
  }
}

TEST_F(TrainerFixture, reports_the_job_lost_in_a_kill_are_taken_from_output_log) {
  // Epochs 2 and 3 were printed (and saved) after rung's last record, epoch 1: the rank was
  // killed, and its program ran on. The restarted program continues after epoch 3.
  const JobConfig job = command_job(out, "echo epoch=4 val_acc=0.4");
  fs::create_directories(out + "/trials/cmd-001");
  std::ofstream(out + "/trials/cmd-001/output.log")
      << "epoch=1 val_acc=0.1\nepoch=2 val_acc=0.2\nepoch=3 val_acc=0.3\n";
  CommandTrainer t(job, make_command_setup(job, ""), trial(9, 1));
  for (int e = 2; e <= 4; ++e) {
    const EpochResult r = t.train_epoch();
    EXPECT_EQ(t.epoch(), e);
    EXPECT_DOUBLE_EQ(r.metrics.at("validation:accuracy"), e / 10.0);
  }
  EXPECT_NE(log().find("epochs 2..3 were reported by an earlier start"), std::string::npos) << log();
}

TEST_F(TrainerFixture, a_hung_epoch_times_out_and_its_program_is_stopped) {
  const JobConfig job = command_job(out, "echo epoch=1 val_acc=0.1; sleep 600", "  epoch_timeout_s: 0.5\n");
  CommandTrainer t(job, make_command_setup(job, ""), trial(3));
  (void)t.train_epoch();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW((void)t.train_epoch(), TrialError);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 10.0);
}

}  // namespace
}  // namespace rung
