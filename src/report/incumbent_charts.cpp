// The incumbent: the best objective so far, against wall-clock time or epochs spent.
#include <algorithm>
#include <utility>

#include "chart_support.hpp"
#include "rung/report/charts.hpp"

namespace rung::report {
namespace {

using detail::empty_message;
using detail::find_trial;
using detail::kHeight;
using detail::kWide;
using detail::value_scale;

Chart incumbent_chart(const RunHistory& h, bool by_epochs) {
  Chart c;
  c.id = by_epochs ? "best-vs-epochs" : "best-vs-time";
  c.title =
      by_epochs ? "Best objective against epochs spent" : "Best objective against wall-clock time";
  PlotFrame f;
  f.width = kWide / 2 + 20;
  f.height = kHeight;
  SvgWriter svg(f.width, f.height, c.id, c.title);
  const double x_end = by_epochs ? static_cast<double>(std::max<long long>(1, h.epochs_reported))
                                 : std::max(h.elapsed_s, 1e-3);
  const Scale x = Scale::linear(0, x_end, f.x0(), f.x1());
  std::vector<double> values;
  for (const IncumbentPoint& p : h.incumbent) values.push_back(p.best);
  const Scale y = value_scale(values, f.y0(), f.y1());
  draw_axes(svg, f, x, y, by_epochs ? "epochs trained (all trials)" : "seconds since start",
            h.objective_metric);
  if (h.incumbent.empty()) {
    empty_message(svg, f, "no objective reported yet");
  } else {
    std::vector<std::pair<double, double>> steps;
    for (std::size_t i = 0; i < h.incumbent.size(); ++i) {
      const IncumbentPoint& p = h.incumbent[i];
      const double px = x(by_epochs ? static_cast<double>(p.epochs_spent) : p.t);
      if (i > 0) steps.emplace_back(px, steps.back().second);
      steps.emplace_back(px, y(p.best));
    }
    steps.emplace_back(x(x_end), steps.back().second);
    svg.polyline(steps, "mark incumbent");
    if (!by_epochs) {
      for (const SegmentMark& m : h.segment_marks) {
        svg.line(x(m.t), f.y0(), x(m.t), f.y1(), "segment");
        if (m.kind == "suspend")
          svg.text(x(m.t) - 3, f.y1() + 10, "suspended", "tick-label", "end");
        if (m.kind == "resume") svg.text(x(m.t) + 3, f.y1() + 22, "resumed", "tick-label");
      }
    }
    // One dot per improvement (bounded: improvements are few, log-many for random search).
    for (const IncumbentPoint& p : h.incumbent) {
      const TrialHistory* t = find_trial(h, p.trial);
      const std::string tip =
          format_number(p.best) + " by " + (t ? t->name : "?") + " at " +
          (by_epochs ? std::to_string(p.epochs_spent) + " epochs" : format_number(p.t) + " s");
      svg.circle(x(by_epochs ? static_cast<double>(p.epochs_spent) : p.t), y(p.best), 3,
                 "mark improvement", tip);
    }
  }
  c.svg = svg.finish();
  c.note = "The best " + h.objective_metric + " reported so far by any trial at any epoch (" +
           std::to_string(h.incumbent.size()) + " improvements).";
  return c;
}

}  // namespace

Chart best_over_time_chart(const RunHistory& h) { return incumbent_chart(h, false); }
Chart best_over_epochs_chart(const RunHistory& h) { return incumbent_chart(h, true); }

}  // namespace rung::report
