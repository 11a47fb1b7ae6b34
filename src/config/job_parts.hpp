// The parts of a job file and the readers for each, shared by the files of src/config that
// parse jobs: tuning_config.cpp (SageMaker's HyperParameterTuningJobConfig),
// training_section.cpp (rung's section and SageMaker's TrainingJobDefinition) and
// job_config.cpp (which form the file is in, and the checks that need several parts).
#pragma once

#include <climits>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rung/config/job_config.hpp"
#include "yaml_reader.hpp"

namespace rung::config_detail {

inline constexpr std::int64_t kIntMax = INT_MAX;

// SageMaker's limits on a tuning job's search space.
inline constexpr std::size_t kMaxRanges = 30;               // hyperparameter ranges in all
inline constexpr std::size_t kMaxCategoricalValues = 30;    // values of one categorical range
inline constexpr std::size_t kMaxNameLength = 256;          // hyperparameter names (characters)
inline constexpr std::size_t kMaxValueLength = 256;         // categorical values (characters)
inline constexpr std::size_t kMaxStaticValueLength = 2500;  // static hyperparameter values
inline constexpr std::size_t kMaxMetricNameLength = 255;
inline constexpr std::size_t kMaxJobNameLength = 32;

// SageMaker's names for the epoch budget in static hyperparameters, in the order it tries them.
inline const std::vector<std::string> kEpochKeys = {"epochs", "numepochs", "n-epochs", "n_epochs",
                                                    "num_epochs"};

// Hyperband's bracket count, s_max + 1, where s_max = floor(log_eta(MaxResource /
// MinResource)): the largest s with MinResource * eta^s <= MaxResource.
[[nodiscard]] inline int hyperband_bracket_count(int min_resource, int max_resource, int eta) {
  int s = 0;
  for (std::int64_t r = min_resource; r * eta <= max_resource; r *= eta) ++s;
  return s + 1;
}

// What a job file said, before the checks that need several parts of it.
struct JobDraft {
  JobConfig job;
  bool is_json = false;         // the text is JSON (for the form of snippets in warnings)
  bool strategy_known = false;  // Strategy was read and is one rung knows
  // ResourceLimits.MaxNumberOfTrainingJobs as written (absent: Grid derives it).
  Field max_trials;
  bool has_max_trials = false;  // it was given and is valid
  // TrainingJobDefinition.TuningObjective: the objective when the tuning config has none.
  Field definition_objective;
  bool objective_from_definition = false;
  Field early_stopping;  // TrainingJobEarlyStoppingType
  Field tuning;          // the HyperParameterTuningJobConfig (the root, when bare)
  // HyperbandStrategyConfig, when given.
  Field hyperband;
  std::optional<std::int64_t> min_resource;
  std::optional<std::int64_t> max_resource;
  Field objective_metric;
  // Where each static hyperparameter was set (its value's field).
  std::map<std::string, Field> static_fields;
  Field rung_section;
  Field asha;
  Field searcher;         // rung.searcher, when given
  Field brackets;         // rung.asha.brackets, when given
  Field median_stopping;  // rung.median_stopping, when given
  bool has_few_entries = false;
  bool has_output_dir = false;
  // TrainingJobDefinition.AlgorithmSpecification.MetricDefinitions and
  // rung.metric_definitions, when given (read once the model is known: resolve_command).
  Field definition_metrics;
  Field rung_metrics;
};

// Characters in UTF-8 text (code points; continuation bytes are not counted).
[[nodiscard]] std::size_t utf8_length(const std::string& text);
// Why `name` is not a valid SageMaker hyperparameter name (1 to 256 characters, letters,
// marks, digits, spaces, punctuation or symbols: no control characters), or "" when it is.
[[nodiscard]] std::string hyperparameter_name_problem(const std::string& name);

// Reads the tuning config's fields (its keys are checked by the caller, who knows the form).
void read_tuning_config(Reader& r, const Field& tuning, JobDraft& d);
// Reads SageMaker's TrainingJobDefinition: StaticHyperParameters; the rest is ignored.
void read_training_definition(Reader& r, const Field& definition, JobDraft& d);
// Reads rung's own section: model, dataset, static hyperparameters, device, ASHA, output.
void read_rung_section(Reader& r, const Field& section, JobDraft& d);
// For rung.model command: the metric definitions (each regex compiles and has one capture
// group; the objective is one of them) and the program (rung.command). For other models:
// that no command-only field is set.
void resolve_command(Reader& r, JobDraft& d);

}  // namespace rung::config_detail
