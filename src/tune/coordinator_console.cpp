#include "rung/tune/coordinator_console.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "console_format.hpp"
#include "rung/tune/progress_line.hpp"

namespace rung {

std::ostream& CoordinatorConsole::line() {
  if (is_bar_shown_) {
    out_ << "\r\033[K";
    is_bar_shown_ = false;
  }
  return out_;
}

void CoordinatorConsole::end_bar() {
  if (!is_bar_shown_) return;
  out_ << '\n';
  is_bar_shown_ = false;
}

void CoordinatorConsole::status(const RunRecord& record, double now_s) {
  last_status_s_ = now_s;
  ProgressSnapshot p;
  for (const Trial& t : record.trials) {
    switch (t.status) {
      case TrialStatus::Running:
        ++p.running;
        break;
      case TrialStatus::Paused:
        ++p.paused;
        break;
      case TrialStatus::Failed:
        ++p.failed;
        ++p.trials_finished;
        break;
      default:
        ++p.trials_finished;
        break;
    }
  }
  p.trials_started = static_cast<long long>(record.trials.size());
  p.max_trials = job_.max_trials;
  p.epochs = record.total_epochs_trained;
  p.elapsed_s = last_status_s_;
  p.max_runtime_s = job_.max_runtime_s;
  p.metric = job_.objective.metric_name;
  if (auto best = record.best_trial(job_.objective.type == ObjectiveType::Maximize)) {
    const Trial& t = record.trials[static_cast<std::size_t>(*best)];
    p.best = *t.objective;
    p.best_trial = t.name;
  }
  if (is_terminal_) {
    out_ << '\r' << format_progress_bar(p, 100) << "\033[K" << std::flush;
    is_bar_shown_ = true;
  } else {
    out_ << format_time(last_status_s_) << ' ' << format_progress_log(p) << std::endl;
  }
}

void CoordinatorConsole::top_trials(const RunRecord& record) {
  std::vector<const Trial*> ranked;
  for (const Trial& t : record.trials) {
    if (t.objective && t.status != TrialStatus::Failed) ranked.push_back(&t);
  }
  const bool maximize = job_.objective.type == ObjectiveType::Maximize;
  std::stable_sort(ranked.begin(), ranked.end(), [&](const Trial* a, const Trial* b) {
    const double av = maximize ? *a->objective : -*a->objective;
    const double bv = maximize ? *b->objective : -*b->objective;
    if (av != bv) return av > bv;
    return a->epochs > b->epochs;
  });
  line() << "\nTop trials by " << job_.objective.metric_name << " ("
                 << to_string(job_.objective.type) << "):\n";
  out_ << fmt::format("  {:<4} {:<28} {:<10} {:>6} {:>10}  {}\n", "rank", "trial", "status",
                      "epochs", "objective", "hyperparameters");
  for (std::size_t i = 0; i < ranked.size() && i < 5; ++i) {
    const Trial& t = *ranked[i];
    out_ << fmt::format("  {:<4} {:<28} {:<10} {:>6} {:>10.4f}  {}\n", i + 1, t.name,
                        to_string(t.status), t.epochs, *t.objective, format_hp(t.tuned));
  }
  if (!ranked.empty()) {
    const Trial& best = *ranked.front();
    out_ << "\nBest configuration: " << best.name << "  " << job_.objective.metric_name << " = "
             << format_metric(*best.objective) << " after " << best.epochs << " epochs\n";
    for (const auto& [name, v] : best.tuned)
      out_ << "  " << name << ": " << to_string(v) << '\n';
  } else {
    out_ << "  (no trial reported the objective)\n";
  }
  out_.flush();
}

}  // namespace rung
