// The hyperparameters against the objective: one scatter per hyperparameter, and parallel
// coordinates through all of them.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "chart_support.hpp"
#include "rung/report/charts.hpp"

namespace rung::report {

using detail::Axis;
using detail::axis_scale;
using detail::axis_value;
using detail::empty_message;
using detail::hyperparameter_axes;
using detail::jitter;
using detail::kWide;
using detail::state_class;
using detail::trial_tooltip;
using detail::value_scale;
using detail::with_commas;

std::vector<Chart> hyperparameter_charts(const RunHistory& h, const std::vector<ParamRange>& ranges,
                                         const ChartLimits& limits) {
  std::vector<Chart> charts;
  const std::vector<Axis> axes = hyperparameter_axes(h, ranges);
  const std::vector<std::size_t> drawn = sample_trials(h, limits.max_scatter_points, true);
  std::size_t with_objective = 0;
  std::vector<double> values;
  for (const TrialHistory& t : h.trials) {
    if (t.objective) {
      ++with_objective;
      values.push_back(*t.objective);
    }
  }
  const TrialHistory* best = h.best_trial();
  for (std::size_t a = 0; a < axes.size(); ++a) {
    const Axis& axis = axes[a];
    Chart c;
    c.id = "hp-" + std::to_string(a);
    c.title = axis.name + " against " + h.objective_metric;
    PlotFrame f;
    f.width = kWide / 2 + 20;
    f.height = 280;
    SvgWriter svg(f.width, f.height, c.id, c.title);
    const Scale x = axis_scale(axis, f.x0() + 6, f.x1() - 6);
    const Scale y = value_scale(values, f.y0(), f.y1());
    const std::string x_title = axis.name + (axis.is_log ? " (log scale)" : "");
    if (axis.is_categorical) {
      svg.begin_group("axes");
      svg.line(f.x0(), f.y0(), f.x1(), f.y0(), "axis");
      svg.line(f.x0(), f.y0(), f.x0(), f.y1(), "axis");
      for (double v : y.ticks(5)) {
        svg.line(f.x0(), y(v), f.x1(), y(v), "grid");
        svg.text(f.x0() - 7, y(v) + 4, format_number(v), "tick-label", "end");
      }
      for (std::size_t k = 0; k < axis.categories.size(); ++k) {
        svg.text(x(static_cast<double>(k)), f.y0() + 16, axis.categories[k], "tick-label",
                 "middle");
      }
      svg.text((f.x0() + f.x1()) / 2, f.height - 6, x_title, "axis-title", "middle");
      svg.text(14, (f.y0() + f.y1()) / 2, h.objective_metric, "axis-title", "middle", -90);
      svg.end_group();
    } else {
      draw_axes(svg, f, x, y, x_title, h.objective_metric);
    }
    const double band = axis.is_categorical
                            ? (f.x1() - f.x0()) / static_cast<double>(std::max<std::size_t>(
                                                      1, axis.categories.size()))
                            : 0.0;
    for (std::size_t i : drawn) {
      const TrialHistory& t = h.trials[i];
      const double v = axis_value(axis, t);
      if (!std::isfinite(v) || (axis.is_log && v <= 0)) continue;
      const double px = x(v) + (axis.is_categorical ? jitter(t.id) * band * 0.6 : 0.0);
      svg.circle(px, y(*t.objective), &t == best ? 5 : 2.5,
                 "mark point " + state_class(t.state) + (&t == best ? " best" : ""),
                 trial_tooltip(h, t));
    }
    if (drawn.empty()) empty_message(svg, f, "no objective reported yet");
    c.svg = svg.finish();
    c.note = "One point per trial at its latest epoch's " + h.objective_metric +
             (axis.is_log ? "; logarithmic axis (the range is Logarithmic)" : "") +
             (axis.is_categorical ? "; categories spread sideways so points do not hide each other"
                                  : "") +
             "; the large point is the best trial.";
    if (drawn.size() < with_objective) {
      c.note += " Sampled: " + with_commas(drawn.size()) + " of " + with_commas(with_objective) +
                " trials (the best third, then an even stride).";
    }
    charts.push_back(std::move(c));
  }
  return charts;
}

Chart parallel_coordinates_chart(const RunHistory& h, const std::vector<ParamRange>& ranges,
                                 const ChartLimits& limits) {
  Chart c;
  c.id = "parallel-coordinates";
  c.title = "Parallel coordinates";
  std::vector<Axis> axes = hyperparameter_axes(h, ranges);
  PlotFrame f;
  f.width = kWide;
  f.height = 340;
  f.left = 50;
  f.right = 70;
  f.top = 30;
  f.bottom = 40;
  SvgWriter svg(f.width, f.height, c.id, c.title);
  std::vector<double> values;
  for (const TrialHistory& t : h.trials) {
    if (t.objective) values.push_back(*t.objective);
  }
  const std::size_t n_axes = axes.size() + 1;  // + the objective
  const double gap = n_axes > 1 ? (f.x1() - f.x0()) / static_cast<double>(n_axes - 1) : 0.0;
  std::vector<Scale> scales;
  for (const Axis& a : axes) scales.push_back(axis_scale(a, f.y0(), f.y1()));
  const Scale objective = value_scale(values, f.y0(), f.y1());
  const std::vector<std::size_t> drawn = sample_trials(h, limits.max_parallel_lines, true);
  // Colour by rank of the objective among the drawn trials: light (worst) to dark (best).
  std::vector<std::size_t> order = drawn;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return h.sign() * *h.trials[a].objective < h.sign() * *h.trials[b].objective;
  });
  svg.begin_group("lines");
  for (std::size_t rank = 0; rank < order.size(); ++rank) {
    const TrialHistory& t = h.trials[order[rank]];
    std::vector<std::pair<double, double>> points;
    for (std::size_t a = 0; a < axes.size(); ++a) {
      double v = axis_value(axes[a], t);
      if (!std::isfinite(v)) continue;
      if (axes[a].is_categorical) v += jitter(t.id) * 0.3;
      points.emplace_back(f.x0() + gap * static_cast<double>(a), scales[a](v));
    }
    points.emplace_back(f.x0() + gap * static_cast<double>(axes.size()), objective(*t.objective));
    const double q =
        order.size() > 1 ? static_cast<double>(rank) / static_cast<double>(order.size() - 1) : 1.0;
    const std::string colour = fmt::format("hsl({},70%,{}%)", static_cast<int>(200 + 60 * q),
                                           static_cast<int>(82 - 52 * q));
    svg.styled_polyline(points, rank + 1 == order.size() ? "mark pc-line best" : "mark pc-line",
                        colour, trial_tooltip(h, t));
  }
  svg.end_group();
  svg.begin_group("axes");
  for (std::size_t a = 0; a < n_axes; ++a) {
    const double px = f.x0() + gap * static_cast<double>(a);
    svg.line(px, f.y0(), px, f.y1(), "axis");
    const bool is_objective = a == axes.size();
    const std::string name = is_objective ? h.objective_metric : axes[a].name;
    svg.text(px, f.y1() - 10, name + (!is_objective && axes[a].is_log ? " (log)" : ""),
             "axis-title", "middle");
    if (!is_objective && axes[a].is_categorical) {
      for (std::size_t k = 0; k < axes[a].categories.size(); ++k) {
        svg.text(px + 4, scales[a](static_cast<double>(k)) + 4, axes[a].categories[k],
                 "tick-label");
      }
    } else {
      const Scale& s = is_objective ? objective : scales[a];
      for (double v : s.ticks(4)) {
        svg.line(px - 3, s(v), px + 3, s(v), "tick");
        svg.text(px + 5, s(v) + 4, format_number(v), "tick-label");
      }
    }
  }
  svg.end_group();
  if (drawn.empty()) empty_message(svg, f, "no objective reported yet");
  c.svg = svg.finish();
  c.note = "One line per trial through its hyperparameters to its " + h.objective_metric +
           "; darker is better, the thick line is the best trial.";
  if (drawn.size() < values.size()) {
    c.note += " Sampled: " + with_commas(drawn.size()) + " of " + with_commas(values.size()) +
              " trials (the best third, then an even stride).";
  }
  return c;
}

}  // namespace rung::report
