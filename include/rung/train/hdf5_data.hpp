// A data set of arrays in one HDF5 file (dataset.kind hdf5), for trainers of the user's own
// module (rung.model torchscript). No torch here: the trainer turns the arrays into tensors.
//
// The file holds four datasets, named by dataset.x_train, y_train, x_val and y_val (those
// names by default; a name may be a path such as "train/x"). The first dimension of each
// counts samples:
//  - inputs x_train, x_val: floating point (float32 or float64; held as float32), rank >= 2;
//  - targets y_train, y_val: integers (class ids; held as int64) or floating point (held as
//    float32), rank >= 1, the same kind in both splits.
// Within a split, inputs and targets have the same number of samples (at least one); the two
// splits have the same shape per sample. dataset.train_subset / test_subset keep the first N
// samples of the training / validation split (0: all); only those rows are read.
// Everything is checked before anything trains: a missing or non-HDF5 file, a missing
// dataset, a wrong element type or rank, or sample counts that disagree are an InputError
// naming the file, the dataset, what was found and the rule. Whether the targets fit the
// loss is the trainer's to check (it knows the loss).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rung/config/job_config.hpp"

namespace rung {

// One dataset of the file, as read.
struct SampleArray {
  std::string name;                    // the dataset's name in the file ("x_train")
  std::string stored_type;             // its element type in the file: "float64", "uint8", ...
  std::vector<std::int64_t> shape;     // [samples, ...] (the subset's sample count)
  bool is_integer = false;             // integer elements (held in `integers`), else `floats`
  std::vector<float> floats;           // row-major, when !is_integer
  std::vector<std::int64_t> integers;  // row-major, when is_integer

  [[nodiscard]] std::int64_t samples() const { return shape.empty() ? 0 : shape.front(); }
};

struct Hdf5Dataset {
  std::string path;  // the file, as the job names it
  SampleArray x_train, y_train, x_val, y_val;

  [[nodiscard]] std::int64_t train_size() const { return x_train.samples(); }
  [[nodiscard]] std::int64_t validation_size() const { return x_val.samples(); }
};

// Reads and checks spec.path's datasets (spec.kind must be hdf5; InputError otherwise).
[[nodiscard]] Hdf5Dataset load_hdf5_dataset(const DatasetSpec& spec);

// The data set for `spec`, loaded on first use and kept for the life of the process (one copy
// shared by every trainer of the process). Thread-safe; a failed load is retried next time.
[[nodiscard]] std::shared_ptr<const Hdf5Dataset> shared_hdf5_dataset(const DatasetSpec& spec);

// A canonical one-line description (kind, path, dataset names, subset sizes), stored in
// checkpoints.
[[nodiscard]] std::string describe_hdf5_dataset(const DatasetSpec& spec);

// "data file PATH, dataset NAME: WHY" as an InputError: for the checks a trainer makes on
// the arrays (targets that do not fit its loss).
[[noreturn]] void refuse_sample_array(const std::string& path, const SampleArray& array,
                                      const std::string& why);

}  // namespace rung
