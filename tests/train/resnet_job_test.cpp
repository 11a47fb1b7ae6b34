// Job files for ResNet-20: the shipped jobs validate with the seed's ranges, the image data
// set fields are checked (each problem naming its field), and the normalized form reads back.
#include <gtest/gtest.h>

#include <string>

#include "rung/config/error.hpp"
#include "rung/config/job_config.hpp"

namespace rung {
namespace {

const std::string kJob = R"(HyperParameterTuningJobName: r20
HyperParameterTuningJobConfig:
  Strategy: Hyperband
  StrategyConfig: {HyperbandStrategyConfig: {MinResource: 1, MaxResource: 4}}
  ResourceLimits: {MaxNumberOfTrainingJobs: 4, MaxParallelTrainingJobs: 2}
  HyperParameterTuningJobObjective: {Type: Maximize, MetricName: "validation:accuracy"}
  ParameterRanges:
    ContinuousParameterRanges:
      - {Name: learning_rate, MinValue: "0.001", MaxValue: "0.1", ScalingType: Logarithmic}
rung:
  model: resnet20
  dataset: DATASET
  workers_per_gpu: 2
)";

JobConfig parse_with(const std::string& dataset, const std::string& model = "resnet20") {
  std::string text = kJob;
  text.replace(text.find("DATASET"), 7, dataset);
  text.replace(text.find("model: resnet20"), 15, "model: " + model);
  return parse_job_text(text, "r20.yaml");
}

// The messages of the ConfigError that parsing throws, one per line.
std::string problems(const std::string& dataset, const std::string& model = "resnet20") {
  try {
    (void)parse_with(dataset, model);
  } catch (const ConfigError& e) {
    std::string all;
    for (const auto& issue : e.issues()) all += issue.to_string() + "\n";
    return all;
  }
  return "";
}

TEST(ResNetJob, the_cifar10_job_has_the_seeds_ranges_and_validates) {
  const JobConfig job = load_job_file(std::string(RUNG_SOURCE_DIR) + "/jobs/resnet20_cifar10.yaml");
  EXPECT_EQ(job.strategy, Strategy::Hyperband);
  EXPECT_GE(job.max_resource, 40);
  EXPECT_EQ(job.training.model, "resnet20");
  EXPECT_EQ(job.training.dataset.kind, "cifar10");
  ASSERT_TRUE(job.completion.target_objective_value.has_value());
  EXPECT_DOUBLE_EQ(*job.completion.target_objective_value, 0.87);
  struct Want {
    const char* name;
    double lo, hi;
  };
  for (const Want& w : {Want{"batch_size", 4, 512}, Want{"learning_rate", 1e-6, 1e-1},
                        Want{"momentum", 0.01, 0.99}, Want{"weight_decay", 1e-5, 1}}) {
    bool found = false;
    for (const auto& r : job.space.ranges()) {
      if (r.name != w.name) continue;
      found = true;
      EXPECT_DOUBLE_EQ(r.min_value, w.lo) << w.name;
      EXPECT_DOUBLE_EQ(r.max_value, w.hi) << w.name;
    }
    EXPECT_TRUE(found) << w.name;
  }
  const JobConfig fashion =
      load_job_file(std::string(RUNG_SOURCE_DIR) + "/jobs/resnet20_fashion_mnist.yaml");
  EXPECT_EQ(fashion.training.dataset.kind, "fashion_mnist");
}

TEST(ResNetJob, image_data_set_fields_are_read) {
  const JobConfig job =
      parse_with("{kind: cifar10, path: data/c10, train_subset: 500, test_subset: 100}");
  EXPECT_EQ(job.training.dataset.path, "data/c10");
  EXPECT_EQ(job.training.dataset.train_subset, 500);
  EXPECT_EQ(job.training.dataset.test_subset, 100);
  EXPECT_EQ(job.training.workers_per_gpu, 2);
  // The normalized form reads back to the same data set and sharing.
  const JobConfig again = parse_job_text(to_normalized_yaml(job), "again.yaml");
  EXPECT_EQ(again.training.dataset.kind, "cifar10");
  EXPECT_EQ(again.training.dataset.path, "data/c10");
  EXPECT_EQ(again.training.dataset.train_subset, 500);
  EXPECT_EQ(again.training.dataset.test_subset, 100);
  EXPECT_EQ(again.training.workers_per_gpu, 2);
}

TEST(ResNetJob, bad_image_data_set_fields_name_the_field) {
  EXPECT_NE(problems("{kind: cifar10}").find("rung.dataset.path: is missing"), std::string::npos)
      << problems("{kind: cifar10}");
  EXPECT_NE(problems("{kind: cifar10, path: d, samples: 100}")
                .find("rung.dataset.samples: is only for kind synthetic"),
            std::string::npos);
  EXPECT_NE(
      problems("{kind: cifar10, path: d, train_subset: -1}").find("rung.dataset.train_subset"),
      std::string::npos);
  EXPECT_NE(problems("{kind: synthetic, test_subset: 5}")
                .find("rung.dataset.test_subset: is only for image data sets"),
            std::string::npos);
  EXPECT_NE(problems("{kind: imagenet, path: d}").find("rung.dataset.kind"), std::string::npos);
  // Models and data sets must fit together.
  EXPECT_NE(problems("{kind: synthetic}").find("model resnet20 learns from images"),
            std::string::npos);
  EXPECT_NE(
      problems("{kind: fashion_mnist, path: d}", "mlp").find("cannot learn from fashion_mnist"),
      std::string::npos);
}

}  // namespace
}  // namespace rung
