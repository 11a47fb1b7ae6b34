// `rung status DIR [--watch [SECONDS]]`: what a run is doing or did, from its journal alone.
// It only reads: a running coordinator owns DIR, so status never locks, creates or writes
// anything there, and it tolerates the half-written last line of a journal being appended to.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "command_line.hpp"
#include "commands.hpp"
#include "run_support.hpp"
#include "rung/config/error.hpp"
#include "rung/config/job_config.hpp"
#include "rung/tune/journal_reader.hpp"
#include "rung/tune/progress_line.hpp"

namespace rung::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kStatusUsage = "rung status DIR [--watch [SECONDS]]";
constexpr double kDefaultWatchSeconds = 2.0;

struct StatusOptions {
  std::string dir;
  std::optional<double> watch_s;
};

bool is_number(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end != nullptr && *end == '\0';
}

// nullopt when --help printed the help.
std::optional<StatusOptions> parse_status_args(const std::vector<std::string>& args) {
  StatusOptions o;
  std::string watch;
  CLI::App app{"A run's progress from its journal; read-only, so it also works while the run "
               "goes on.",
               "rung status"};
  app.add_option("DIR", o.dir, "the run's output directory")->type_name("");
  CLI::Option* watch_flag =
      app.add_option("--watch", watch, "redraw every SECONDS (default 2) until the job ends")
          ->type_name("[SECONDS]")
          ->expected(0, 1);
  if (!parse_command_line(app, args, kStatusUsage)) return std::nullopt;
  if (watch_flag->count() > 0) {
    o.watch_s = kDefaultWatchSeconds;
    if (is_number(watch)) {
      const double s = std::strtod(watch.c_str(), nullptr);
      if (!(s > 0.0)) throw InputError("--watch needs a positive number of seconds, got " + watch);
      o.watch_s = s;
    } else if (!watch.empty() && o.dir.empty()) {
      // `status --watch DIR`: SECONDS is optional, so CLI11 took DIR for it.
      o.dir = watch;
    } else if (!watch.empty()) {
      throw InputError("--watch needs a positive number of seconds, got " + watch);
    }
  }
  if (o.dir.empty()) throw InputError(std::string("missing DIR; usage: ") + kStatusUsage);
  return o;
}

// The limits DIR/job.yaml sets, when the run wrote one.
struct JobLimits {
  std::optional<double> max_runtime_s;  // MaxRuntimeInSeconds
  std::optional<long long> max_trials;  // MaxNumberOfTrainingJobs (the grid size for Grid)
};

JobLimits limits_of(const fs::path& dir) {
  const fs::path job_file = dir / "job.yaml";
  std::error_code ec;
  if (!fs::exists(job_file, ec)) return {};
  try {
    const JobConfig job = load_job_file(job_file.string());
    return JobLimits{job.max_runtime_s, job.max_trials};
  } catch (const std::exception&) {
    return {};  // status reports the journal; a bad job.yaml only loses these lines
  }
}

// What remains, from the rate trials have finished at so far (progress_line.hpp), capped by
// what MaxRuntimeInSeconds leaves.
std::string remaining_line(const JournalSnapshot& s, const JobLimits& limits) {
  if (s.has_ended) return "nothing (the job has ended)";
  if (!limits.max_trials) return "unknown (no job.yaml with MaxNumberOfTrainingJobs)";
  ProgressSnapshot p;
  p.trials_finished = s.count(JournalTrialState::Completed) + s.count(JournalTrialState::Stopped) +
                      s.count(JournalTrialState::Failed);
  p.trials_started = static_cast<long long>(s.trials.size());
  p.max_trials = *limits.max_trials;
  p.elapsed_s = s.elapsed_s;
  p.max_runtime_s = limits.max_runtime_s;
  const std::string unfinished = std::to_string(std::max(0LL, p.max_trials - p.trials_finished)) +
                                 " of " + std::to_string(p.max_trials) + " trials unfinished";
  const std::optional<double> left = estimate_remaining_s(p);
  if (!left) return "unknown until a trial finishes (" + unfinished + ")";
  std::string line = "about " + format_duration(*left) + " (" + unfinished;
  // Without the runtime cap the estimate is elapsed x unfinished / finished.
  ProgressSnapshot uncapped = p;
  uncapped.max_runtime_s.reset();
  const std::optional<double> by_rate = estimate_remaining_s(uncapped);
  const bool is_capped = !by_rate || *left < *by_rate;
  line += is_capped ? "; MaxRuntimeInSeconds ends the job first)"
                    : "; at the rate trials finished so far)";
  return line;
}

std::string fixed(double v, int digits) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(digits) << v;
  return out.str();
}

std::string render(const JournalSnapshot& s, const JobLimits& limits) {
  const std::optional<double>& max_runtime_s = limits.max_runtime_s;
  std::ostringstream out;
  out << "job:         " << (s.has_job_start ? s.job_name : "(no job_start event yet)") << '\n';
  if (s.has_job_start) {
    out << "strategy:    " << s.strategy << ", scheduler " << s.scheduler << ", searcher "
        << s.searcher << '\n';
    out << "objective:   " << (s.is_minimize ? "Minimize " : "Maximize ") << s.objective_metric
        << '\n';
  }
  out << "state:       ";
  if (s.has_ended) {
    out << "ended (" << s.end_reason << ")\n";
  } else if (s.is_suspended) {
    out << "suspended after segment " << s.segment
        << " (signal or deadline; `rung run` with the same --out resumes it)\n";
  } else if (s.is_stopping) {
    out << "stopping (" << s.end_reason << ")\n";
  } else {
    out << "running";
    if (s.segment > 1) out << " (segment " << s.segment << ", resumed)";
    out << '\n';
  }
  out << "elapsed:     " << fixed(s.elapsed_s, 2) << " s";
  if (max_runtime_s) {
    out << " of " << fixed(*max_runtime_s, 1) << " s MaxRuntimeInSeconds ("
        << fixed(*max_runtime_s > 0 ? 100.0 * s.elapsed_s / *max_runtime_s : 0.0, 0) << "%)";
  }
  out << '\n';
  out << "remaining:   " << remaining_line(s, limits) << '\n';
  out << "trials:      " << s.trials.size() << " started:";
  for (JournalTrialState state :
       {JournalTrialState::Running, JournalTrialState::Paused, JournalTrialState::Completed,
        JournalTrialState::Stopped, JournalTrialState::Failed}) {
    out << ' ' << s.count(state) << ' ' << to_string(state)
        << (state == JournalTrialState::Failed ? "" : ",");
  }
  out << '\n';
  if (!s.rungs.empty()) {
    out << "rungs:      ";
    for (const auto& [level, n] : s.rung_occupancy) {
      out << " epoch " << level << ": " << n << (level == s.rungs.back() ? "" : ",");
    }
    out << " (trials that reported at each rung)\n";
  }
  out << "epochs:      " << s.epochs_reported << " trained, "
      << fixed(s.elapsed_s > 0 ? static_cast<double>(s.epochs_reported) / s.elapsed_s : 0.0, 2)
      << " epochs/s\n";
  const long long busy = s.count(JournalTrialState::Running);
  const long long usable = s.parallelism > 0 ? s.parallelism : s.workers;
  out << "workers:     " << busy << " busy, " << (usable > busy ? usable - busy : 0) << " idle (of "
      << usable << ")\n";
  if (s.best) {
    const auto it = s.trials.find(s.best->trial);
    const std::string name = it != s.trials.end() ? it->second.name : "?";
    out << "best:        " << s.objective_metric << " = " << s.best->objective << " (" << name
        << ", epoch " << s.best->epoch << ")\n";
    if (it != s.trials.end() && !it->second.hyperparameters.empty()) {
      out << "             ";
      bool is_first = true;
      for (const auto& [key, value] : it->second.hyperparameters) {
        out << (is_first ? "" : ", ") << key << '=' << value;
        is_first = false;
      }
      out << '\n';
    }
  } else {
    out << "best:        (no objective reported yet)\n";
  }
  if (s.has_truncated_tail) out << "note:        the journal's last line is incomplete and was skipped\n";
  return out.str();
}

}  // namespace

int status_command(const std::vector<std::string>& args) {
  try {
    const std::optional<StatusOptions> parsed = parse_status_args(args);
    if (!parsed) return kExitOk;  // --help
    const StatusOptions& o = *parsed;
    const fs::path dir(o.dir);
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      throw InputError("no run directory at " + dir.string());
    }
    const fs::path journal = dir / "journal";
    if (!fs::is_regular_file(journal, ec)) {
      throw InputError("no journal at " + journal.string() + " (is " + dir.string() +
                       " a rung output directory?)");
    }
    const JobLimits limits = limits_of(dir);
    const bool is_terminal = ::isatty(::fileno(stdout)) != 0;
    for (bool is_first = true;; is_first = false) {
      const JournalSnapshot snapshot = read_journal(journal.string());
      if (!is_first) std::cout << (is_terminal ? "\033[H\033[2J" : "\n");
      std::cout << render(snapshot, limits) << std::flush;
      if (!o.watch_s || snapshot.has_ended) break;
      std::this_thread::sleep_for(std::chrono::duration<double>(*o.watch_s));
    }
    return kExitOk;
  } catch (const std::exception& e) {
    return report_error(e, true);
  }
}

}  // namespace rung::cli
