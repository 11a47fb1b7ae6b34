// Every trial's objective per epoch, with its pauses, promotions, restarts and failure marked;
// a large run draws a sample of the curves over percentile bands of all of them.
#include <algorithm>
#include <cmath>
#include <map>
#include <utility>
#include <vector>

#include "chart_support.hpp"
#include "rung/report/charts.hpp"

namespace rung::report {
namespace {

using detail::empty_message;
using detail::kWide;
using detail::state_class;
using detail::state_legend;
using detail::trial_tooltip;
using detail::value_scale;
using detail::with_commas;

// Every trial counts in the band: the 10th, 50th and 90th percentile at each epoch.
void draw_percentile_bands(SvgWriter& svg, const RunHistory& h, const Scale& x, const Scale& y) {
  std::map<long long, std::vector<double>> at_epoch;
  for (const TrialHistory& t : h.trials) {
    for (const EpochReport& r : t.reports) {
      if (std::isfinite(r.objective)) at_epoch[r.epoch].push_back(r.objective);
    }
  }
  std::vector<std::pair<double, double>> p10, p50, p90;
  for (auto& [epoch, v] : at_epoch) {
    std::sort(v.begin(), v.end());
    const auto q = [&](double p) {
      return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
    };
    p10.emplace_back(x(static_cast<double>(epoch)), y(q(0.1)));
    p50.emplace_back(x(static_cast<double>(epoch)), y(q(0.5)));
    p90.emplace_back(x(static_cast<double>(epoch)), y(q(0.9)));
  }
  svg.polyline(p10, "mark band", "10th percentile over all trials");
  svg.polyline(p50, "mark band median", "median over all trials");
  svg.polyline(p90, "mark band", "90th percentile over all trials");
}

// The markers drawn on the curves, counted for the chart's note.
struct MarkCounts {
  std::size_t pauses = 0;
  std::size_t promotions = 0;
  std::size_t failures = 0;
  std::size_t restarts = 0;
};

// One trial's curve, then a circle where it paused, a triangle where it was promoted from, a
// square where a resumed run restarted it, and a cross where it failed.
void draw_curve(SvgWriter& svg, const RunHistory& h, const TrialHistory& t, const PlotFrame& f,
                const Scale& x, const Scale& y, MarkCounts& counts) {
  std::vector<std::pair<double, double>> points;
  std::map<long long, double> at;
  for (const EpochReport& r : t.reports) {
    if (!std::isfinite(r.objective)) continue;
    points.emplace_back(x(static_cast<double>(r.epoch)), y(r.objective));
    at[r.epoch] = r.objective;
  }
  if (points.size() == 1) points.push_back(points.front());  // a one-epoch trial: a dot
  if (!points.empty()) {
    svg.polyline(points, "mark curve " + state_class(t.state), trial_tooltip(h, t));
  }
  for (long long e : t.paused_at) {
    if (at.count(e) == 0) continue;
    svg.circle(x(static_cast<double>(e)), y(at[e]), 3, "mark pause",
               t.name + " paused at epoch " + std::to_string(e));
    ++counts.pauses;
  }
  for (long long e : t.promoted_from) {
    if (at.count(e) == 0) continue;
    svg.triangle(x(static_cast<double>(e)), y(at[e]) - 6, 7, "mark promote",
                 t.name + " promoted from epoch " + std::to_string(e));
    ++counts.promotions;
  }
  for (long long e : t.restarted_from) {
    if (at.count(e) == 0) continue;
    svg.rect(x(static_cast<double>(e)) - 3, y(at[e]) - 3, 6, 6, "mark restart",
             t.name + " restarted from epoch " + std::to_string(e) + " by a resumed run");
    ++counts.restarts;
  }
  if (t.state == FinalState::Failed) {
    // Where it failed: its last finite point, or the bottom axis when it never had one.
    const double px = x(static_cast<double>(std::max<long long>(t.epochs, 1)));
    const double py = at.empty() ? f.y0() - 4 : y(at.rbegin()->second);
    svg.line(px - 4, py - 4, px + 4, py + 4, "mark failure");
    svg.line(px - 4, py + 4, px + 4, py - 4, "mark failure");
    ++counts.failures;
  }
}

std::string curves_note(const RunHistory& h, const MarkCounts& counts, std::size_t drawn) {
  std::string note = "Each line is one trial's " + h.objective_metric +
                     " per epoch, coloured by its final state; circles mark pauses (" +
                     std::to_string(counts.pauses) + "), triangles promotions (" +
                     std::to_string(counts.promotions) + "), crosses failures (" +
                     std::to_string(counts.failures) + ")" +
                     (counts.restarts > 0 ? ", squares restarts after a resume (" +
                                                std::to_string(counts.restarts) + ")"
                                          : "") +
                     ".";
  if (drawn < h.trials.size()) {
    note += " Sampled: " + with_commas(drawn) + " of " + with_commas(h.trials.size()) +
            " trials drawn (the best third, then an even stride over the rest); the grey "
            "lines are the 10th, 50th and 90th percentiles over all trials at each epoch.";
  }
  return note;
}

}  // namespace

Chart learning_curves_chart(const RunHistory& h, const ChartLimits& limits) {
  Chart c;
  c.id = "learning-curves";
  c.title = "Learning curves";
  PlotFrame f;
  f.width = kWide;
  f.height = 360;
  f.top = 30;
  SvgWriter svg(f.width, f.height, c.id, c.title);
  long long max_epoch = 1;
  std::vector<double> values;
  for (const TrialHistory& t : h.trials) {
    for (const EpochReport& r : t.reports) {
      max_epoch = std::max(max_epoch, r.epoch);
      values.push_back(r.objective);
    }
  }
  const Scale x =
      Scale::linear(max_epoch > 1 ? 1 : 0, static_cast<double>(max_epoch), f.x0(), f.x1());
  const Scale y = value_scale(values, f.y0(), f.y1());
  draw_axes(svg, f, x, y, "epoch", h.objective_metric);
  state_legend(svg, f.x0() + 4, 16);
  const std::vector<std::size_t> drawn = sample_trials(h, limits.max_curves, false);
  if (values.empty()) empty_message(svg, f, "no epoch reported yet");
  if (drawn.size() < h.trials.size()) draw_percentile_bands(svg, h, x, y);
  svg.begin_group("curves");
  MarkCounts counts;
  for (std::size_t i : drawn) draw_curve(svg, h, h.trials[i], f, x, y, counts);
  svg.end_group();
  c.svg = svg.finish();
  c.note = curves_note(h, counts, drawn.size());
  return c;
}

}  // namespace rung::report
