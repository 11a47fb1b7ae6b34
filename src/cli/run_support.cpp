#include "run_support.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "rung/ckpt/checkpoint_file.hpp"
#include "rung/ckpt/results_file.hpp"
#include "rung/config/error.hpp"
#include "rung/tune/coordinator.hpp"
#include "rung/tune/journal_event.hpp"
#include "rung/tune/journal_reader.hpp"
#include "rung/tune/run_outputs.hpp"

namespace rung::cli {

namespace fs = std::filesystem;

JobConfig load_job_for_run(const std::string& job_path, const std::string& out_dir,
                           bool is_runnable) {
  JobConfig job = load_job_file(job_path);
  if (is_runnable) require_runnable(job);
  if (!out_dir.empty()) job.output_dir = out_dir;
  if (job.output_dir.empty()) job.output_dir = "out/" + job.name;
  return job;
}

void prepare_output_dir(const JobConfig& job) {
  const fs::path out(job.output_dir);
  if (fs::exists(out / "journal")) {
    throw InputError("output directory " + out.string() +
                     " already holds a run (it has a journal); pass another --out or remove it");
  }
  std::error_code ec;
  fs::create_directories(out / "checkpoints", ec);
  if (ec) throw InputError("cannot create output directory " + out.string() + ": " + ec.message());
}

namespace {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

// The job file lines that matter for identity: comments and the output directory left out.
std::vector<std::string> identity_lines(const std::string& yaml) {
  std::vector<std::string> lines;
  std::istringstream in(yaml);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line.rfind("  output_dir:", 0) == 0 ||
        line.rfind("output_dir:", 0) == 0) {
      continue;
    }
    lines.push_back(line);
  }
  return lines;
}

// What differs between the run in OUT (its job_start and job.yaml) and `job`; empty: none.
std::vector<std::string> job_differences(const JobConfig& job, const JobStartEvent& start,
                                         const fs::path& out) {
  std::vector<std::string> diffs;
  const auto compare = [&](const char* what, const std::string& theirs, const std::string& ours) {
    if (theirs != ours)
      diffs.push_back(std::string(what) + ": " + theirs + " in the run, " + ours + " in this job");
  };
  compare("job name", start.job, job.name);
  compare("strategy", start.strategy, to_string(job.strategy));
  compare("MaxNumberOfTrainingJobs", std::to_string(start.max_trials),
          std::to_string(job.max_trials));
  compare("min resource", std::to_string(start.min_resource), std::to_string(job.min_resource));
  compare("max resource", std::to_string(start.max_resource), std::to_string(job.max_resource));
  compare("objective", start.objective, job.objective.metric_name);
  compare("objective type", start.objective_type, to_string(job.objective.type));
  if (job.has_seed) compare("RandomSeed", std::to_string(start.seed), std::to_string(job.seed));
  if (!diffs.empty()) return diffs;
  // Everything else (ranges, model, data, static hyperparameters) from the stored job.yaml.
  std::ifstream in(out / "job.yaml");
  if (!in) return diffs;
  std::stringstream stored;
  stored << in.rdbuf();
  const std::vector<std::string> theirs = identity_lines(stored.str());
  const std::vector<std::string> ours = identity_lines(to_normalized_yaml(job));
  for (std::size_t i = 0; i < std::max(theirs.size(), ours.size()) && diffs.size() < 3; ++i) {
    const std::string a = i < theirs.size() ? theirs[i] : "(end)";
    const std::string b = i < ours.size() ? ours[i] : "(end)";
    if (a != b) diffs.push_back("job.yaml: `" + a + "` in the run, `" + b + "` in this job");
  }
  return diffs;
}

// Leftover temporary checkpoints go; every committed one is opened and its epoch read.
void inspect_checkpoints(const fs::path& dir, ResumePlan& plan) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    const std::string name = file.filename().string();
    if (name.find(".h5.tmp.") != std::string::npos) {
      // A checkpoint write cut short: never renamed into place, so never trusted.
      fs::remove(file, ec);
      plan.notes.push_back("removed " + file.string() + ", a checkpoint write cut short");
      continue;
    }
    if (file.extension() != ".h5") continue;
    try {
      const CheckpointReader reader(file.string());
      plan.checkpoint_epochs[file.stem().string()] = static_cast<int>(reader.get_int("epoch"));
    } catch (const std::exception& e) {
      plan.notes.push_back("not trusting " + file.string() + " (" + e.what() +
                           "): its trial restarts from scratch if it needs it");
    }
  }
}

bool has_outputs(const fs::path& out) {
  std::error_code ec;
  for (const char* name : {"results.h5", "trials.csv", "summary.json"}) {
    if (!fs::exists(out / name, ec)) return false;
  }
  return true;
}

// The event `json` when it is an E; InputError naming the journal when it is not an event.
template <typename E>
std::optional<E> journal_event(const std::string& json, const fs::path& journal) {
  try {
    JournalEvent event = parse_event(json);
    if (auto* e = std::get_if<E>(&event)) return std::move(*e);
    return std::nullopt;
  } catch (const Error& e) {
    throw InputError(journal.string() + ": " + e.what());
  }
}

}  // namespace

RunDir prepare_run_dir(JobConfig& job, bool must_resume) {
  const fs::path out(job.output_dir);
  const fs::path journal = out / "journal";
  RunDir dir;
  if (fs::exists(journal)) {
    const JournalRecords records = read_journal_records(journal.string());
    dir.has_journal = true;
    dir.journal_bytes = records.valid_bytes;
    if (records.has_bad_tail) {
      dir.plan.notes.push_back("cut off the journal's last record (" + records.tail_problem +
                               "): it was cut short by the crash, so it is not trusted");
    }
    if (!records.events.empty()) {
      const auto start = journal_event<JobStartEvent>(records.events.front(), journal);
      if (!start) {
        throw InputError(journal.string() + " does not begin with job_start: not a rung run");
      }
      const std::vector<std::string> diffs = job_differences(job, *start, out);
      if (!diffs.empty()) {
        std::string text;
        for (const std::string& d : diffs) text += "\n  " + d;
        throw InputError("output directory " + out.string() + " holds a run of another job (" +
                         start->job + "); pass another --out or remove it:" + text);
      }
      job.seed = start->seed;
      // A run's job_end is its last event.
      if (const auto end = journal_event<JobEndEvent>(records.events.back(), journal)) {
        dir.kind = RunDir::Kind::Finished;
        dir.message = "output directory " + out.string() + " holds a finished run of " + job.name +
                      " (" + to_string(end->reason) + ", " + std::to_string(end->trials) +
                      " trials, " + std::to_string(end->epochs) + " epochs): nothing to do";
        // Killed after its job_end was journaled, before its outputs were written: the
        // journal holds everything they show.
        if (!has_outputs(out)) {
          write_outputs(job, record_from_journal(records.events), /*is_quiet=*/true);
          dir.message += " but write its outputs, which were missing (rebuilt from the journal)";
        }
        return dir;
      }
      dir.kind = RunDir::Kind::Resume;
      dir.plan.journal_path = journal.string();
      dir.plan.events = records.events;
      dir.plan.slurm_restart_count = env_or_empty("SLURM_RESTART_COUNT");
      dir.plan.slurm_job_id = env_or_empty("SLURM_JOB_ID");
      inspect_checkpoints(out / "checkpoints", dir.plan);
    }
    // A journal with no complete record: the run never got going; it starts afresh in it.
  } else if (must_resume) {
    throw InputError("--resume: output directory " + out.string() +
                     " holds no journal, so there is no run to resume");
  }
  std::error_code ec;
  fs::create_directories(out / "checkpoints", ec);
  if (ec) throw InputError("cannot create output directory " + out.string() + ": " + ec.message());
  return dir;
}

void write_outputs(const JobConfig& job, const RunRecord& run, bool is_quiet) {
  const fs::path out(job.output_dir);
  write_results_h5((out / "results.h5").string(), job, run);
  write_trials_csv((out / "trials.csv").string(), job, run);
  write_summary_json((out / "summary.json").string(), job, run);
  if (is_quiet) return;
  std::cout << "\nresults: " << (out / "summary.json").string() << ", "
            << (out / "trials.csv").string() << ", " << (out / "results.h5").string()
            << std::endl;
}

int report_error(const std::exception& e, bool print) {
  if (const auto* config = dynamic_cast<const ConfigError*>(&e)) {
    if (print) {
      for (const ConfigIssue& issue : config->issues()) {
        std::cerr << "error: " << issue.to_string() << '\n';
      }
    }
    return kExitBadInput;
  }
  const bool bad_input = dynamic_cast<const InputError*>(&e) != nullptr;
  if (print) std::cerr << "rung: " << e.what() << std::endl;
  return bad_input ? kExitBadInput : kExitRuntime;
}

void apply_worker_memory_limit(const JobConfig& job, int rank) {
  const std::int64_t mb = job.training.worker_memory_mb;
  if (mb <= 0) return;
  const auto limit = static_cast<rlim_t>(mb) << 20;
  // /proc/self/statm's first field: the pages this process maps now (LibTorch, MPI, data).
  std::ifstream statm("/proc/self/statm");
  long long pages = 0;
  if (statm >> pages) {
    const long long mapped_mb = pages * sysconf(_SC_PAGESIZE) >> 20;
    if (mapped_mb >= mb) {
      throw InputError("rung.worker_memory_mb: " + std::to_string(mb) + " MiB is less than rank " +
                       std::to_string(rank) + " maps before training anything (" +
                       std::to_string(mapped_mb) +
                       " MiB: LibTorch, MPI and the data set); raise it");
    }
  }
  rlimit cap{};
  getrlimit(RLIMIT_AS, &cap);
  cap.rlim_cur = std::min(limit, cap.rlim_max);  // soft: a site's own hard limit still wins
  if (setrlimit(RLIMIT_AS, &cap) != 0) {
    throw Error("rank " + std::to_string(rank) + ": cannot set rung.worker_memory_mb (" +
                std::to_string(mb) + " MiB) as RLIMIT_AS: " + std::strerror(errno));
  }
}

int positive_flag(const std::string& flag, const std::string& v) {
  int n = -1;
  try {
    std::size_t used = 0;
    n = std::stoi(v, &used);
    if (used != v.size()) n = -1;
  } catch (const std::exception&) {
    n = -1;
  }
  if (n < 1) throw InputError(flag + " " + v + ": must be a positive integer");
  return n;
}

}  // namespace rung::cli
