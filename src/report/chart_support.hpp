// What the report's charts share (internal to src/report): their sizes, trial lookups, the
// y scale over finite values, the hyperparameter axes, tooltips and the state legend. Each
// chart kind has its own file (incumbent_charts.cpp, learning_curves_chart.cpp, ...).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "rung/config/search_space.hpp"
#include "rung/report/run_history.hpp"
#include "rung/report/svg_writer.hpp"

namespace rung::report::detail {

constexpr double kWide = 760;
constexpr double kHeight = 320;

// The trial with this id, or nullptr.
[[nodiscard]] const TrialHistory* find_trial(const RunHistory& h, long long id);
// The CSS class of a final state ("s-completed").
[[nodiscard]] std::string state_class(FinalState s);
// 12345 -> "12,345"
[[nodiscard]] std::string with_commas(std::size_t n);
// A y scale over the finite values with 5% padding; 0..1 when there are none.
[[nodiscard]] Scale value_scale(const std::vector<double>& values, double from, double to);
// A grey message in the middle of an empty plot.
void empty_message(SvgWriter& svg, const PlotFrame& f, const std::string& what);
// A stable pseudo-random offset in [-0.5, 0.5) for jittering categorical points.
[[nodiscard]] double jitter(long long id);

// A hyperparameter axis: its name, its scale kind and, if categorical, its categories.
struct Axis {
  std::string name;
  bool is_categorical = false;
  bool is_log = false;
  std::vector<std::string> categories;   // categorical: in the range's (or first-seen) order
  double lo = INFINITY, hi = -INFINITY;  // numeric: data extent (the range's bounds if known)
};

// The tuned hyperparameters' axes: from `ranges` when known (job.yaml), else from the trials.
[[nodiscard]] std::vector<Axis> hyperparameter_axes(const RunHistory& h,
                                                    const std::vector<ParamRange>& ranges);
[[nodiscard]] Scale axis_scale(const Axis& a, double from, double to);
// Position of trial t's value on axis a, or NaN when it has none.
[[nodiscard]] double axis_value(const Axis& a, const TrialHistory& t);

// "name (state, N epochs): metric value; hp=value, ..."
[[nodiscard]] std::string trial_tooltip(const RunHistory& h, const TrialHistory& t);
// One swatch per final state, from (x, y) to the right.
void state_legend(SvgWriter& svg, double x, double y);

}  // namespace rung::report::detail
