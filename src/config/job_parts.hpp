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

// SageMaker's names for the epoch budget in static hyperparameters, in the order it tries them.
inline const std::vector<std::string> kEpochKeys = {"epochs", "numepochs", "n-epochs", "n_epochs",
                                                    "num_epochs"};

// What a job file said, before the checks that need several parts of it.
struct JobDraft {
  JobConfig job;
  bool is_json = false;         // the text is JSON (for the form of snippets in warnings)
  bool strategy_known = false;  // Strategy was read and is one rung knows
  Field tuning;                 // the HyperParameterTuningJobConfig (the root, when bare)
  // HyperbandStrategyConfig, when given.
  Field hyperband;
  std::optional<std::int64_t> min_resource;
  std::optional<std::int64_t> max_resource;
  Field objective_metric;
  // Where each static hyperparameter was set (its value's field).
  std::map<std::string, Field> static_fields;
  Field rung_section;
  Field asha;
  bool has_few_entries = false;
  bool has_output_dir = false;
};

// Reads the tuning config's fields (its keys are checked by the caller, who knows the form).
void read_tuning_config(Reader& r, const Field& tuning, JobDraft& d);
// Reads SageMaker's TrainingJobDefinition: StaticHyperParameters; the rest is ignored.
void read_training_definition(Reader& r, const Field& definition, JobDraft& d);
// Reads rung's own section: model, dataset, static hyperparameters, device, ASHA, output.
void read_rung_section(Reader& r, const Field& section, JobDraft& d);

}  // namespace rung::config_detail
