// The synthetic data set: determinism from the seed, sizes and split, balance, the training
// split's standardization, the cache, CSV export and bad specs.
#include "rung/train/synthetic_data.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "rung/config/error.hpp"

namespace rung {
namespace {

DatasetSpec small_spec() {
  DatasetSpec spec;
  spec.samples = 1000;
  return spec;
}

TEST(SyntheticData, is_deterministic_from_the_seed) {
  const DatasetSpec spec = small_spec();
  const TabularDataset a = make_synthetic_dataset(spec);
  const TabularDataset b = make_synthetic_dataset(spec);
  EXPECT_EQ(a.x_train, b.x_train);
  EXPECT_EQ(a.y_train, b.y_train);
  EXPECT_EQ(a.x_validation, b.x_validation);
  EXPECT_EQ(a.y_validation, b.y_validation);

  DatasetSpec other = spec;
  other.seed = spec.seed + 1;
  const TabularDataset c = make_synthetic_dataset(other);
  EXPECT_NE(a.x_train, c.x_train);
}

TEST(SyntheticData, has_the_requested_sizes_and_split) {
  DatasetSpec spec;  // the defaults: 5000 samples, 20 features, 20% validation
  const TabularDataset data = make_synthetic_dataset(spec);
  EXPECT_EQ(data.features, spec.features);
  EXPECT_EQ(data.train_size(), 4000);
  EXPECT_EQ(data.validation_size(), 1000);
  EXPECT_EQ(data.x_train.size(), 4000u * 20u);
  EXPECT_EQ(data.x_validation.size(), 1000u * 20u);

  spec.samples = 333;
  spec.features = 7;
  spec.informative = 3;
  spec.validation_fraction = 0.3;
  const TabularDataset odd = make_synthetic_dataset(spec);
  EXPECT_EQ(odd.validation_size(), 100);  // round(0.3 * 333)
  EXPECT_EQ(odd.train_size(), 233);
  EXPECT_EQ(odd.x_train.size(), 233u * 7u);
}

TEST(SyntheticData, has_both_classes_roughly_balanced_in_both_splits) {
  const TabularDataset data = make_synthetic_dataset(DatasetSpec{});
  for (const auto* y : {&data.y_train, &data.y_validation}) {
    double ones = 0;
    for (float v : *y) {
      ASSERT_TRUE(v == 0.0f || v == 1.0f);
      ones += v;
    }
    const double share = ones / static_cast<double>(y->size());
    EXPECT_GT(share, 0.4);
    EXPECT_LT(share, 0.6);
  }
}

TEST(SyntheticData, works_with_one_or_two_informative_features) {
  for (int k : {1, 2, 3}) {
    DatasetSpec spec;
    spec.samples = 100;
    spec.features = 4;
    spec.informative = k;
    const TabularDataset data = make_synthetic_dataset(spec);
    EXPECT_EQ(data.train_size() + data.validation_size(), 100) << k;
  }
}

TEST(SyntheticData, standardizes_with_the_training_split) {
  const TabularDataset data = make_synthetic_dataset(small_spec());
  const auto n = static_cast<std::size_t>(data.train_size());
  const auto d = static_cast<std::size_t>(data.features);
  for (std::size_t j = 0; j < d; ++j) {
    double sum = 0, sq = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double v = data.x_train[i * d + j];
      sum += v;
      sq += v * v;
    }
    const double mean = sum / static_cast<double>(n);
    EXPECT_NEAR(mean, 0.0, 1e-4) << "feature " << j;
    EXPECT_NEAR(sq / static_cast<double>(n) - mean * mean, 1.0, 1e-3) << "feature " << j;
  }
}

TEST(SyntheticData, flips_the_requested_share_of_labels) {
  DatasetSpec clean;
  clean.samples = 2000;
  clean.label_noise = 0.0;
  DatasetSpec noisy = clean;
  noisy.label_noise = 0.1;
  const TabularDataset a = make_synthetic_dataset(clean);
  const TabularDataset b = make_synthetic_dataset(noisy);
  // The features are drawn before the flips, so they are identical; only labels change.
  ASSERT_EQ(a.x_train, b.x_train);
  ASSERT_EQ(a.x_validation, b.x_validation);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < a.y_train.size(); ++i) differ += a.y_train[i] != b.y_train[i];
  for (std::size_t i = 0; i < a.y_validation.size(); ++i) {
    differ += a.y_validation[i] != b.y_validation[i];
  }
  EXPECT_EQ(differ, 200u);
}

// More clusters per class give other data of the same size and balance, and another cache key.
TEST(SyntheticData, clusters_per_class_changes_the_data_and_its_description) {
  DatasetSpec three = small_spec();
  DatasetSpec many = three;
  many.clusters_per_class = 16;
  const TabularDataset a = make_synthetic_dataset(three);
  const TabularDataset b = make_synthetic_dataset(many);
  EXPECT_EQ(a.x_train.size(), b.x_train.size());
  EXPECT_NE(a.x_train, b.x_train);
  EXPECT_NE(describe(three), describe(many));
  EXPECT_NE(describe(many).find("clusters_per_class=16"), std::string::npos);
  // The default keeps the description older checkpoints carry.
  EXPECT_EQ(describe(three).find("clusters_per_class"), std::string::npos);
  double positives = 0;
  for (float label : b.y_train) positives += label;
  EXPECT_NEAR(positives / static_cast<double>(b.y_train.size()), 0.5, 0.05);
  // More clusters than the informative hypercube has vertex pairs: capped, not refused.
  DatasetSpec capped = small_spec();
  capped.informative = 2;
  capped.clusters_per_class = 5;
  EXPECT_EQ(make_synthetic_dataset(capped).train_size(), 800);
}

TEST(SyntheticData, cache_returns_one_copy_per_spec_across_threads) {
  const DatasetSpec spec = small_spec();
  std::vector<std::shared_ptr<const TabularDataset>> got(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] { got[i] = shared_dataset(spec); });
  }
  for (auto& t : threads) t.join();
  for (const auto& p : got) EXPECT_EQ(p.get(), got[0].get());
  EXPECT_EQ(got[0]->x_train, make_synthetic_dataset(spec).x_train);

  DatasetSpec other = spec;
  other.label_noise = 0.05;
  EXPECT_NE(shared_dataset(other).get(), got[0].get());
  EXPECT_NE(describe(other), describe(spec));
}

TEST(SyntheticData, writes_csv) {
  DatasetSpec spec;
  spec.samples = 20;
  spec.features = 3;
  spec.informative = 2;
  const TabularDataset data = make_synthetic_dataset(spec);
  std::filesystem::create_directories(RUNG_TEST_TMP);
  const std::string path = std::string(RUNG_TEST_TMP) + "/synthetic.csv";
  write_csv(data, path);
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "split,label,x0,x1,x2");
  int rows = 0, validation_rows = 0;
  while (std::getline(in, line)) {
    ++rows;
    validation_rows += line.rfind("validation,", 0) == 0;
  }
  EXPECT_EQ(rows, 20);
  EXPECT_EQ(validation_rows, 4);
}

TEST(SyntheticData, rejects_bad_specs_naming_the_field) {
  auto expect_bad = [](DatasetSpec spec, const std::string& field) {
    try {
      (void)make_synthetic_dataset(spec);
      ADD_FAILURE() << "accepted a bad " << field;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("rung.dataset." + field), std::string::npos) << e.what();
    }
  };
  DatasetSpec s;
  s.kind = "cifar10";
  expect_bad(s, "kind");
  s = DatasetSpec{};
  s.samples = 3;
  expect_bad(s, "samples");
  s = DatasetSpec{};
  s.informative = 21;
  expect_bad(s, "informative");
  s = DatasetSpec{};
  s.class_separation = 0.0;
  expect_bad(s, "class_separation");
  s = DatasetSpec{};
  s.clusters_per_class = 0;
  expect_bad(s, "clusters_per_class");
  s = DatasetSpec{};
  s.label_noise = 0.7;
  expect_bad(s, "label_noise");
  s = DatasetSpec{};
  s.validation_fraction = 1.0;
  expect_bad(s, "validation_fraction");
}

}  // namespace
}  // namespace rung
