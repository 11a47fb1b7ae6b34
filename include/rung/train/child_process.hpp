// A program started from a worker rank, in a process group of its own, whose output is read
// line by line. fork() + execve() with everything the child needs prepared before the fork,
// so the child calls only async-signal-safe functions (the rank has MPI and LibTorch threads).
// The child dies with the thread that started it (PR_SET_PDEATHSIG), so a rank killed by
// Slurm or kill -9 leaves no orphaned training program behind.
//
// Its stdout and stderr go straight to a file (appended), which the parent reads as it
// grows: what the program printed is on disk even when the rank dies first. (A killed rank
// takes a while to go, and its children run on until the kernel sends PR_SET_PDEATHSIG at the
// very end; a pipe would lose what they printed meanwhile.)
#pragma once

#include <sys/types.h>

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace rung {

struct ChildSpec {
  std::string program;            // an absolute path (resolve_program)
  std::vector<std::string> argv;  // argv[0] included
  std::vector<std::string> env;   // "NAME=value", the whole environment
  std::string workdir;
  std::string output_path;        // stdout and stderr, appended
};

// How the program ended: exit status or the signal that killed it.
struct ChildExit {
  int exit_status = -1;  // >= 0 when it exited
  int signal = 0;        // > 0 when a signal killed it
  [[nodiscard]] bool is_clean() const { return exit_status == 0; }
  [[nodiscard]] std::string describe() const;  // "exited with status 3", "killed by SIGSEGV"
};

// The program `word` names, as execvp would find it: a word with '/' is a path (relative to
// `workdir`), else the first executable match on `path_variable` (PATH). Throws InputError
// naming the word and the rule when there is no such program or it is not executable.
[[nodiscard]] std::string resolve_program(const std::string& word, const std::string& workdir,
                                          const std::string& path_variable);

class ChildProcess {
 public:
  enum class Event { Line, Exited, Timeout };

  // Starts the program. Throws TrialError when it cannot be started (fork, exec, chdir),
  // with the reason from the child.
  explicit ChildProcess(const ChildSpec& spec);
  // A program still running is killed (SIGKILL to its group) and reaped.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The next line of output (without its end: '\n' and '\r' both end lines), waiting up to
  // `timeout_s` (< 0: no limit). Exited once the program has ended and its output is drained.
  // Lines that start with "[rung] " are rung's own notes in the same file: skipped.
  Event next(double timeout_s, std::string& line);
  // Sends `sig` to the program's process group (nothing once it has been reaped).
  void signal_group(int sig);
  // SIGTERM to the group, then SIGKILL after `grace_s`; hands the output that still comes to
  // `on_line` meanwhile. Returns how it ended.
  ChildExit terminate(double grace_s, const std::function<void(const std::string&)>& on_line);
  [[nodiscard]] const std::optional<ChildExit>& exit() const { return exit_; }
  [[nodiscard]] pid_t pid() const { return pid_; }

 private:
  void read_available();
  bool reap(bool block);

  pid_t pid_ = -1;
  int output_fd_ = -1;  // reads the output file from where this program's output begins
  std::string partial_;
  std::deque<std::string> lines_;
  std::optional<ChildExit> exit_;
};

}  // namespace rung
