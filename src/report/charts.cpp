#include "rung/report/charts.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>

#include "rung/config/seed_mix.hpp"
#include "rung/report/svg_writer.hpp"

namespace rung::report {
namespace {

constexpr double kWide = 760;
constexpr double kHeight = 320;

// Trial ids are dense from 0 in start order, so the id is the index; search otherwise.
const TrialHistory* find_trial(const RunHistory& h, long long id) {
  if (id >= 0 && static_cast<std::size_t>(id) < h.trials.size() &&
      h.trials[static_cast<std::size_t>(id)].id == id) {
    return &h.trials[static_cast<std::size_t>(id)];
  }
  for (const TrialHistory& t : h.trials) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

std::string state_class(FinalState s) { return std::string("s-") + to_string(s); }

std::string with_commas(std::size_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3)
    s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

// A y scale over finite values with 5% padding.
Scale value_scale(const std::vector<double>& values, double from, double to) {
  double lo = INFINITY, hi = -INFINITY;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (!std::isfinite(lo)) return Scale::linear(0, 1, from, to);
  const double pad = (hi - lo) * 0.05;
  return Scale::linear(lo - pad, hi + pad, from, to);
}

void empty_message(SvgWriter& svg, const PlotFrame& f, const std::string& what) {
  svg.text((f.x0() + f.x1()) / 2, (f.y0() + f.y1()) / 2, what, "empty", "middle");
}

// A stable pseudo-random offset in [-0.5, 0.5) for jittering categorical points.
double jitter(long long id) {
  const std::uint64_t x = mix_seed(static_cast<std::uint64_t>(id) * kSeedStep);
  return static_cast<double>(x % 1000) / 1000.0 - 0.5;
}

// Hyperparameter axes: which names, and for each a scale kind and the categories.
struct Axis {
  std::string name;
  bool is_categorical = false;
  bool is_log = false;
  std::vector<std::string> categories;   // categorical: in the range's (or first-seen) order
  double lo = INFINITY, hi = -INFINITY;  // numeric: data extent (the range's bounds if known)
};

std::vector<Axis> hyperparameter_axes(const RunHistory& h, const std::vector<ParamRange>& ranges) {
  std::vector<Axis> axes;
  std::map<std::string, std::size_t> index;
  for (const ParamRange& r : ranges) {
    Axis a;
    a.name = r.name;
    a.is_categorical = r.kind == ParamKind::Categorical;
    a.is_log = !a.is_categorical && r.effective_scaling() == ScalingType::Logarithmic;
    a.categories = r.values;
    if (!a.is_categorical) {
      a.lo = r.min_value;
      a.hi = r.max_value;
    }
    index[a.name] = axes.size();
    axes.push_back(std::move(a));
  }
  const bool has_ranges = !ranges.empty();
  for (const TrialHistory& t : h.trials) {
    for (const auto& [name, v] : t.hyperparameters) {
      auto it = index.find(name);
      if (it == index.end()) {
        if (has_ranges) continue;  // a static hyperparameter: not tuned
        index[name] = axes.size();
        Axis a;
        a.name = name;
        axes.push_back(a);
        it = index.find(name);
      }
      Axis& a = axes[it->second];
      if (!v.is_number) a.is_categorical = true;
      if (a.is_categorical) {
        if (std::find(a.categories.begin(), a.categories.end(), v.text) == a.categories.end()) {
          a.categories.push_back(v.text);
        }
      } else {
        a.lo = std::min(a.lo, v.number);
        a.hi = std::max(a.hi, v.number);
      }
    }
  }
  if (!has_ranges) {
    for (Axis& a : axes) {
      if (!a.is_categorical && a.lo > 0 && a.hi / a.lo >= 100) a.is_log = true;
    }
  }
  return axes;
}

Scale axis_scale(const Axis& a, double from, double to) {
  if (a.is_categorical) {
    return Scale::linear(-0.5, static_cast<double>(a.categories.size()) - 0.5, from, to);
  }
  return a.is_log ? Scale::log(a.lo, a.hi, from, to) : Scale::linear(a.lo, a.hi, from, to);
}

// Position of trial t's value on axis a, or NaN when it has none.
double axis_value(const Axis& a, const TrialHistory& t) {
  for (const auto& [name, v] : t.hyperparameters) {
    if (name != a.name) continue;
    if (a.is_categorical) {
      const auto it = std::find(a.categories.begin(), a.categories.end(), v.text);
      return static_cast<double>(it - a.categories.begin());
    }
    return v.is_number ? v.number : NAN;
  }
  return NAN;
}

std::string hyperparameter_text(const TrialHistory& t) {
  std::string s;
  for (const auto& [name, v] : t.hyperparameters) {
    s += (s.empty() ? "" : ", ") + name + "=" + v.text;
  }
  return s;
}

std::string trial_tooltip(const RunHistory& h, const TrialHistory& t) {
  std::string s = t.name + " (" + to_string(t.state) + ", " + std::to_string(t.epochs) + " epochs)";
  if (t.objective) s += ": " + h.objective_metric + " " + format_number(*t.objective);
  const std::string hp = hyperparameter_text(t);
  if (!hp.empty()) s += "; " + hp;
  return s;
}

void state_legend(SvgWriter& svg, double x, double y) {
  for (FinalState s : {FinalState::Completed, FinalState::Stopped, FinalState::Failed,
                       FinalState::Paused, FinalState::Running}) {
    svg.rect(x, y - 8, 10, 10, "legend " + state_class(s));
    svg.text(x + 14, y + 1, to_string(s), "legend-label");
    x += 86;
  }
}

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

std::vector<std::size_t> sample_trials(const RunHistory& h, std::size_t limit,
                                       bool require_objective) {
  std::vector<std::size_t> eligible;
  for (std::size_t i = 0; i < h.trials.size(); ++i) {
    if (!require_objective || h.trials[i].objective) eligible.push_back(i);
  }
  if (eligible.size() <= limit) return eligible;
  std::vector<std::size_t> ranked = eligible;
  const auto score = [&](std::size_t i) {
    const auto& o = h.trials[i].objective;
    return o ? h.sign() * *o : -INFINITY;
  };
  std::stable_sort(ranked.begin(), ranked.end(),
                   [&](std::size_t a, std::size_t b) { return score(a) > score(b); });
  std::set<std::size_t> chosen(ranked.begin(), ranked.begin() + static_cast<long>(limit / 3));
  std::vector<std::size_t> rest;
  for (std::size_t i : eligible) {
    if (chosen.count(i) == 0) rest.push_back(i);
  }
  const std::size_t want = limit - chosen.size();
  for (std::size_t k = 0; k < want && !rest.empty(); ++k) {
    chosen.insert(rest[k * rest.size() / want]);
  }
  return {chosen.begin(), chosen.end()};
}

Chart best_over_time_chart(const RunHistory& h) { return incumbent_chart(h, false); }
Chart best_over_epochs_chart(const RunHistory& h) { return incumbent_chart(h, true); }

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
  const bool is_sampled = drawn.size() < h.trials.size();
  if (values.empty()) empty_message(svg, f, "no epoch reported yet");
  if (is_sampled) {
    // Every trial counts in the band: the 10th, 50th and 90th percentile at each epoch.
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
  svg.begin_group("curves");
  std::size_t pauses = 0, promotions = 0, failures = 0, restarts = 0;
  for (std::size_t i : drawn) {
    const TrialHistory& t = h.trials[i];
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
      ++pauses;
    }
    for (long long e : t.promoted_from) {
      if (at.count(e) == 0) continue;
      svg.triangle(x(static_cast<double>(e)), y(at[e]) - 6, 7, "mark promote",
                   t.name + " promoted from epoch " + std::to_string(e));
      ++promotions;
    }
    for (long long e : t.restarted_from) {
      if (at.count(e) == 0) continue;
      svg.rect(x(static_cast<double>(e)) - 3, y(at[e]) - 3, 6, 6, "mark restart",
               t.name + " restarted from epoch " + std::to_string(e) + " by a resumed run");
      ++restarts;
    }
    if (t.state == FinalState::Failed) {
      // Where it failed: its last finite point, or the bottom axis when it never had one.
      const double px = x(static_cast<double>(std::max<long long>(t.epochs, 1)));
      const double py = at.empty() ? f.y0() - 4 : y(at.rbegin()->second);
      svg.line(px - 4, py - 4, px + 4, py + 4, "mark failure");
      svg.line(px - 4, py + 4, px + 4, py - 4, "mark failure");
      ++failures;
    }
  }
  svg.end_group();
  c.svg = svg.finish();
  c.note =
      "Each line is one trial's " + h.objective_metric +
      " per epoch, coloured by its final state; circles mark pauses (" + std::to_string(pauses) +
      "), triangles promotions (" + std::to_string(promotions) + "), crosses failures (" +
      std::to_string(failures) + ")" +
      (restarts > 0 ? ", squares restarts after a resume (" + std::to_string(restarts) + ")" : "") +
      ".";
  if (is_sampled) {
    c.note += " Sampled: " + with_commas(drawn.size()) + " of " + with_commas(h.trials.size()) +
              " trials drawn (the best third, then an even stride over the rest); the grey "
              "lines are the 10th, 50th and 90th percentiles over all trials at each epoch.";
  }
  return c;
}

Chart rung_occupancy_chart(const RunHistory& h) {
  Chart c;
  c.id = "rung-occupancy";
  c.title = "Rung and bracket occupancy";
  PlotFrame f;
  f.width = kWide;
  f.height = kHeight;
  f.top = 30;
  SvgWriter svg(f.width, f.height, c.id, c.title);
  // Levels: the scheduler's rungs, else every epoch reached (thinned to at most 40).
  std::vector<long long> levels = h.rungs;
  long long max_epoch = 0;
  for (const TrialHistory& t : h.trials) max_epoch = std::max(max_epoch, t.epochs);
  if (levels.empty()) {
    const long long step = std::max<long long>(1, (max_epoch + 39) / 40);
    for (long long e = 1; e <= max_epoch; e += step) levels.push_back(e);
    if (!levels.empty() && levels.back() != max_epoch) levels.push_back(max_epoch);
  }
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
  // The x axis is categorical (one band per level), so the axes are drawn here.
  svg.begin_group("axes");
  svg.line(f.x0(), f.y0(), f.x1(), f.y0(), "axis");
  svg.line(f.x0(), f.y0(), f.x0(), f.y1(), "axis");
  for (double v : y.ticks(5)) {
    svg.line(f.x0() - 4, y(v), f.x0(), y(v), "tick");
    svg.line(f.x0(), y(v), f.x1(), y(v), "grid");
    svg.text(f.x0() - 7, y(v) + 4, format_number(v), "tick-label", "end");
  }
  svg.text((f.x0() + f.x1()) / 2, f.height - 6, h.rungs.empty() ? "epoch" : "rung (epochs)",
           "axis-title", "middle");
  svg.text(14, (f.y0() + f.y1()) / 2, "trials that reported there", "axis-title", "middle", -90);
  svg.end_group();
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
    char colour[32];
    std::snprintf(colour, sizeof colour, "hsl(%d,70%%,%d%%)", static_cast<int>(200 + 60 * q),
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

std::vector<WorkerUtilization> worker_utilization(const RunHistory& h) {
  std::map<int, WorkerUtilization> by_worker;
  for (int w : h.worker_ids) by_worker[w].worker = w;
  for (const WorkerSpan& s : h.spans) {
    WorkerUtilization& u = by_worker[s.worker];
    u.worker = s.worker;
    const double d = s.end_t - s.begin_t;
    if (s.kind == SpanKind::Train) u.train_s += d;
    if (s.kind == SpanKind::Validate) u.validate_s += d;
    if (s.kind == SpanKind::Checkpoint) u.checkpoint_s += d;
    if (s.kind == SpanKind::Recompute) u.recompute_s += d;
  }
  std::vector<WorkerUtilization> out;
  for (auto& [w, u] : by_worker) {
    const double busy = u.train_s + u.validate_s + u.checkpoint_s + u.recompute_s;
    u.busy_fraction = h.elapsed_s > 0 ? busy / h.elapsed_s : 0.0;
    out.push_back(u);
  }
  return out;
}

double overall_utilization(const std::vector<WorkerUtilization>& workers) {
  if (workers.empty()) return 0.0;
  double sum = 0;
  for (const WorkerUtilization& u : workers) sum += u.busy_fraction;
  return sum / static_cast<double>(workers.size());
}

Chart worker_timeline_chart(const RunHistory& h, const ChartLimits& limits) {
  Chart c;
  c.id = "worker-timeline";
  c.title = "Worker timeline";
  const std::vector<WorkerUtilization> util = worker_utilization(h);
  std::vector<int> rows;
  for (const WorkerUtilization& u : util) {
    if (rows.size() < limits.max_timeline_rows) rows.push_back(u.worker);
  }
  const double row_h = rows.size() > 24 ? 9 : 18;
  PlotFrame f;
  f.width = kWide;
  f.left = 70;
  f.right = 56;
  f.top = 30;
  f.bottom = 40;
  f.height = f.top + f.bottom + row_h * static_cast<double>(std::max<std::size_t>(1, rows.size()));
  SvgWriter svg(f.width, f.height, c.id, c.title);
  const Scale x = Scale::linear(0, std::max(h.elapsed_s, 1e-3), f.x0(), f.x1());
  std::map<int, std::size_t> row_of;
  for (std::size_t r = 0; r < rows.size(); ++r) row_of[rows[r]] = r;
  svg.begin_group("axes");
  svg.line(f.x0(), f.y0(), f.x1(), f.y0(), "axis");
  for (double v : x.ticks(8)) {
    svg.line(x(v), f.y0(), x(v), f.y1(), "grid");
    svg.text(x(v), f.y0() + 16, format_number(v), "tick-label", "middle");
  }
  svg.text((f.x0() + f.x1()) / 2, f.height - 6, "seconds since start", "axis-title", "middle");
  svg.text(f.width - 4, f.y1() - 6, "busy", "tick-label", "end");
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const double ry = f.y1() + row_h * static_cast<double>(r);
    svg.rect(f.x0(), ry + 1, f.x1() - f.x0(), row_h - 2, "idle");
    if (rows.size() <= 24 || r % 4 == 0) {
      svg.text(f.x0() - 6, ry + row_h * 0.75, "rank " + std::to_string(rows[r]), "tick-label",
               "end");
    }
    for (const WorkerUtilization& u : util) {
      if (u.worker != rows[r] || (rows.size() > 24 && r % 4 != 0)) continue;
      svg.text(f.width - 4, ry + row_h * 0.75,
               format_number(std::round(u.busy_fraction * 1000) / 10) + "%", "tick-label util",
               "end");
    }
  }
  svg.end_group();
  double lx = f.x0() + 4;
  std::vector<std::string> kinds = {"train", "validate", "checkpoint"};
  if (h.epochs_recomputed > 0) kinds.emplace_back("recompute");
  for (const std::string& kind : kinds) {
    svg.rect(lx, 8, 10, 10, "legend k-" + kind);
    svg.text(lx + 14, 17, kind, "legend-label");
    lx += 96;
  }
  svg.rect(lx, 8, 10, 10, "legend idle");
  svg.text(lx + 14, 17, "idle", "legend-label");
  for (const SegmentMark& m : h.segment_marks) {
    svg.line(x(m.t), f.y1() - 4, x(m.t), f.y0(), "mark segment");
  }
  // Up to kExactSpans spans are drawn one by one, with tooltips. Beyond that each row is cut
  // into one-pixel columns holding the time of each kind; a run of columns with the same
  // dominant kind and busy share becomes one rectangle (its opacity shows the share), so the
  // chart's size is bounded by its pixels, not by the number of epochs.
  constexpr std::size_t kExactSpans = 3000;
  std::size_t rects = 0;
  const bool is_exact = h.spans.size() <= kExactSpans;
  const auto row_y = [&](int worker) {
    return f.y1() + row_h * static_cast<double>(row_of[worker]) + 1;
  };
  if (is_exact) {
    for (const WorkerSpan& s : h.spans) {
      if (row_of.count(s.worker) == 0) continue;
      const TrialHistory* t = find_trial(h, s.trial);
      const std::string tip = std::string(to_string(s.kind)) + " " + (t ? t->name : "?") + ", " +
                              format_number(s.begin_t) + "-" + format_number(s.end_t) + " s";
      svg.rect(x(s.begin_t), row_y(s.worker), std::max(x(s.end_t) - x(s.begin_t), 0.5), row_h - 2,
               std::string("mark span k-") + to_string(s.kind), tip);
      ++rects;
    }
  } else {
    const std::size_t columns = static_cast<std::size_t>(std::ceil(f.x1() - f.x0()));
    const double column_s = std::max(h.elapsed_s, 1e-3) / static_cast<double>(columns);
    std::map<int, std::vector<std::array<double, 4>>> time;  // worker -> column -> kind -> s
    for (int w : rows) time[w].assign(columns, {0.0, 0.0, 0.0, 0.0});
    for (const WorkerSpan& s : h.spans) {
      auto it = time.find(s.worker);
      if (it == time.end()) continue;
      const std::size_t k = static_cast<std::size_t>(s.kind);
      std::size_t col = static_cast<std::size_t>(std::max(0.0, s.begin_t / column_s));
      for (; col < columns; ++col) {
        const double c0 = column_s * static_cast<double>(col), c1 = c0 + column_s;
        if (c0 >= s.end_t) break;
        it->second[col][k] += std::min(c1, s.end_t) - std::max(c0, s.begin_t);
      }
    }
    for (auto& [worker, cols] : time) {
      // Key of a column: dominant kind and busy share in quarters (0 = under 1/8: idle).
      const auto key = [&](std::size_t column) {
        const auto& v = cols[column];
        const std::size_t kind =
            static_cast<std::size_t>(std::max_element(v.begin(), v.end()) - v.begin());
        const int level = static_cast<int>(std::lround(4 * (v[0] + v[1] + v[2] + v[3]) / column_s));
        return std::make_pair(kind, std::min(level, 4));
      };
      std::size_t col = 0;
      while (col < columns) {
        const auto k = key(col);
        std::size_t e = col + 1;
        while (e < columns && key(e) == k) ++e;
        if (k.second > 0) {
          svg.rect(f.x0() + static_cast<double>(col), row_y(worker), static_cast<double>(e - col),
                   row_h - 2,
                   std::string("mark span k-") + to_string(static_cast<SpanKind>(k.first)) + " b" +
                       std::to_string(k.second));
          ++rects;
        }
        col = e;
      }
    }
  }
  if (h.spans.empty()) empty_message(svg, f, "no worker activity yet");
  c.svg = svg.finish();
  c.note =
      "Each row is one worker rank: training, validation and checkpoint writing from the "
      "journal's times and reported durations; the rest is idle (waiting for work or for "
      "rank 0). The right column is the share of the job's wall time the worker was busy.";
  if (!is_exact) {
    c.note += " Aggregated: " + with_commas(h.spans.size()) + " spans drawn as " +
              with_commas(rects) +
              " rectangles, one-pixel columns coloured by their main "
              "activity, fainter where the worker was busy for less of the column.";
  }
  if (rows.size() < util.size()) {
    c.note += " Showing the first " + std::to_string(rows.size()) + " of " +
              std::to_string(util.size()) + " workers; the utilization table covers all.";
  }
  if (!h.segment_marks.empty()) {
    c.note +=
        " Red dashed lines mark where the run was suspended or resumed; recompute is an "
        "epoch trained again because the interruption lost it.";
  }
  if (h.has_clipped_spans) {
    c.note +=
        " Some reported durations were longer than the wall time between the worker's "
        "events (instant or simulated trainers report their curve's epoch time) and were "
        "clipped to it.";
  }
  return c;
}

}  // namespace rung::report
