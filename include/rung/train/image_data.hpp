// Image classification data sets read from their official file formats, held as uint8 pixels
// (no torch here: the ResNet trainer turns them into device tensors):
//  - CIFAR-10 binary (kind cifar10): PATH/data_batch_1.bin .. data_batch_5.bin (training) and
//    PATH/test_batch.bin, each a sequence of 3,073-byte records: 1 label byte (0-9), then
//    3,072 pixel bytes (1,024 red, 1,024 green, 1,024 blue, each plane 32x32 row-major).
//  - Fashion-MNIST IDX (kind fashion_mnist): PATH/train-images-idx3-ubyte,
//    train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each plain or
//    gzip'd (".gz" appended, as Debian's dataset-fashion-mnist installs them). 28x28
//    greyscale images are zero-padded by 2 pixels on every side to 32x32, the input size
//    ResNet-20 was designed for; one channel.
// Every file is checked before anything trains: a missing, truncated or wrongly sized file,
// a bad IDX magic number or a label outside 0-9 is an InputError naming the file.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rung/config/job_config.hpp"

namespace rung {

inline constexpr int kImageClasses = 10;  // both data sets have 10 classes

struct ImageDataset {
  int channels = 0;
  int height = 0;
  int width = 0;
  std::vector<std::uint8_t> train_images;  // [train_size x channels x height x width]
  std::vector<std::uint8_t> train_labels;  // [train_size], 0..9
  std::vector<std::uint8_t> test_images;   // [test_size x channels x height x width]
  std::vector<std::uint8_t> test_labels;   // [test_size]
  // Per-channel mean and standard deviation of the training images, in [0, 1] pixel units:
  // the normalisation the trainer applies to both splits.
  std::vector<double> mean;
  std::vector<double> stddev;

  [[nodiscard]] std::int64_t image_bytes() const {
    return static_cast<std::int64_t>(channels) * height * width;
  }
  [[nodiscard]] std::int64_t train_size() const {
    return static_cast<std::int64_t>(train_labels.size());
  }
  [[nodiscard]] std::int64_t test_size() const {
    return static_cast<std::int64_t>(test_labels.size());
  }
};

// Whether this build reads gzip'd IDX files (it was built with zlib).
[[nodiscard]] bool can_read_gzip();

// Whether `kind` names an image data set read from files.
[[nodiscard]] bool is_image_dataset(const std::string& kind);

// The first `train_limit` training and `test_limit` test images of the data set in `dir`
// (0: all). Every file of the set is checked, even when a limit means it is not read.
[[nodiscard]] ImageDataset load_cifar10(const std::string& dir, std::int64_t train_limit = 0,
                                        std::int64_t test_limit = 0);
[[nodiscard]] ImageDataset load_fashion_mnist(const std::string& dir, std::int64_t train_limit = 0,
                                              std::int64_t test_limit = 0);

// By spec.kind, with spec.path and the subset sizes. Throws InputError for another kind.
[[nodiscard]] ImageDataset load_image_dataset(const DatasetSpec& spec);

// The data set for `spec`, loaded on first use and kept for the life of the process (one copy
// shared by every trainer of the process). Thread-safe; a failed load is retried next time.
[[nodiscard]] std::shared_ptr<const ImageDataset> shared_image_dataset(const DatasetSpec& spec);

// A canonical one-line description (kind, path, subset sizes), stored in checkpoints.
[[nodiscard]] std::string describe_image_dataset(const DatasetSpec& spec);

}  // namespace rung
