#include "rung/tune/progress_line.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace rung {
namespace {

std::string metric_value(double v) { return fmt::format("{:.4f}", v); }

std::string seconds_text(double s) {
  return s < 100 ? fmt::format("{:.1f} s", s) : fmt::format("{:.0f} s", s);
}

double fraction_done(const ProgressSnapshot& p) {
  if (p.max_trials <= 0) return 0.0;
  return std::clamp(static_cast<double>(p.trials_finished) / static_cast<double>(p.max_trials), 0.0,
                    1.0);
}

}  // namespace

std::optional<double> estimate_remaining_s(const ProgressSnapshot& p) {
  std::optional<double> by_limit;
  if (p.max_runtime_s) by_limit = std::max(0.0, *p.max_runtime_s - p.elapsed_s);
  if (p.max_trials > 0 && p.trials_finished >= p.max_trials) return 0.0;
  if (p.trials_finished <= 0 || p.max_trials <= 0) return by_limit;
  const double unfinished = static_cast<double>(p.max_trials - p.trials_finished);
  const double by_rate = p.elapsed_s * unfinished / static_cast<double>(p.trials_finished);
  return by_limit ? std::min(*by_limit, by_rate) : by_rate;
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const long long s = std::llround(seconds);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

std::string format_progress_bar(const ProgressSnapshot& p, int columns) {
  std::string tail =
      "  " + std::to_string(p.trials_finished) + '/' + std::to_string(p.max_trials) + " trials";
  if (p.running > 0) tail += "  " + std::to_string(p.running) + " running";
  if (p.failed > 0) tail += "  " + std::to_string(p.failed) + " failed";
  if (p.best) tail += "  best " + p.metric + ' ' + metric_value(*p.best);
  tail += "  " + format_duration(p.elapsed_s) + " elapsed";
  if (const auto left = estimate_remaining_s(p)) tail += "  ~" + format_duration(*left) + " left";
  columns = std::max(columns, 12);
  // The bar takes what the text leaves, between 10 and 30 cells.
  const int bar_cells = std::clamp(columns - static_cast<int>(tail.size()) - 2, 10, 30);
  const double f = fraction_done(p);
  const int filled = static_cast<int>(std::floor(f * bar_cells + 1e-9));
  std::string line = "[" + std::string(static_cast<std::size_t>(filled), '#') +
                     std::string(static_cast<std::size_t>(bar_cells - filled), '.') + "]" + tail;
  if (static_cast<int>(line.size()) > columns) line.resize(static_cast<std::size_t>(columns));
  return line;
}

std::string format_progress_log(const ProgressSnapshot& p) {
  std::string line =
      "progress: " + std::to_string(p.trials_finished) + '/' + std::to_string(p.max_trials) +
      " trials finished (" + std::to_string(static_cast<int>(std::floor(100 * fraction_done(p)))) +
      "%), " + std::to_string(p.running) + " running, " + std::to_string(p.paused) + " paused, " +
      std::to_string(p.failed) + " failed; " + std::to_string(p.epochs) + " epochs";
  if (p.best) {
    line += "; best " + p.metric + ' ' + metric_value(*p.best);
    if (!p.best_trial.empty()) line += " (" + p.best_trial + ")";
  }
  line += "; elapsed " + seconds_text(p.elapsed_s);
  if (p.max_runtime_s) line += " of " + seconds_text(*p.max_runtime_s);
  const auto left = estimate_remaining_s(p);
  line += left ? "; about " + seconds_text(*left) + " left" : "; time left unknown yet";
  return line;
}

}  // namespace rung
