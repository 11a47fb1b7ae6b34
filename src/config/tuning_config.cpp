// SageMaker's HyperParameterTuningJobConfig: strategy, resource limits, objective, parameter
// ranges, seed, early stopping, completion criteria, with SageMaker's rules on each (Grid
// takes categorical ranges only, Hyperband no early stopping, at most 30 ranges, ...). Also
// accepts the AWS blog's form, where Strategy and its
// siblings sit inside ParameterRanges, and says how to nest them properly.
#include <fmt/format.h>

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
  d.max_trials = total;
  // Grid may leave it out: the number of combinations is the budget (see resolve_grid).
  const bool is_grid = d.strategy_known && d.job.strategy == Strategy::Grid;
  if (is_grid ? total.present()
              : r.require(total, "set how many trials the job may start in all (e.g. 24)")) {
    if (auto v = r.integer_in(total, 1, kIntMax, "the job must try at least one configuration")) {
      d.job.max_trials = static_cast<int>(*v);
      d.has_max_trials = true;
    }
  }
  const Field parallel = r.child(limits, "MaxParallelTrainingJobs");
  if (r.require(parallel, "set how many trials may train at once (e.g. the number of GPUs)")) {
    if (auto v = r.integer_in(parallel, 1, kIntMax,
                              "at least one trial must be able to train at a time")) {
      d.job.max_parallel = static_cast<int>(*v);
    }
  }
  // SageMaker's range is 120 to 15768000 seconds; rung takes any whole number of seconds
  // from 1, so that tests and demos can stop a job after a few seconds.
  const Field runtime = r.child(limits, "MaxRuntimeInSeconds");
  if (auto v = r.integer_in(runtime, 1, kIntMax,
                            "the job needs at least one second (SageMaker's minimum is 120)")) {
    d.job.max_runtime_s = static_cast<double>(*v);
  }
}

void read_objective(Reader& r, Field objective, JobDraft& d) {
  // A request may name its objective in TrainingJobDefinition.TuningObjective instead.
  if (!objective.node.IsDefined() && d.definition_objective.present()) {
    objective = d.definition_objective;
    d.objective_from_definition = true;
  }
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
      } else if (utf8_length(*v) > kMaxMetricNameLength) {
        r.add(metric, "is " + std::to_string(utf8_length(*v)) +
                          " characters long; SageMaker allows at most 255; use a shorter name");
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
    if (auto v = r.text(name)) {
      range.name = *v;
      // An empty name is range_issues()'s to report.
      if (const std::string problem = hyperparameter_name_problem(*v);
          !v->empty() && !problem.empty()) {
        r.add(name, problem);
      }
    }
  }
  if (kind == ParamKind::Categorical) {
    const Field values = r.child(item, "Values");
    if (r.require(values, "list the values to try, e.g. Values: [\"relu\", \"tanh\"]")) {
      const std::vector<Field> listed = r.items(values, "values");
      for (const Field& v : listed) {
        if (!v.present() || !v.node.IsScalar()) {
          r.add(v, "expected a value (text or a number), got " + describe(v.node));
        } else if (utf8_length(v.node.Scalar()) > kMaxValueLength) {
          r.add(v, "is " + std::to_string(utf8_length(v.node.Scalar())) +
                       " characters long; a categorical value may have at most 256 (SageMaker's "
                       "limit)");
        } else {
          range.values.push_back(v.node.Scalar());
        }
      }
      if (listed.size() > kMaxCategoricalValues) {
        r.add(values, "has " + std::to_string(listed.size()) +
                          " values; a categorical range may have at most 30 (SageMaker's limit); "
                          "drop some, or tune a numeric hyperparameter with an "
                          "IntegerParameterRanges or ContinuousParameterRanges entry");
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
  const bool is_grid = d.strategy_known && d.job.strategy == Strategy::Grid;
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
      if (is_grid && kind != ParamKind::Categorical) {
        // The fix, with the range's own name and bounds where they can be read.
        auto scalar = [&](const char* field, const char* fallback) {
          const Field f = r.child(item, field);
          return f.node.IsScalar() ? f.node.Scalar() : std::string(fallback);
        };
        r.add(item,
              "Grid search takes categorical ranges only (SageMaker's rule); list the "
              "values to try under CategoricalParameterRanges (e.g. {Name: " +
                  scalar("Name", "units") + ", Values: [\"" + scalar("MinValue", "16") +
                  "\", ..., \"" + scalar("MaxValue", "256") +
                  "\"]}), or use Strategy Random or Bayesian");
        continue;
      }
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
  if (entries > kMaxRanges) {
    r.add(ranges, "has " + std::to_string(entries) +
                      " hyperparameter ranges; SageMaker allows at most 30 in all (integer, "
                      "continuous and categorical together); tune fewer and set the others "
                      "as static hyperparameters");
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

void read_completion_criteria(Reader& r, const Field& criteria, JobDraft& d) {
  if (!r.expect_map(criteria, "TuningJobCompletionCriteria")) return;
  r.check_keys(criteria,
               {"TargetObjectiveMetricValue", "BestObjectiveNotImproving", "ConvergenceDetected"});
  CompletionCriteria& c = d.job.completion;
  if (auto v = r.number(r.child(criteria, "TargetObjectiveMetricValue"))) {
    c.target_objective_value = *v;
  }
  const Field best = r.child(criteria, "BestObjectiveNotImproving");
  if (r.expect_map(best, "BestObjectiveNotImproving")) {
    r.check_keys(best, {"MaxNumberOfTrainingJobsNotImproving"});
    const Field n = r.child(best, "MaxNumberOfTrainingJobsNotImproving");
    if (r.require(n,
                  "set how many finished trials in a row may fail to improve the best "
                  "objective before the job ends (at least 3), e.g. 10")) {
      if (auto v = r.integer_in(n, 3, kIntMax,
                                "SageMaker's minimum is 3 trials without improvement; use e.g. "
                                "10")) {
        c.max_jobs_not_improving = static_cast<int>(*v);
      }
    }
  }
  const Field convergence = r.child(criteria, "ConvergenceDetected");
  if (r.expect_map(convergence, "ConvergenceDetected")) {
    r.check_keys(convergence, {"CompleteOnConvergence"});
    if (auto v = r.one_of(r.child(convergence, "CompleteOnConvergence"), {"Disabled", "Enabled"})) {
      c.complete_on_convergence = *v == "Enabled";
    }
  }
}

}  // namespace

std::size_t utf8_length(const std::string& text) {
  std::size_t n = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) ++n;
  }
  return n;
}

std::string hyperparameter_name_problem(const std::string& name) {
  const std::string rule =
      "; SageMaker's hyperparameter names are 1 to 256 characters: letters, digits, spaces, "
      "punctuation and symbols";
  if (name.empty()) return "must not be empty" + rule;
  if (utf8_length(name) > kMaxNameLength) {
    return "is " + std::to_string(utf8_length(name)) + " characters long" + rule;
  }
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto b = static_cast<unsigned char>(name[i]);
    // C0 controls and DEL; C1 controls (U+0080..U+009F) are 0xC2 0x80..0x9F in UTF-8.
    const bool c1 = b == 0xC2 && i + 1 < name.size() &&
                    static_cast<unsigned char>(name[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(name[i + 1]) <= 0x9F;
    if (b < 0x20 || b == 0x7F || c1) {
      const unsigned code = c1 ? static_cast<unsigned char>(name[i + 1]) : b;
      return fmt::format("\"{}\" holds a control character (U+{:04X}){}", name, code, rule);
    }
  }
  return "";
}

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
  if (r.require(strategy, "set Strategy: Bayesian, Random, Hyperband or Grid")) {
    if (auto v = r.one_of(strategy, {"Bayesian", "Random", "Hyperband", "Grid"})) {
      d.job.strategy = *v == "Random"      ? Strategy::Random
                       : *v == "Hyperband" ? Strategy::Hyperband
                       : *v == "Grid"      ? Strategy::Grid
                                           : Strategy::Bayesian;
      d.strategy_known = true;
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
  d.early_stopping = stopping;
  if (auto v = r.one_of(stopping, {"Off", "Auto"}); v && *v == "Auto") {
    if (d.strategy_known && d.job.strategy == Strategy::Hyperband) {
      r.add(stopping,
            "\"Auto\" is not allowed with Strategy Hyperband (SageMaker's rule: Hyperband "
            "stops poor trials itself); use \"Off\", or Strategy Random, Grid or Bayesian "
            "for median stopping");
    } else {
      d.job.early_stopping = EarlyStopping::Auto;
    }
  }
  read_completion_criteria(r, fields["TuningJobCompletionCriteria"], d);

  if (!moved.empty()) {
    const std::string name = strategy.node.IsScalar() ? strategy.node.Scalar() : "Hyperband";
    d.job.warnings.push_back(misnesting_warning(ranges, tuning, moved, name, d.is_json));
  }
}

}  // namespace rung::config_detail
