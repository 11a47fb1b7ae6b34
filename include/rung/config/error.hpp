// rung's error hierarchy. Every failure a user can cause or meet is one of these, and each
// kind maps to a process exit code (see exit_code()).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace rung {

// Process exit codes: the contract with sbatch scripts and users' tooling.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;
inline constexpr int kExitBadInput = 2;
// Stopped early on purpose (SIGUSR1/SIGTERM from Slurm, or the segment's deadline) with every
// running trial checkpointed: run the same command with the same --out to resume.
inline constexpr int kExitIncomplete = 3;
// The job finished (its outputs are complete), but worker ranks stopped answering and were
// given up (rung.worker_timeout_s): their trials failed, and the cluster needs a look.
inline constexpr int kExitWorkersLost = 4;

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One problem in a job file: where (field path, and line/column when known), what was
// found, and the rule it breaks.
struct ConfigIssue {
  std::string path;     // e.g. "ParameterRanges.ContinuousParameterRanges[1].MinValue"
  std::string message;  // value, rule and fix
  int line = -1;        // 1-based, -1 when unknown
  int column = -1;
  [[nodiscard]] std::string to_string() const;
};

// A bad job file. Carries every issue found, not only the first.
class ConfigError : public Error {
 public:
  explicit ConfigError(std::vector<ConfigIssue> issues);
  ConfigError(std::string path, std::string message);
  [[nodiscard]] const std::vector<ConfigIssue>& issues() const noexcept { return issues_; }

 private:
  std::vector<ConfigIssue> issues_;
};

// Bad input that is not a job file: a missing dataset, an unreadable checkpoint, a bad flag.
class InputError : public Error {
 public:
  using Error::Error;
};

class CheckpointError : public InputError {
 public:
  using InputError::InputError;
};

class MpiError : public Error {
 public:
  using Error::Error;
};

// A trial that failed (NaN loss, exception in the trainer): reported, never fatal to a rank.
class TrialError : public Error {
 public:
  using Error::Error;
};

}  // namespace rung
