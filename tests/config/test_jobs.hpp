// Job-file texts shared by the config tests: a valid job in rung's form, and a helper that
// derives a broken one from it by replacing one snippet.
#pragma once

#include <stdexcept>
#include <string>

namespace rung::test {

inline const std::string kGoodJob = R"(HyperParameterTuningJobName: cli-test
HyperParameterTuningJobConfig:
  Strategy: Hyperband
  StrategyConfig:
    HyperbandStrategyConfig: {MinResource: 1, MaxResource: 9}
  ResourceLimits: {MaxNumberOfTrainingJobs: 12, MaxParallelTrainingJobs: 2}
  HyperParameterTuningJobObjective: {Type: Maximize, MetricName: "validation:accuracy"}
  ParameterRanges:
    IntegerParameterRanges:
      - {Name: units, MinValue: "10", MaxValue: "1000", ScalingType: Logarithmic}
      - {Name: batch_size, MinValue: 10, MaxValue: 200}
    ContinuousParameterRanges:
      - {Name: learning_rate, MinValue: "0.0001", MaxValue: "0.1", ScalingType: Logarithmic}
      - {Name: l2, MinValue: "0.000001", MaxValue: "2", ScalingType: Auto}
    CategoricalParameterRanges:
      - {Name: activation, Values: [relu, tanh]}
  RandomSeed: 42
  TrainingJobEarlyStoppingType: "Off"
rung:
  model: mlp
  dataset:
    kind: synthetic
    samples: 5000
    features: 20
    informative: 6
    label_noise: 0.02
    validation_fraction: 0.2
    seed: 7
  static_hyperparameters: {epochs: 9, optimizer: adam}
  device: cpu
  threads_per_worker: 1
  asha: {reduction_factor: 3, type: promotion}
)";

// `text` with the first `from` (which must occur in it) replaced by `to`.
inline std::string with(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::logic_error("test job has no \"" + from + "\"");
  return text.replace(at, from.size(), to);
}

inline std::string good_job_with(const std::string& from, const std::string& to) {
  return with(kGoodJob, from, to);
}

}  // namespace rung::test
