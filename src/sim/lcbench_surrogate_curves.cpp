#include "rung/sim/lcbench_surrogate_curves.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <sstream>
#include <utility>
#include <variant>

#include "rung/config/error.hpp"
#include "rung/sim/lcbench_curves.hpp"

namespace rung {
namespace {

std::string number(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

// config_space.json's bounds are written with rounding noise (learning_rate's lower bound is
// 0.00010000000000000009), so a job's "0.0001" must still count as inside.
bool is_inside(double v, double lo, double hi) {
  const double slack = 1e-9 * std::max(std::abs(lo), std::abs(hi));
  return v >= lo - slack && v <= hi + slack;
}

// The numeric value of a hyperparameter, or nullopt for a string that is not a number.
std::optional<double> numeric(const ParamValue& v) {
  const ParamValue parsed =
      std::holds_alternative<std::string>(v) ? parse_param_value(std::get<std::string>(v)) : v;
  if (const auto* i = std::get_if<std::int64_t>(&parsed)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&parsed)) return *d;
  return std::nullopt;
}

}  // namespace

std::size_t LcbenchSurrogateCurves::ConfigHash::operator()(const LcbenchConfig& c) const noexcept {
  // FNV-1a over the floats' bytes: equal configurations are bit-equal floats.
  unsigned char bytes[sizeof(LcbenchConfig)];
  std::memcpy(bytes, c.data(), sizeof bytes);
  std::size_t h = 14695981039346656037ULL;
  for (unsigned char b : bytes) h = (h ^ b) * 1099511628211ULL;
  return h;
}

LcbenchSurrogateCurves::LcbenchSurrogateCurves(std::shared_ptr<const LcbenchSurrogate> model,
                                               const std::string& task_id, const SearchSpace& space,
                                               const HyperParameters& fixed)
    : model_(std::move(model)),
      name_("lcbench:" + task_id),
      task_code_(model_->task_code(task_id)),
      is_tuned_(kLcbenchHyperparameters.size(), false) {
  const auto& lo = model_->lower_bounds();
  const auto& hi = model_->upper_bounds();
  std::string known;
  for (const char* n : kLcbenchHyperparameters) {
    known += (known.empty() ? "" : ", ") + std::string(n);
  }
  const auto column_of = [&](const std::string& name) -> std::ptrdiff_t {
    const auto it = std::find(kLcbenchHyperparameters.begin(), kLcbenchHyperparameters.end(), name);
    return it == kLcbenchHyperparameters.end() ? -1 : it - kLcbenchHyperparameters.begin();
  };
  const auto check_inside = [&](std::size_t k, double v, const std::string& what) {
    if (!is_inside(v, lo[k], hi[k])) {
      throw InputError("the curves " + name_ + " cover LCBench's space, where " +
                       kLcbenchHyperparameters[k] + " lies in [" + number(lo[k]) + ", " +
                       number(hi[k]) + "]; " + what + " is " + number(v) + "; keep it inside");
    }
  };
  for (const ParamRange& r : space.ranges()) {
    const std::ptrdiff_t k = column_of(r.name);
    if (k < 0) {
      throw InputError("the curves " + name_ + " have no hyperparameter " + r.name +
                       "; the job's ParameterRanges must use LCBench's (" + known + ")");
    }
    const auto column = static_cast<std::size_t>(k);
    is_tuned_[column] = true;
    if (r.kind == ParamKind::Categorical) {
      for (const std::string& text : r.values) {
        const auto v = numeric(text);
        if (!v) {
          throw InputError("the curves " + name_ + " need numbers; the categorical range " +
                           r.name + " has the value \"" + text + "\"");
        }
        check_inside(column, *v, "a value of the job's range " + r.name);
      }
    } else {
      check_inside(column, r.min_value, "the MinValue of the job's range " + r.name);
      check_inside(column, r.max_value, "the MaxValue of the job's range " + r.name);
    }
  }
  const auto& defaults = model_->defaults();
  for (std::size_t k = 0; k < kLcbenchHyperparameters.size(); ++k) {
    fixed_[k] = static_cast<float>(defaults[k]);
    const auto it = fixed.find(kLcbenchHyperparameters[k]);
    if (is_tuned_[k] || it == fixed.end()) continue;
    const auto v = numeric(it->second);
    if (!v) {
      throw InputError(std::string("the curves ") + name_ + " need numbers; the static " +
                       "hyperparameter " + kLcbenchHyperparameters[k] + " is \"" +
                       to_string(it->second) + "\"");
    }
    check_inside(k, *v, std::string("the static hyperparameter ") + kLcbenchHyperparameters[k]);
    fixed_[k] = static_cast<float>(*v);
  }

  const auto& outputs = model_->output_names();
  for (std::size_t c = 0; c < outputs.size(); ++c) {
    if (outputs[c] == "time") {
      time_column_ = c;
      continue;
    }
    metric_names_.push_back(lcbench_metric_name(outputs[c]));
    metric_column_.push_back(c);
    // The surrogate gives val_accuracy in percent, the tables (and every other accuracy) a
    // fraction.
    metric_scale_.push_back(outputs[c] == "val_accuracy" ? 0.01 : 1.0);
  }
}

LcbenchConfig LcbenchSurrogateCurves::config_of(const HyperParameters& hp) const {
  LcbenchConfig c = fixed_;
  for (std::size_t k = 0; k < kLcbenchHyperparameters.size(); ++k) {
    if (is_tuned_[k]) c[k] = static_cast<float>(get_double(hp, kLcbenchHyperparameters[k]));
  }
  return c;
}

const LcbenchSurrogateCurves::Curve& LcbenchSurrogateCurves::curve(
    const HyperParameters& hp) const {
  const LcbenchConfig config = config_of(hp);
  const auto hit = cache_.find(config);
  if (hit != cache_.end()) return hit->second;
  if (cache_.size() >= kMaxCachedCurves) cache_.clear();

  const std::vector<float> out = model_->predict_curve(task_code_, config);
  const std::size_t width = model_->output_names().size();
  Curve curve;
  curve.metrics.reserve(kLcbenchEpochs * metric_column_.size());
  double previous = 0.0;
  for (std::size_t e = 0; e < static_cast<std::size_t>(kLcbenchEpochs); ++e) {
    for (std::size_t column : metric_column_) curve.metrics.push_back(out[e * width + column]);
    const double t = std::max(static_cast<double>(out[e * width + time_column_]), previous + 0.01);
    curve.epoch_s.push_back(t - previous);
    previous = t;
  }
  return cache_.emplace(config, std::move(curve)).first->second;
}

std::map<std::string, double> LcbenchSurrogateCurves::metrics_at(const HyperParameters& hp,
                                                                 int epoch) const {
  if (epoch < 1 || epoch > kLcbenchEpochs) {
    throw InputError("the curves " + name_ + " have epochs 1.." + std::to_string(kLcbenchEpochs) +
                     ", not " + std::to_string(epoch));
  }
  const Curve& c = curve(hp);
  const std::size_t m = metric_names_.size();
  std::map<std::string, double> out;
  for (std::size_t i = 0; i < m; ++i) {
    out[metric_names_[i]] =
        static_cast<double>(c.metrics[static_cast<std::size_t>(epoch - 1) * m + i]) *
        metric_scale_[i];
  }
  return out;
}

double LcbenchSurrogateCurves::epoch_seconds(const HyperParameters& hp, int epoch) const {
  if (epoch < 1 || epoch > kLcbenchEpochs) return 0.01;  // as the tables: never asked in a run
  return curve(hp).epoch_s[static_cast<std::size_t>(epoch - 1)];
}

}  // namespace rung
