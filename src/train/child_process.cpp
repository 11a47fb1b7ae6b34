#include "rung/train/child_process.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>

#include "rung/config/error.hpp"

namespace rung {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// What the child writes to the error pipe when it cannot exec: the step and errno.
struct ExecFailure {
  int step = 0;  // 1 chdir, 2 exec
  int error = 0;
};

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

std::string ChildExit::describe() const {
  if (signal > 0) {
    const char* name = sigabbrev_np(signal);
    return std::string("killed by signal ") + (name ? std::string("SIG") + name : "") + " (" +
           std::to_string(signal) + ")";
  }
  return "exited with status " + std::to_string(exit_status);
}

std::string resolve_program(const std::string& word, const std::string& workdir,
                            const std::string& path_variable) {
  if (word.find('/') != std::string::npos) {
    const fs::path p = fs::path(word).is_absolute() ? fs::path(word) : fs::path(workdir) / word;
    std::error_code ec;
    if (!fs::exists(p, ec)) {
      throw InputError("rung.command: program \"" + word + "\" not found (looked for " +
                       p.string() + ")");
    }
    if (!is_executable_file(p.string())) {
      throw InputError("rung.command: \"" + p.string() +
                       "\" is not an executable file (chmod +x it, or name its interpreter "
                       "first, e.g. [python3, " + word + "])");
    }
    return p.string();
  }
  std::size_t start = 0;
  while (start <= path_variable.size()) {
    auto end = path_variable.find(':', start);
    if (end == std::string::npos) end = path_variable.size();
    std::string dir = path_variable.substr(start, end - start);
    if (dir.empty()) dir = workdir;  // an empty PATH entry is the current directory
    if (!fs::path(dir).is_absolute()) dir = (fs::path(workdir) / dir).string();
    const std::string candidate = (fs::path(dir) / word).string();
    if (is_executable_file(candidate)) return candidate;
    start = end + 1;
  }
  throw InputError("rung.command: program \"" + word + "\" not found on PATH (" + path_variable +
                   ")");
}

ChildProcess::ChildProcess(const ChildSpec& spec) {
  // Everything the child touches is prepared here: after fork only async-signal-safe calls.
  std::vector<char*> argv;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const char* program = spec.program.c_str();
  const char* workdir = spec.workdir.c_str();

  const int out = ::open(spec.output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0) {
    throw TrialError("cannot start " + spec.program + ": cannot open " + spec.output_path + ": " +
                     std::strerror(errno));
  }
  // The reader starts where this program's output will begin.
  output_fd_ = ::open(spec.output_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (output_fd_ < 0 || ::lseek(output_fd_, 0, SEEK_END) < 0) {
    const std::string why = std::strerror(errno);
    ::close(out);
    close_fd(output_fd_);
    throw TrialError("cannot start " + spec.program + ": cannot read " + spec.output_path + ": " + why);
  }
  int status_pipe[2] = {-1, -1};
  if (::pipe2(status_pipe, O_CLOEXEC) != 0) {
    const std::string why = std::strerror(errno);
    ::close(out);
    close_fd(output_fd_);
    throw TrialError("cannot start " + spec.program + ": pipe: " + why);
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the rank died before prctl took effect
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);  // MPI libraries often ignore it; programs expect the default
    // Slurm's walltime warning reaches every process of a job step (slurmstepd signals them
    // all), and it would end a program that has no handler for it: rung suspends its
    // programs itself, so they ignore it (an ignored signal stays ignored across exec).
    ::signal(SIGUSR1, SIG_IGN);
    const int null_in = ::open("/dev/null", O_RDONLY);
    if (null_in >= 0) ::dup2(null_in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    ExecFailure failure;
    if (::chdir(workdir) != 0) {
      failure = {1, errno};
    } else {
      ::execve(program, argv.data(), envp.data());
      failure = {2, errno};
    }
    ssize_t unused = ::write(status_pipe[1], &failure, sizeof failure);
    (void)unused;
    ::_exit(127);
  }
  const int fork_errno = errno;
  ::close(out);
  ::close(status_pipe[1]);
  if (pid < 0) {
    ::close(status_pipe[0]);
    close_fd(output_fd_);
    throw TrialError("cannot start " + spec.program + ": fork: " + std::strerror(fork_errno));
  }
  pid_ = pid;
  ::setpgid(pid, pid);  // also here, so the group exists before the first signal_group
  // The status pipe closes on a successful exec (O_CLOEXEC) or carries why it failed.
  ExecFailure failure;
  ssize_t got = 0;
  do {
    got = ::read(status_pipe[0], &failure, sizeof failure);
  } while (got < 0 && errno == EINTR);
  ::close(status_pipe[0]);
  if (got == static_cast<ssize_t>(sizeof failure)) {
    reap(true);
    close_fd(output_fd_);
    pid_ = -1;
    throw TrialError("cannot start " + spec.program + ": " +
                     (failure.step == 1 ? "cannot enter the working directory " + spec.workdir
                                        : std::string("exec failed")) +
                     ": " + std::strerror(failure.error));
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exit_) {
    signal_group(SIGKILL);
    signal_group(SIGCONT);
    reap(true);
  }
  close_fd(output_fd_);
}

void ChildProcess::signal_group(int sig) {
  // The group outlives its leader only as long as the leader is not reaped: after that its
  // id may be reused, so nothing is sent.
  if (pid_ > 0 && !exit_) ::kill(-pid_, sig);
}

bool ChildProcess::reap(bool block) {
  if (exit_ || pid_ <= 0) return true;
  int status = 0;
  pid_t r = 0;
  do {
    r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return false;
  ChildExit e;
  if (r < 0) {
    e.exit_status = 255;  // not our child any more (cannot happen); treat as a failure
  } else if (WIFEXITED(status)) {
    e.exit_status = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    e.signal = WTERMSIG(status);
  }
  exit_ = e;
  return true;
}

void ChildProcess::read_available() {
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(output_fd_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // at the file's end for now
    for (ssize_t i = 0; i < n; ++i) {
      const char c = buffer[i];
      if (c == '\n' || c == '\r') {
        if ((c == '\n' || !partial_.empty()) && partial_.rfind("[rung] ", 0) != 0) {
          lines_.push_back(std::move(partial_));
        }
        partial_.clear();
      } else {
        partial_ += c;
      }
    }
  }
}

ChildProcess::Event ChildProcess::next(double timeout_s, std::string& line) {
  const auto start = SteadyClock::now();
  for (;;) {
    if (lines_.empty()) read_available();
    if (!lines_.empty()) {
      line = std::move(lines_.front());
      lines_.pop_front();
      return Event::Line;
    }
    if (exit_) {
      // Ended and drained: a last line without its newline is still a line.
      if (!partial_.empty()) {
        line = std::move(partial_);
        partial_.clear();
        if (line.rfind("[rung] ", 0) != 0) return Event::Line;
      }
      return Event::Exited;
    }
    if (reap(false)) continue;  // read what it wrote before it ended
    const double left = timeout_s < 0 ? 1.0 : timeout_s - seconds_since(start);
    if (timeout_s >= 0 && left <= 0) return Event::Timeout;
    // The file is read as it grows: a few milliseconds between looks keep a report's delay
    // small against any epoch and cost next to nothing.
    ::usleep(static_cast<useconds_t>(std::min(5000.0, std::max(100.0, left * 1e6))));
  }
}

ChildExit ChildProcess::terminate(double grace_s,
                                  const std::function<void(const std::string&)>& on_line) {
  if (exit_) return *exit_;
  signal_group(SIGTERM);
  signal_group(SIGCONT);  // a stopped program must run to handle SIGTERM
  const auto start = SteadyClock::now();
  std::string line;
  bool killed = false;
  for (;;) {
    const double left = grace_s - seconds_since(start);
    const Event e = next(killed ? 5.0 : std::max(0.0, left), line);
    if (e == Event::Exited) break;
    if (e == Event::Line) on_line(line);
    if (e == Event::Timeout) {
      if (killed) {
        reap(true);
        break;
      }
      signal_group(SIGKILL);
      killed = true;
    }
  }
  return *exit_;
}

}  // namespace rung
