#include "rung/sim/lcbench_curves.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "rung/config/error.hpp"

namespace rung {

std::string lcbench_metric_name(const std::string& table_name) {
  std::string prefix, rest;
  if (table_name.rfind("val_", 0) == 0) {
    prefix = "validation:";
    rest = table_name.substr(4);
  } else if (table_name.rfind("test_", 0) == 0) {
    prefix = "test:";
    rest = table_name.substr(5);
  } else {
    return table_name;
  }
  if (rest == "cross_entropy") rest = "loss";
  return prefix + rest;
}

LcbenchCurves::LcbenchCurves(const CurveTable& table, SearchSpace space, std::string source_name)
    : space_(std::move(space)),
      task_(table.task),
      name_(source_name.empty() ? "lcbench:" + table.task : std::move(source_name)),
      num_epochs_(table.num_epochs) {
  const std::size_t width = table.config_names.size();
  std::vector<std::size_t> column;
  std::string known;
  for (const auto& n : table.config_names) known += (known.empty() ? "" : ", ") + n;
  for (const ParamRange& r : space_.ranges()) {
    const auto it = std::find(table.config_names.begin(), table.config_names.end(), r.name);
    if (it == table.config_names.end()) {
      throw InputError("the curves " + name_ + " have no hyperparameter " + r.name +
                       "; the job's ParameterRanges must use theirs (" + known + ")");
    }
    if (r.kind == ParamKind::Categorical) {
      throw InputError("the curves " + name_ + " need numeric ranges; " + r.name +
                       " is categorical");
    }
    column.push_back(static_cast<std::size_t>(it - table.config_names.begin()));
  }
  for (int row = 0; row < table.num_configs; ++row) {
    HyperParameters hp;
    for (std::size_t i = 0; i < column.size(); ++i) {
      const ParamRange& r = space_.ranges()[i];
      const double v = table.configs[static_cast<std::size_t>(row) * width + column[i]];
      if (r.kind == ParamKind::Integer) {
        hp[r.name] = static_cast<std::int64_t>(std::llround(v));
      } else {
        hp[r.name] = v;
      }
    }
    if (!space_.contains(hp)) continue;
    rows_.push_back(row);
    unit_.push_back(space_.encode(hp));
  }
  if (rows_.empty()) {
    throw InputError("no configuration of the curves " + name_ + " lies inside the job's ranges");
  }
  const std::size_t e = static_cast<std::size_t>(num_epochs_);
  for (const auto& [name, values] : table.metrics) {
    std::vector<double>& kept = metrics_[lcbench_metric_name(name)];
    table_names_[name] = lcbench_metric_name(name);
    for (int row : rows_) {
      const auto first = values.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(row) * e);
      kept.insert(kept.end(), first, first + static_cast<std::ptrdiff_t>(e));
    }
  }
  for (int row : rows_) {
    double previous = 0.0;
    for (std::size_t k = 0; k < e; ++k) {
      double t = table.cumulative_time_s[static_cast<std::size_t>(row) * e + k];
      t = std::max(t, previous + 0.01);
      cumulative_s_.push_back(t);
      previous = t;
    }
  }
}

int LcbenchCurves::nearest_row(const HyperParameters& hp) const {
  const std::vector<double> u = space_.encode(hp);
  std::string key(u.size() * sizeof(double), '\0');
  std::memcpy(key.data(), u.data(), key.size());
  const auto hit = cache_.find(key);
  if (hit != cache_.end()) return hit->second;
  int best = 0;
  double best_d2 = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < unit_.size(); ++i) {
    double d2 = 0.0;
    for (std::size_t k = 0; k < u.size(); ++k) d2 += (unit_[i][k] - u[k]) * (unit_[i][k] - u[k]);
    if (d2 < best_d2) {  // ties: the lower row
      best_d2 = d2;
      best = static_cast<int>(i);
    }
  }
  cache_.emplace(std::move(key), best);
  return best;
}

std::map<std::string, double> LcbenchCurves::metrics_at(const HyperParameters& hp,
                                                        int epoch) const {
  if (epoch < 1 || epoch > num_epochs_) {
    throw InputError("the curves " + name_ + " have epochs 1.." + std::to_string(num_epochs_) + ", not " +
                     std::to_string(epoch));
  }
  const std::size_t at = static_cast<std::size_t>(nearest_row(hp)) *
                             static_cast<std::size_t>(num_epochs_) +
                         static_cast<std::size_t>(epoch - 1);
  std::map<std::string, double> out;
  for (const auto& [name, values] : metrics_) out[name] = values[at];
  return out;
}

double LcbenchCurves::epoch_seconds(const HyperParameters& hp, int epoch) const {
  if (epoch < 1 || epoch > num_epochs_) return 0.01;
  const std::size_t base = static_cast<std::size_t>(nearest_row(hp)) *
                           static_cast<std::size_t>(num_epochs_);
  const std::size_t k = static_cast<std::size_t>(epoch - 1);
  return k == 0 ? cumulative_s_[base] : cumulative_s_[base + k] - cumulative_s_[base + k - 1];
}

double LcbenchCurves::best_final(const std::string& metric) const {
  const auto it = table_names_.find(metric);
  const auto& values = metrics_.at(it != table_names_.end() ? it->second : metric);
  double best = -std::numeric_limits<double>::infinity();
  const std::size_t e = static_cast<std::size_t>(num_epochs_);
  for (std::size_t i = 0; i < rows_.size(); ++i) best = std::max(best, values[i * e + e - 1]);
  return best;
}

}  // namespace rung
