#include "chart_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>

#include "rung/config/seed_mix.hpp"
#include "rung/report/charts.hpp"

namespace rung::report {
namespace detail {
namespace {

std::string hyperparameter_text(const TrialHistory& t) {
  std::string s;
  for (const auto& [name, v] : t.hyperparameters) {
    s += (s.empty() ? "" : ", ") + name + "=" + v.text;
  }
  return s;
}

}  // namespace

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

double jitter(long long id) {
  const std::uint64_t x = mix_seed(static_cast<std::uint64_t>(id) * kSeedStep);
  return static_cast<double>(x % 1000) / 1000.0 - 0.5;
}

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

}  // namespace detail

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

}  // namespace rung::report
