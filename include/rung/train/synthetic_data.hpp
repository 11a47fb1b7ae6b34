// The data sets trainers learn from, as plain row-major float arrays (no torch here: the
// trainer turns them into tensors). The synthetic one is a binary classification problem in
// the spirit of scikit-learn's make_classification, fully determined by its DatasetSpec.
// shared_dataset() builds each distinct spec once per process and hands out the same copy
// to every trial.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rung/config/job_config.hpp"

namespace rung {

// Features are standardized with the training split's mean and standard deviation (the
// validation split uses the same transform). Labels are 0 or 1.
struct TabularDataset {
  int features = 0;
  std::vector<float> x_train;       // [train_size() x features], row-major
  std::vector<float> y_train;       // [train_size()]
  std::vector<float> x_validation;  // [validation_size() x features], row-major
  std::vector<float> y_validation;  // [validation_size()]

  [[nodiscard]] std::int64_t train_size() const {
    return static_cast<std::int64_t>(y_train.size());
  }
  [[nodiscard]] std::int64_t validation_size() const {
    return static_cast<std::int64_t>(y_validation.size());
  }
};

// The generator (informative = k, clusters per class = c, class_separation = s):
//  - 2c centroids on distinct vertices of the hypercube [-s, s]^k (c = clusters_per_class, or
//    2^(k-1) when that is fewer), alternately of class 0 and class 1, each with a random
//    linear mixing A (entries uniform in [-1, 1]); a cluster's informative features are
//    z A + centroid with z ~ N(0, I_k); the samples are split evenly between the clusters,
//    so the classes are balanced;
//  - features - k noise features ~ N(0, 1); the feature columns are then permuted;
//  - round(label_noise * samples) labels, chosen at random, are flipped;
//  - the samples are shuffled; the last round(validation_fraction * samples) are the
//    validation split.
// Everything is drawn from std::mt19937_64(spec.seed) with rung's own normal and uniform
// transforms, so a seed gives the same data with any standard library.
// The default three clusters per class make the boundary clearly non-linear: on the default
// spec a well-tuned MLP reaches about 0.95-0.97 validation accuracy, a badly tuned one much less.

// Throws InputError naming the field ("rung.dataset.samples", ...) for a spec it cannot
// generate (kind other than "synthetic", too few samples, informative > features, ...).
[[nodiscard]] TabularDataset make_synthetic_dataset(const DatasetSpec& spec);

// The data set for `spec`, generated on first use and cached for the life of the process
// (keyed by every field of the spec). Thread-safe.
[[nodiscard]] std::shared_ptr<const TabularDataset> shared_dataset(const DatasetSpec& spec);

// A canonical one-line description of the spec: every field, reals at full precision.
// Two specs give the same data exactly when their descriptions are equal.
[[nodiscard]] std::string describe(const DatasetSpec& spec);

// Writes the data set as CSV: a header "split,label,x0,...,x<d-1>", then one row per sample
// ("train" rows first, then "validation"). Throws InputError when the file cannot be written.
void write_csv(const TabularDataset& data, const std::string& path);

}  // namespace rung
