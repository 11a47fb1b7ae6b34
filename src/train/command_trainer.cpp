#include "rung/train/command_trainer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "rung/ckpt/checkpoint_file.hpp"
#include "rung/config/error.hpp"
#include "rung/sched/scheduler.hpp"
#include "rung/tune/hyperparameter_json.hpp"
#include "rung/tune/run_outputs.hpp"
#include "rung/tune/suspend_request.hpp"

extern char** environ;

namespace rung {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kMarkerModel = "command";
constexpr std::size_t kTailLines = 12;       // lines of stderr kept for FailureReason
constexpr std::size_t kFailureReasonMax = 1800;

double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

std::string environment_value(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

// Variables of the launcher's MPI world: a program that itself imports MPI (mpi4py, a
// torch.distributed init) must not join rung's world, so they are not passed on.
bool is_launcher_variable(const std::string& name) {
  for (const char* prefix : {"OMPI_", "OPAL_", "PMIX_", "PMI_"}) {
    if (name.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

std::string upper_case(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string json_of(const HyperParameters& hp, bool as_strings) {
  return hyperparameters_json(hp, as_strings).dump();
}

bool is_script_interpreter(const std::string& program) {
  const std::string base = fs::path(program).filename().string();
  for (const char* name : {"python", "bash", "sh", "Rscript", "julia", "perl", "ruby", "node"}) {
    if (base.rfind(name, 0) == 0) return true;
  }
  return false;
}

}  // namespace

// rung.workdir made absolute; empty: the directory `rung run` starts in.
std::string program_workdir(const JobConfig& job) {
  const std::string& workdir = job.training.command.workdir;
  return workdir.empty() ? fs::current_path().string()
                         : fs::absolute(workdir).lexically_normal().string();
}

CommandSetup make_command_setup(const JobConfig& job, const std::string& visible_devices) {
  CommandSetup s;
  s.trials_dir = fs::absolute(fs::path(job.output_dir) / "trials").lexically_normal().string();
  s.workdir = program_workdir(job);
  s.visible_devices = visible_devices;
  if (job.strategy == Strategy::Hyperband && job.asha.type == AshaType::Promotion) {
    s.pause_rungs = make_scheduler(job)->rungs();
  }
  return s;
}

void check_command_startable(const JobConfig& job) {
  const CommandSpec& c = job.training.command;
  if (c.argv.empty()) throw InputError("rung.command: names no program");
  const std::string workdir = program_workdir(job);
  std::error_code ec;
  if (!fs::is_directory(workdir, ec)) {
    throw InputError("rung.workdir: \"" + workdir + "\" is not a directory");
  }
  const std::string program = resolve_program(c.argv[0], workdir, environment_value("PATH"));
  if (!is_script_interpreter(program)) return;
  // `python3 train.py`: a missing script would fail every trial the same way; say it now.
  for (std::size_t i = 1; i < c.argv.size(); ++i) {
    const std::string& word = c.argv[i];
    if (word == "-m" || word == "-c" || word == "-e") return;  // a module or inline code
    if (word.empty() || word[0] == '-') continue;
    const fs::path script = fs::path(word).is_absolute() ? fs::path(word) : fs::path(workdir) / word;
    if (!fs::is_regular_file(script, ec)) {
      throw InputError("rung.command: script \"" + word + "\" not found (looked for " +
                       script.string() + "; relative paths start in rung.workdir, default the "
                       "directory rung run starts in)");
    }
    return;
  }
}

CommandTrainer::CommandTrainer(const JobConfig& job, CommandSetup setup, CommandTrial trial)
    : job_(job),
      setup_(std::move(setup)),
      trial_(std::move(trial)),
      trial_dir_((fs::path(setup_.trials_dir) / trial_.name).string()),
      metric_lines_(job.training.command.metric_definitions, job.objective.metric_name) {
  program_ = resolve_program(job.training.command.argv.at(0), setup_.workdir,
                             environment_value("PATH"));
  std::error_code ec;
  for (const char* sub : {"checkpoints", "model", "output"}) {
    fs::create_directories(fs::path(trial_dir_) / sub, ec);
    if (ec) throw TrialError("cannot create " + trial_dir_ + "/" + sub + ": " + ec.message());
  }
  const std::string log = (fs::path(trial_dir_) / "output.log").string();
  log_fd_ = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd_ < 0) throw TrialError("cannot open " + log);
}

CommandTrainer::~CommandTrainer() {
  child_.reset();  // kills a program still running
  if (log_fd_ >= 0) ::close(log_fd_);
}

int CommandTrainer::target_after(int epoch) const {
  for (const int r : setup_.pause_rungs) {
    if (r > epoch && r < job_.max_resource) return r;
  }
  return job_.max_resource;
}

void CommandTrainer::keep_line(const std::string& line) {
  tail_.push_back(line.substr(0, 400));
  if (tail_.size() > kTailLines) tail_.erase(tail_.begin());
}

// rung's own lines in output.log: where each start came from, and why a program ended.
void CommandTrainer::log_rung(const std::string& text) const {
  const std::string line = "[rung] " + text + "\n";
  ssize_t unused = ::write(log_fd_, line.data(), line.size());
  (void)unused;
}

void CommandTrainer::fail(const std::string& cause) {
  log_rung("trial failed: " + cause);
  if (child_ && !child_->exit()) {
    child_->terminate(job_.training.command.grace_s,
                      [this](const std::string& l) { keep_line(l); });
  }
  std::string reason = cause;
  if (!tail_.empty()) {
    reason += "; last lines of its output:";
    for (const auto& l : tail_) reason += "\n  " + l;
  }
  if (reason.size() > kFailureReasonMax) {
    reason = reason.substr(0, kFailureReasonMax / 3) + "\n  ...\n" +
             reason.substr(reason.size() - 2 * kFailureReasonMax / 3);
  }
  throw TrialError(reason);
}

void CommandTrainer::start_program() {
  // Trials that never pause at a rung train to MaxResource in one go; the first start of
  // the others goes to the assignment's milestone, later ones to the next rung.
  if (setup_.pause_rungs.empty()) {
    target_ = job_.max_resource;
  } else if (starts_ == 0 && trial_.until_epoch > epoch_) {
    target_ = std::min(trial_.until_epoch, job_.max_resource);
  } else {
    target_ = target_after(epoch_);
  }
  const CommandSpec& c = job_.training.command;
  ChildSpec spec;
  spec.program = program_;
  spec.workdir = setup_.workdir;
  spec.output_path = (fs::path(trial_dir_) / "output.log").string();
  spec.argv = c.argv;
  for (const auto& [name, value] : trial_.hyperparameters) {
    spec.argv.push_back("--" + name);
    spec.argv.push_back(to_string(value));
  }
  const fs::path dir(trial_dir_);
  write_file_atomically((dir / "hyperparameters.json").string(),
                        json_of(trial_.hyperparameters, true) + "\n");
  std::vector<std::pair<std::string, std::string>> ours = {
      {"RUNG_CHECKPOINT_DIR", (dir / "checkpoints").string()},
      {"RUNG_EPOCHS", std::to_string(target_)},
      {"RUNG_TRIAL_NAME", trial_.name},
      {"RUNG_TRIAL_DIR", trial_dir_},
      // Below 2^31: what every library's seed accepts (numpy's stops at 2^32, xgboost's at 2^63).
      {"RUNG_SEED", std::to_string(trial_.seed % (std::uint64_t{1} << 31))},
      {"SM_HPS", json_of(trial_.hyperparameters, false)},
      {"SM_MODEL_DIR", (dir / "model").string()},
      {"SM_OUTPUT_DATA_DIR", (dir / "output").string()},
      {"CUDA_VISIBLE_DEVICES", setup_.visible_devices},
      {"OMP_NUM_THREADS", std::to_string(job_.training.threads_per_worker)},
      {"PYTHONUNBUFFERED", "1"},  // metric lines must arrive when printed, not at exit
  };
  for (const auto& [name, value] : trial_.hyperparameters) {
    ours.emplace_back("SM_HP_" + upper_case(name), to_string(value));
  }
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string kv(*e);
    const std::string name = kv.substr(0, kv.find('='));
    if (is_launcher_variable(name)) continue;
    if (std::any_of(ours.begin(), ours.end(), [&](const auto& p) { return p.first == name; })) {
      continue;
    }
    spec.env.push_back(kv);
  }
  for (const auto& [name, value] : ours) spec.env.push_back(name + "=" + value);

  ++starts_;
  started_from_ = epoch_;
  is_first_report_ = true;
  log_rung("start on " + setup_.worker + ": RUNG_EPOCHS=" + std::to_string(target_) + ", " +
           (epoch_ > 0 ? "continuing after epoch " + std::to_string(epoch_) +
                             " from RUNG_CHECKPOINT_DIR"
                       : std::string("from scratch")));
  try {
    child_ = std::make_unique<ChildProcess>(spec);
  } catch (const TrialError& e) {
    fail(e.what());
  }
}

std::map<int, MetricReport> CommandTrainer::logged_reports() const {
  std::ifstream log(fs::path(trial_dir_) / "output.log");
  MetricLines lines(job_.training.command.metric_definitions, job_.objective.metric_name);
  std::map<int, MetricReport> found;  // the latest report of each epoch
  std::string line;
  while (std::getline(log, line)) {
    if (line.rfind("[rung] ", 0) == 0) continue;
    std::optional<MetricReport> report = lines.feed(line);
    if (report && report->problem.empty() && report->epoch) found[*report->epoch] = *report;
  }
  return found;
}

bool CommandTrainer::recover_logged(int from, int through) {
  const std::map<int, MetricReport> logged = logged_reports();
  for (int e = from; e <= through; ++e) {
    if (logged.count(e) == 0) return false;
  }
  for (int e = from; e <= through; ++e) pending_.push_back(logged.at(e));
  log_rung("epochs " + std::to_string(from) + ".." + std::to_string(through) +
           " were reported by an earlier start (the program's checkpoint holds them); their "
           "reports are taken from this log");
  return true;
}

EpochResult CommandTrainer::take_pending() {
  MetricReport report = std::move(pending_.front());
  pending_.pop_front();
  epoch_ = *report.epoch;
  is_first_report_ = false;
  EpochResult result;
  result.metrics = std::move(report.metrics);
  return result;
}

EpochResult CommandTrainer::train_epoch() {
  const auto start = SteadyClock::now();
  if (!pending_.empty()) return take_pending();
  if (!child_) start_program();
  const double timeout = job_.training.command.epoch_timeout_s;
  std::string line;
  for (;;) {
    const double left = timeout > 0 ? timeout - seconds_since(start) : -1.0;
    if (timeout > 0 && left <= 0) {
      fail("epoch " + std::to_string(epoch_ + 1) + " took longer than rung.epoch_timeout_s (" +
           to_string(ParamValue{timeout}) + " s); stopped it");
    }
    const ChildProcess::Event event = child_->next(left, line);
    if (event == ChildProcess::Event::Timeout) continue;
    const int known = std::max(started_from_, trial_.known_epochs);
    if (event == ChildProcess::Event::Exited) {
      const ChildExit how = *child_->exit();
      const bool reached = how.is_clean() && epoch_ >= target_;
      if (reached && epoch_ < job_.max_resource) {
        // It stopped at its RUNG_EPOCHS and the scheduler lets the trial go on: start it
        // again with the next milestone; it continues from its own checkpoint.
        log_rung("program " + how.describe() + " at epoch " + std::to_string(epoch_));
        child_.reset();
        start_program();
        continue;
      }
      if (how.signal != 0 && suspend_request().load() != 0 && restarts_on_suspend_ < 3) {
        // Preemption: Slurm sent SIGTERM to every process of the job, the program too, and
        // this rank is suspending. Not the trial's fault: the program starts again from its
        // checkpoint, and the coordinator pauses it at its next report.
        ++restarts_on_suspend_;
        log_rung("program " + how.describe() + " while the job is suspending: starting it again");
        child_.reset();
        start_program();
        continue;
      }
      if (!how.is_clean()) {
        fail("the program " + how.describe() + " at epoch " + std::to_string(epoch_ + 1) +
             " (RUNG_EPOCHS=" + std::to_string(target_) + ")");
      }
      if (is_first_report_ && started_from_ < target_ &&
          recover_logged(started_from_ + 1, target_)) {
        // Its checkpoint already held RUNG_EPOCHS: it reported those epochs in an earlier
        // start, which rung may not have recorded (the job was killed; a killed rank takes a
        // while to go, and its program runs on meanwhile). output.log has their reports.
        child_.reset();
        return take_pending();
      }
      if (is_first_report_) {
        fail("the program exited (status 0) without reporting an epoch: no line of its output "
             "matched the objective " + job_.objective.metric_name + "'s regex");
      }
      fail("the program exited (status 0) after epoch " + std::to_string(epoch_) +
           ", before RUNG_EPOCHS=" + std::to_string(target_) + ", without an error");
    }
    keep_line(line);
    std::optional<MetricReport> report = metric_lines_.feed(line);
    if (!report) continue;
    if (!report->problem.empty()) fail("unparsable report: " + report->problem);
    int reported = epoch_ + 1;
    if (report->epoch) {
      reported = *report->epoch;
      // A program may continue from an older checkpoint of its own (it saves every few
      // epochs, or a kill or suspension came before its save): rung takes the epochs it
      // trains again as recomputed. Back to epoch 1, or back within one assignment, it did
      // not continue from its checkpoint at all.
      const bool went_back = is_first_report_ && reported <= started_from_;
      if (went_back && (reported == 1 || starts_ > 1)) {
        fail("the program reported epoch " + std::to_string(reported) + " first, but rung has "
             "epochs 1.." + std::to_string(started_from_) + " and started it to continue at " +
             std::to_string(started_from_ + 1) + ": it did not continue from its checkpoint in "
             "RUNG_CHECKPOINT_DIR");
      }
      if (is_first_report_ && reported > known + 1) {
        // Ahead of the journal: the job was stopped after the program reported (and saved)
        // epochs rung did not record; output.log has their reports.
        if (!recover_logged(known + 1, reported - 1)) {
          fail("the program reported epoch " + std::to_string(reported) + " first, but rung "
               "has results only for epochs 1.." + std::to_string(known) +
               " and output.log lacks the reports in between: its checkpoint is ahead of "
               "rung's journal");
        }
        report->epoch = reported;
        pending_.push_back(std::move(*report));
        return take_pending();
      }
      if (!is_first_report_ && reported != epoch_ + 1) {
        fail("the program reported epoch " + std::to_string(reported) + " after epoch " +
             std::to_string(epoch_) + "; epochs must count up by one");
      }
    }
    if (reported > target_) {
      fail("the program reported epoch " + std::to_string(reported) +
           ", past RUNG_EPOCHS=" + std::to_string(target_));
    }
    is_first_report_ = false;
    epoch_ = reported;
    EpochResult result;
    result.metrics = std::move(report->metrics);
    result.train_time_s = seconds_since(start);
    return result;
  }
}

void CommandTrainer::wait_for_exit(const char* why) {
  if (!child_) return;
  const double timeout = job_.training.command.epoch_timeout_s;
  const auto start = SteadyClock::now();
  std::string line;
  for (;;) {
    const double left = timeout > 0 ? timeout - seconds_since(start) : -1.0;
    if (timeout > 0 && left <= 0) {
      fail(std::string("the program did not exit within rung.epoch_timeout_s after ") + why);
    }
    const ChildProcess::Event event = child_->next(left, line);
    if (event == ChildProcess::Event::Exited) break;
    if (event != ChildProcess::Event::Line) continue;
    keep_line(line);
    if (metric_lines_.feed(line)) {
      fail(std::string("the program reported another epoch after ") + why);
    }
  }
  const ChildExit how = *child_->exit();
  if (!how.is_clean()) fail(std::string("the program ") + how.describe() + " after " + why);
  child_.reset();
}

void CommandTrainer::pause(const std::string& path) {
  if (epoch_ >= target_) {
    wait_for_exit(("its last epoch (" + std::to_string(epoch_) + " = RUNG_EPOCHS)").c_str());
    save_checkpoint(path);
    return;
  }
  // A pause off its milestone (the job is suspending): the program's own last checkpoint is
  // where it continues, at this epoch or (stopped while saving) just before it. The marker
  // keeps its last milestone, so a resume accepts either.
  if (child_) {
    const ChildExit how = child_->terminate(job_.training.command.grace_s,
                                            [this](const std::string& l) { keep_line(l); });
    log_rung("suspended at epoch " + std::to_string(epoch_) + ": program " + how.describe());
    child_.reset();
  }
}

void CommandTrainer::finish(bool completed) {
  if (!child_) return;
  if (completed) {
    wait_for_exit("its last epoch");
    return;
  }
  const ChildExit how = child_->terminate(job_.training.command.grace_s,
                                          [this](const std::string& l) { keep_line(l); });
  log_rung("stopped at epoch " + std::to_string(epoch_) + ": program " + how.describe());
  child_.reset();
}

void CommandTrainer::save_checkpoint(const std::string& path) const {
  CheckpointWriter writer(path);
  writer.put_string("model", kMarkerModel);
  writer.put_string("trial", trial_.name);
  writer.put_int("epoch", epoch_);
  writer.commit();
}

void CommandTrainer::load_checkpoint(const std::string& path) {
  const CheckpointReader reader(path);
  const std::string model = reader.get_string("model");
  if (model != kMarkerModel) {
    throw CheckpointError("checkpoint " + path + " is for model \"" + model +
                          "\", not a command trial's marker");
  }
  const std::int64_t epoch = reader.get_int("epoch");
  if (epoch < 0 || epoch > job_.max_resource) {
    throw CheckpointError("checkpoint " + path + " holds epoch " + std::to_string(epoch) +
                          ", outside 0.." + std::to_string(job_.max_resource));
  }
  epoch_ = static_cast<int>(epoch);
}

}  // namespace rung
