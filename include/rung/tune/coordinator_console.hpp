// rank 0's console: one line per event, a status line (or, on a terminal, a progress bar
// redrawn in place) every few seconds, and the table of top trials at the end.
#pragma once

#include <ostream>

#include "rung/config/job_config.hpp"
#include "rung/tune/trial.hpp"

namespace rung {

class CoordinatorConsole {
 public:
  CoordinatorConsole(std::ostream& out, const JobConfig& job, bool is_terminal)
      : out_(out), job_(job), is_terminal_(is_terminal) {}

  // The console, for a new event line: clears the progress bar first when one is showing.
  std::ostream& line();
  // The status line (or bar) for `record` at job time now_s.
  void status(const RunRecord& record, double now_s);
  // Ends a progress bar left on screen with a newline.
  void end_bar();
  void top_trials(const RunRecord& record);
  [[nodiscard]] double last_status_s() const noexcept { return last_status_s_; }

 private:
  std::ostream& out_;
  const JobConfig& job_;
  bool is_terminal_ = false;
  bool is_bar_shown_ = false;
  double last_status_s_ = 0.0;
};

}  // namespace rung
