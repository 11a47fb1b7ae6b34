// How many trials reached each rung (or epoch), stacked by the epoch each was first sent to.
#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "chart_support.hpp"
#include "rung/report/charts.hpp"

namespace rung::report {

using detail::empty_message;
using detail::kHeight;
using detail::kWide;

namespace {

// The levels counted: the scheduler's rungs, else every epoch reached (thinned to at most 40).
std::vector<long long> occupancy_levels(const RunHistory& h) {
  std::vector<long long> levels = h.rungs;
  long long max_epoch = 0;
  for (const TrialHistory& t : h.trials) max_epoch = std::max(max_epoch, t.epochs);
  if (levels.empty()) {
    const long long step = std::max<long long>(1, (max_epoch + 39) / 40);
    for (long long e = 1; e <= max_epoch; e += step) levels.push_back(e);
    if (!levels.empty() && levels.back() != max_epoch) levels.push_back(max_epoch);
  }
  return levels;
}

// The x axis is categorical (one band per level, labelled by the bars), so the axes are
// drawn here rather than by draw_axes.
void draw_occupancy_axes(SvgWriter& svg, const PlotFrame& f, const Scale& y,
                         const std::string& x_title) {
  svg.begin_group("axes");
  svg.line(f.x0(), f.y0(), f.x1(), f.y0(), "axis");
  svg.line(f.x0(), f.y0(), f.x0(), f.y1(), "axis");
  for (double v : y.ticks(5)) {
    svg.line(f.x0() - 4, y(v), f.x0(), y(v), "tick");
    svg.line(f.x0(), y(v), f.x1(), y(v), "grid");
    svg.text(f.x0() - 7, y(v) + 4, format_number(v), "tick-label", "end");
  }
  svg.text((f.x0() + f.x1()) / 2, f.height - 6, x_title, "axis-title", "middle");
  svg.text(14, (f.y0() + f.y1()) / 2, "trials that reported there", "axis-title", "middle", -90);
  svg.end_group();
}

}  // namespace

Chart rung_occupancy_chart(const RunHistory& h) {
  Chart c;
  c.id = "rung-occupancy";
  c.title = "Rung and bracket occupancy";
  PlotFrame f;
  f.width = kWide;
  f.height = kHeight;
  f.top = 30;
  SvgWriter svg(f.width, f.height, c.id, c.title);
  const std::vector<long long> levels = occupancy_levels(h);
  // Groups: trials by the epoch they were first sent to (a Hyperband bracket's first rung).
  std::map<long long, std::size_t> group_of;
  for (const TrialHistory& t : h.trials) group_of.emplace(t.first_until, 0);
  std::size_t g = 0;
  for (auto& [until, index] : group_of) index = g++;
  std::vector<std::vector<long long>> counts(levels.size(),
                                             std::vector<long long>(group_of.size(), 0));
  for (const TrialHistory& t : h.trials) {
    std::set<long long> reported;
    for (const EpochReport& r : t.reports) reported.insert(r.epoch);
    for (std::size_t l = 0; l < levels.size(); ++l) {
      if (reported.count(levels[l]) != 0) ++counts[l][group_of[t.first_until]];
    }
  }
  long long top = 1;
  for (const auto& row : counts) top = std::max(top, std::accumulate(row.begin(), row.end(), 0LL));
  const double band =
      (f.x1() - f.x0()) / static_cast<double>(std::max<std::size_t>(1, levels.size()));
  const Scale y = Scale::linear(0, static_cast<double>(top) * 1.1, f.y0(), f.y1());
  draw_occupancy_axes(svg, f, y, h.rungs.empty() ? "epoch" : "rung (epochs)");
  for (std::size_t l = 0; l < levels.size(); ++l) {
    const double bx = f.x0() + band * static_cast<double>(l) + band * 0.15;
    const double bw = band * 0.7;
    double base = 0;
    for (const auto& [until, gi] : group_of) {
      const long long n = counts[l][gi];
      if (n == 0) continue;
      const double y_top = y(base + static_cast<double>(n));
      svg.rect(bx, y_top, bw, y(base) - y_top, "mark bar g" + std::to_string(gi % 6),
               std::to_string(n) + " trials first sent to epoch " + std::to_string(until) +
                   " reported at epoch " + std::to_string(levels[l]));
      base += static_cast<double>(n);
    }
    svg.text(bx + bw / 2, y(base) - 4, std::to_string(static_cast<long long>(base)), "bar-label",
             "middle");
    if (levels.size() <= 20 || l % ((levels.size() + 19) / 20) == 0) {
      svg.text(bx + bw / 2, f.y0() + 16, std::to_string(levels[l]), "tick-label", "middle");
    }
  }
  if (group_of.size() > 1) {
    double lx = f.x0() + 4;
    for (const auto& [until, gi] : group_of) {
      svg.rect(lx, 8, 10, 10, "legend g" + std::to_string(gi % 6));
      svg.text(lx + 14, 17, "first to " + std::to_string(until), "legend-label");
      lx += 110;
    }
  }
  if (h.trials.empty()) empty_message(svg, f, "no trial started yet");
  c.svg = svg.finish();
  c.note = h.rungs.empty()
               ? "How many trials reported at each epoch (this scheduler has no rungs)."
               : "How many trials reported at each rung, stacked by the epoch a trial was "
                 "first sent to (under Hyperband, its bracket's first rung).";
  return c;
}

}  // namespace rung::report
