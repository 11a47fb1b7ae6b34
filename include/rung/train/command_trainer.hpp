// rung.model command: each trial is the user's own program, started by the worker rank as a
// child process with SageMaker's script-mode conventions (the contract is in the README,
// "Tuning your own program"). The program trains up to RUNG_EPOCHS, saving its state in
// RUNG_CHECKPOINT_DIR, and prints its metrics; each line that matches the objective's regex
// is one epoch's report. rung keeps a small HDF5 marker checkpoint per trial recording the
// epoch the program's own checkpoint holds, so resume and promotion work as for built-ins.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rung/config/hyperparameters.hpp"
#include "rung/config/job_config.hpp"
#include "rung/train/child_process.hpp"
#include "rung/train/metric_lines.hpp"
#include "rung/train/trainer.hpp"

namespace rung {

// What a worker knows about where and how its programs run (the same for all its trials).
struct CommandSetup {
  std::string trials_dir;       // absolute OUT/trials: one directory per trial
  std::string workdir;          // absolute; where the program runs
  std::string visible_devices;  // CUDA_VISIBLE_DEVICES for the program ("" hides every GPU)
  std::string worker;           // "worker 3 on node7", for output.log's start lines (run_worker)
  // The epochs at which the scheduler may pause a trial (promotion-type Hyperband/ASHA); empty
  // when it never does, and then a program is told to train to MaxResource at once.
  std::vector<int> pause_rungs;
};

// The setup for `job`: rung's trial directories, the program's working directory, the rungs.
[[nodiscard]] CommandSetup make_command_setup(const JobConfig& job,
                                              const std::string& visible_devices);

// Checks before any trial is spent that rung.command names a program that can start: found
// (on PATH or relative to the working directory) and executable; for an interpreter followed
// by a script (python3 train.py), that the script exists. Throws InputError naming it.
void check_command_startable(const JobConfig& job);

// One trial's identity, as the coordinator assigned it.
struct CommandTrial {
  std::string name;
  std::uint64_t seed = 0;
  HyperParameters hyperparameters;  // tuned and static together
  int until_epoch = 0;              // the assignment's next milestone
  int known_epochs = 0;             // the epochs the coordinator has results for
};

class CommandTrainer final : public Trainer {
 public:
  CommandTrainer(const JobConfig& job, CommandSetup setup, CommandTrial trial);
  ~CommandTrainer() override;

  // Reads the program's output up to its next report, starting the program first when it
  // is not running (or has stopped at its RUNG_EPOCHS and the scheduler lets it go on).
  // Throws TrialError with SageMaker's FailureReason (the cause and the last lines of stderr)
  // when it fails.
  [[nodiscard]] EpochResult train_epoch() override;
  [[nodiscard]] int epoch() const override { return epoch_; }
  // The marker: the epoch the program's own checkpoint holds after a clean exit at its
  // RUNG_EPOCHS (the contract asks it to save there).
  void save_checkpoint(const std::string& path) const override;
  void load_checkpoint(const std::string& path) override;
  // At RUNG_EPOCHS: lets the program save and exit 0, then writes the marker. Before it (a
  // suspension): stops the program; its own last checkpoint is what a resume continues from,
  // and the marker stays at the last milestone.
  void pause(const std::string& path) override;
  void finish(bool completed) override;

 private:
  void start_program();
  void keep_line(const std::string& line);  // for FailureReason's tail
  void log_rung(const std::string& text) const;
  [[nodiscard]] int target_after(int epoch) const;
  [[noreturn]] void fail(const std::string& cause);
  // The reports output.log holds, by epoch (the latest of each).
  [[nodiscard]] std::map<int, MetricReport> logged_reports() const;
  // Queues output.log's reports of epochs from..through when it has all of them.
  bool recover_logged(int from, int through);
  EpochResult take_pending();
  void wait_for_exit(const char* why);

  const JobConfig& job_;
  CommandSetup setup_;
  CommandTrial trial_;
  std::string trial_dir_;
  std::string program_;
  MetricLines metric_lines_;
  std::unique_ptr<ChildProcess> child_;
  int log_fd_ = -1;
  int epoch_ = 0;
  int target_ = 0;        // RUNG_EPOCHS of the running program
  int started_from_ = 0;  // the epoch the running program was started after
  bool is_first_report_ = true;
  int starts_ = 0;
  int restarts_on_suspend_ = 0;  // programs started again after a preemption's SIGTERM
  std::deque<MetricReport> pending_;  // reports read ahead, handed out one per train_epoch
  std::vector<std::string> tail_;     // the program's last output lines
};

}  // namespace rung
