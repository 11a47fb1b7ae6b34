// SageMaker's HyperParameterTuningJobConfig: strategy, resource limits, objective, parameter
// ranges, seed, early stopping. Also accepts the AWS blog's form, where Strategy and its
// siblings sit inside ParameterRanges, and says how to nest them properly.
#include <algorithm>
#include <map>
#include <utility>

#include "job_parts.hpp"

namespace rung::config_detail {
namespace {

// The keys the blog's form puts inside ParameterRanges (everything but the ranges).
const std::vector<std::string> kMisnestable = {"Strategy",
                                               "StrategyConfig",
                                               "ResourceLimits",
                                               "HyperParameterTuningJobObjective",
                                               "TrainingJobEarlyStoppingType",
                                               "RandomSeed",
                                               "TuningJobCompletionCriteria"};

const std::vector<std::string> kRangeLists = {"IntegerParameterRanges", "ContinuousParameterRanges",
                                              "CategoricalParameterRanges", "AutoParameters"};

std::string list_names(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += (i + 1 == names.size()) ? " and " : ", ";
    out += names[i];
  }
  return out;
}

// The warning for the blog's nesting, with a snippet of the right one in the file's syntax.
std::string misnesting_warning(const Field& ranges, const Field& tuning,
                               const std::vector<std::string>& moved, const std::string& strategy,
                               bool is_json) {
  std::string w = ranges.path + ": " + list_names(moved) + (moved.size() == 1 ? " is" : " are") +
                  " nested inside ParameterRanges (as in an AWS blog post); rung accepts "
                  "this, but SageMaker rejects it. Move " +
                  (moved.size() == 1 ? "it" : "them") + " up one level, beside ParameterRanges:\n";
  const std::string parent = tuning.path.empty() ? std::string() : tuning.path;
  std::string indent = "    ";
  if (is_json) {
    if (!parent.empty()) {
      w += indent + "\"" + parent + "\": {\n";
      indent += "  ";
    }
    for (const auto& key : moved) {
      const std::string value = key == "Strategy" ? "\"" + strategy + "\"" : "{...}";
      w += indent + "\"" + key + "\": " + value + ",\n";
    }
    w += indent + "\"ParameterRanges\": {\"IntegerParameterRanges\": [...], ...}\n";
    if (!parent.empty()) w += "    }\n";
  } else {
    if (!parent.empty()) {
      w += indent + parent + ":\n";
      indent += "  ";
    }
    for (const auto& key : moved) {
      w += indent + key + ": " + (key == "Strategy" ? strategy : std::string("...")) + "\n";
    }
    w += indent + "ParameterRanges:\n" + indent + "  IntegerParameterRanges: [...]\n";
  }
  if (!w.empty() && w.back() == '\n') w.pop_back();
  return w;
}

void read_strategy_config(Reader& r, const Field& config, JobDraft& d) {
  if (!r.expect_map(config, "StrategyConfig")) return;
  r.check_keys(config, {"HyperbandStrategyConfig"});
  const Field hb = r.child(config, "HyperbandStrategyConfig");
  if (!hb.present()) return;
  if (d.strategy_known && d.job.strategy != Strategy::Hyperband) {
    r.add(hb, std::string("is only allowed with Strategy Hyperband (SageMaker's rule), but "
                          "Strategy is ") +
                  to_string(d.job.strategy) + "; remove StrategyConfig or set Strategy: Hyperband");
    return;
  }
  if (!r.expect_map(hb, "HyperbandStrategyConfig")) return;
  d.hyperband = hb;
  r.check_keys(hb, {"MinResource", "MaxResource"});
  d.min_resource =
      r.integer_in(r.child(hb, "MinResource"), 1, kIntMax, "the first rung needs at least 1 epoch");
  d.max_resource =
      r.integer_in(r.child(hb, "MaxResource"), 1, kIntMax, "trials need at least 1 epoch");
}

void read_resource_limits(Reader& r, const Field& limits, JobDraft& d) {
  if (!r.require(limits,
                 "add ResourceLimits: {MaxNumberOfTrainingJobs: N, "
                 "MaxParallelTrainingJobs: P}") ||
      !r.expect_map(limits, "ResourceLimits")) {
    return;
  }
  r.check_keys(limits,
               {"MaxNumberOfTrainingJobs", "MaxParallelTrainingJobs", "MaxRuntimeInSeconds"});
  const Field total = r.child(limits, "MaxNumberOfTrainingJobs");
  if (r.require(total, "set how many trials the job may start in all (e.g. 24)")) {
    if (auto v = r.integer_in(total, 1, kIntMax, "the job must try at least one configuration")) {
      d.job.max_trials = static_cast<int>(*v);
    }
  }
  const Field parallel = r.child(limits, "MaxParallelTrainingJobs");
  if (r.require(parallel, "set how many trials may train at once (e.g. the number of GPUs)")) {
    if (auto v = r.integer_in(parallel, 1, kIntMax,
                              "at least one trial must be able to train at a time")) {
      d.job.max_parallel = static_cast<int>(*v);
    }
  }
  const Field runtime = r.child(limits, "MaxRuntimeInSeconds");
  if (runtime.present()) {
    r.add(runtime,
          "is not supported yet; remove it (limit the job with "
          "MaxNumberOfTrainingJobs, or the scheduler's walltime)");
  }
}

void read_objective(Reader& r, const Field& objective, JobDraft& d) {
  if (!r.require(objective,
                 "add HyperParameterTuningJobObjective: {Type: Maximize, "
                 "MetricName: \"validation:accuracy\"}") ||
      !r.expect_map(objective, "HyperParameterTuningJobObjective")) {
    return;
  }
  r.check_keys(objective, {"Type", "MetricName"});
  const Field type = r.child(objective, "Type");
  if (r.require(type, "set Type: Maximize or Type: Minimize")) {
    if (auto v = r.one_of(type, {"Maximize", "Minimize"})) {
      d.job.objective.type = *v == "Maximize" ? ObjectiveType::Maximize : ObjectiveType::Minimize;
    }
  }
  const Field metric = r.child(objective, "MetricName");
  d.objective_metric = metric;
  if (r.require(metric, "name the metric to optimize (e.g. \"validation:accuracy\")")) {
    if (auto v = r.text(metric)) {
      if (v->empty()) {
        r.add(metric, "must not be empty; name the metric to optimize");
      } else {
        d.job.objective.metric_name = *v;
      }
    }
  }
}

// One range; nullopt when it could not be read (its issues are already added).
std::optional<ParamRange> read_range(Reader& r, const Field& item, ParamKind kind) {
  if (!item.present()) {
    r.add(item, "is empty; a range needs at least a Name");
    return std::nullopt;
  }
  if (!r.expect_map(item, "a range")) return std::nullopt;
  const std::size_t before = r.issue_count();
  ParamRange range;
  range.kind = kind;
  if (kind == ParamKind::Categorical) {
    r.check_keys(item, {"Name", "Values"});
  } else {
    r.check_keys(item, {"Name", "MinValue", "MaxValue", "ScalingType"});
  }
  const Field name = r.child(item, "Name");
  if (r.require(name, "give the hyperparameter's name")) {
    if (auto v = r.text(name)) range.name = *v;
  }
  if (kind == ParamKind::Categorical) {
    const Field values = r.child(item, "Values");
    if (r.require(values, "list the values to try, e.g. Values: [\"relu\", \"tanh\"]")) {
      for (const Field& v : r.items(values, "values")) {
        if (!v.present() || !v.node.IsScalar()) {
          r.add(v, "expected a value (text or a number), got " + describe(v.node));
        } else {
          range.values.push_back(v.node.Scalar());
        }
      }
    }
  } else {
    const Field lo = r.child(item, "MinValue");
    const Field hi = r.child(item, "MaxValue");
    if (r.require(lo, "give the lower bound, e.g. MinValue: \"0.001\"")) {
      if (auto v = r.number(lo)) range.min_value = *v;
    }
    if (r.require(hi, "give the upper bound, e.g. MaxValue: \"0.1\"")) {
      if (auto v = r.number(hi)) range.max_value = *v;
    }
    const Field scaling = r.child(item, "ScalingType");
    if (auto v = r.one_of(scaling, {"Auto", "Linear", "Logarithmic", "ReverseLogarithmic"})) {
      range.scaling = *v == "Linear"               ? ScalingType::Linear
                      : *v == "Logarithmic"        ? ScalingType::Logarithmic
                      : *v == "ReverseLogarithmic" ? ScalingType::ReverseLogarithmic
                                                   : ScalingType::Auto;
    }
  }
  if (r.issue_count() != before) return std::nullopt;

  // The rules on values, with each issue placed at its field.
  for (ConfigIssue& issue : range_issues(range, item.path)) {
    std::string field = issue.path.substr(item.path.size() + 1);
    field = field.substr(0, field.find('['));
    const Field at = r.child(item, field);
    r.add(issue.path, std::move(issue.message), at.mark);
  }
  if (r.issue_count() != before) return std::nullopt;
  return range;
}

void read_parameter_ranges(Reader& r, const Field& ranges, JobDraft& d) {
  if (!r.require(ranges,
                 "add ParameterRanges with at least one IntegerParameterRanges, "
                 "ContinuousParameterRanges or CategoricalParameterRanges entry") ||
      !r.expect_map(ranges, "ParameterRanges")) {
    return;
  }
  // The blog's misnested keys are read (or reported) by read_tuning_config.
  std::vector<std::string> known = kRangeLists;
  known.insert(known.end(), kMisnestable.begin(), kMisnestable.end());
  r.check_keys(ranges, known);

  const Field automatic = r.child(ranges, "AutoParameters");
  if (automatic.present()) {
    r.add(automatic, "is not supported yet; list the ranges explicitly");
  }

  const std::size_t before = r.issue_count();
  std::vector<ParamRange> all;
  std::size_t entries = 0;
  std::map<std::string, std::string> first_path;  // name -> path of the range that has it
  const std::pair<const char*, ParamKind> kinds[] = {
      {"IntegerParameterRanges", ParamKind::Integer},
      {"ContinuousParameterRanges", ParamKind::Continuous},
      {"CategoricalParameterRanges", ParamKind::Categorical}};
  for (const auto& [key, kind] : kinds) {
    for (const Field& item : r.items(r.child(ranges, key), "ranges")) {
      ++entries;
      auto range = read_range(r, item, kind);
      if (!range) continue;
      const auto [it, fresh] = first_path.emplace(range->name, item.path);
      if (!fresh) {
        r.add(r.child(item, "Name"), "\"" + range->name + "\" is already the name of " +
                                         it->second +
                                         "; names must be unique across all range kinds");
        continue;
      }
      all.push_back(std::move(*range));
    }
  }
  if (entries == 0 && r.issue_count() == before && !automatic.present()) {
    r.add(ranges,
          "has no ranges; add at least one IntegerParameterRanges, "
          "ContinuousParameterRanges or CategoricalParameterRanges entry");
  }
  if (r.issue_count() != before) return;
  try {
    d.job.space = SearchSpace(std::move(all));
  } catch (const ConfigError& e) {  // read_range checked every rule; kept as a safety net
    for (const auto& issue : e.issues()) r.add(issue.path, issue.message, ranges.mark);
  }
}

}  // namespace

void read_tuning_config(Reader& r, const Field& tuning, JobDraft& d) {
  // The blog's form: siblings of ParameterRanges written inside it.
  const Field ranges = r.child(tuning, "ParameterRanges");
  std::vector<std::string> moved;
  std::map<std::string, Field> fields;
  for (const auto& key : kMisnestable) {
    Field outer = r.child(tuning, key);
    const Field inner = r.child(ranges, key);
    if (inner.node.IsDefined()) {
      if (outer.node.IsDefined()) {
        r.add(inner, "is given both here and at " + outer.path + "; keep the one at " + outer.path);
      } else {
        moved.push_back(key);
        outer = inner;
      }
    }
    fields[key] = outer;
  }

  const Field strategy = fields["Strategy"];
  if (r.require(strategy, "set Strategy: Random or Strategy: Hyperband")) {
    if (auto v = r.one_of(strategy, {"Random", "Hyperband", "Grid", "Bayesian"})) {
      if (*v == "Random" || *v == "Hyperband") {
        d.job.strategy = *v == "Random" ? Strategy::Random : Strategy::Hyperband;
        d.strategy_known = true;
      } else {
        d.job.strategy = *v == "Grid" ? Strategy::Grid : Strategy::Bayesian;
        r.add(strategy, "\"" + *v + "\" is not supported yet; use Random or Hyperband");
      }
    }
  }
  read_strategy_config(r, fields["StrategyConfig"], d);
  read_resource_limits(r, fields["ResourceLimits"], d);
  read_objective(r, fields["HyperParameterTuningJobObjective"], d);
  read_parameter_ranges(r, ranges, d);

  const Field seed = fields["RandomSeed"];
  if (auto v = r.integer_in(seed, 0, INT64_MAX, "use a non-negative integer such as 42")) {
    d.job.seed = static_cast<std::uint64_t>(*v);
    d.job.has_seed = true;
  }
  const Field stopping = fields["TrainingJobEarlyStoppingType"];
  if (auto v = r.one_of(stopping, {"Off", "Auto"}); v && *v == "Auto") {
    r.add(stopping,
          "\"Auto\" is not supported yet; use \"Off\" (Hyperband stops poor trials "
          "itself)");
  }
  const Field completion = fields["TuningJobCompletionCriteria"];
  if (completion.node.IsDefined()) {
    r.add(completion,
          "is not supported yet; remove it (the job ends after "
          "MaxNumberOfTrainingJobs trials)");
  }

  if (!moved.empty()) {
    const std::string name = strategy.node.IsScalar() ? strategy.node.Scalar() : "Hyperband";
    d.job.warnings.push_back(misnesting_warning(ranges, tuning, moved, name, d.is_json));
  }
}

}  // namespace rung::config_detail
