#include "rung/train/image_data.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <system_error>

#include "rung/config/error.hpp"

#ifdef RUNG_HAVE_ZLIB
#include <zlib.h>
#endif

namespace rung {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kCifarSide = 32;
constexpr std::int64_t kCifarImageBytes = 3 * kCifarSide * kCifarSide;
constexpr std::int64_t kCifarRecordBytes = 1 + kCifarImageBytes;
constexpr std::uint32_t kIdxImagesMagic = 0x00000803;  // unsigned byte, 3 dimensions
constexpr std::uint32_t kIdxLabelsMagic = 0x00000801;  // unsigned byte, 1 dimension
constexpr int kPaddedSide = 32;                        // ResNet-20's input size

[[noreturn]] void refuse(const std::string& path, const std::string& why) {
  throw InputError("data file " + path + ": " + why);
}

std::int64_t file_size_or_refuse(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    refuse(path, fs::exists(path, ec) ? "is not a regular file" : "does not exist");
  }
  const auto size = fs::file_size(path, ec);
  if (ec) refuse(path, "cannot read its size: " + ec.message());
  return static_cast<std::int64_t>(size);
}

// The first `count` bytes of a plain file.
std::vector<std::uint8_t> read_prefix(const std::string& path, std::int64_t count) {
  std::ifstream in(path, std::ios::binary);
  if (!in) refuse(path, "cannot be opened");
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(count));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(count));
  if (in.gcount() != count) refuse(path, "could not be read to the end");
  return bytes;
}

// A whole file, gunzipped when its name ends in .gz.
std::vector<std::uint8_t> read_whole(const std::string& path) {
  const bool gzipped = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  if (!gzipped) return read_prefix(path, file_size_or_refuse(path));
#ifdef RUNG_HAVE_ZLIB
  (void)file_size_or_refuse(path);
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) refuse(path, "cannot be opened");
  std::vector<std::uint8_t> bytes;
  std::uint8_t chunk[1 << 16];
  for (;;) {
    const int n = gzread(file, chunk, sizeof chunk);
    if (n < 0) {
      int code = 0;
      const std::string message = gzerror(file, &code);
      gzclose(file);
      refuse(path, "is not a readable gzip file (" + message + ")");
    }
    if (n == 0) break;
    bytes.insert(bytes.end(), chunk, chunk + n);
  }
  // zlib reports a stream cut short only through gzerror once the data run out.
  int code = 0;
  const std::string message = gzerror(file, &code);
  gzclose(file);
  if (code != Z_OK) refuse(path, "is a truncated or damaged gzip file (" + message + ")");
  return bytes;
#else
  refuse(path, "is gzip'd, but this rung was built without zlib; gunzip the files first");
#endif
}

std::uint32_t big_endian_u32(const std::vector<std::uint8_t>& bytes, std::size_t offset) {
  return (static_cast<std::uint32_t>(bytes[offset]) << 24) |
         (static_cast<std::uint32_t>(bytes[offset + 1]) << 16) |
         (static_cast<std::uint32_t>(bytes[offset + 2]) << 8) |
         static_cast<std::uint32_t>(bytes[offset + 3]);
}

void check_labels(const std::string& path, const std::uint8_t* labels, std::int64_t count,
                  std::int64_t stride) {
  for (std::int64_t i = 0; i < count; ++i) {
    const int label = labels[i * stride];
    if (label >= kImageClasses) {
      refuse(path, "record " + std::to_string(i) + " has label " + std::to_string(label) +
                       "; labels must be 0-9 (is this the right data set?)");
    }
  }
}

// Appends the first `limit` (0: all) CIFAR records of each file, checking every file's size.
void read_cifar_split(const std::string& dir, const std::vector<std::string>& names,
                      std::int64_t limit, std::vector<std::uint8_t>& images,
                      std::vector<std::uint8_t>& labels) {
  std::vector<std::pair<std::string, std::int64_t>> files;
  for (const auto& name : names) {
    const std::string path = (fs::path(dir) / name).string();
    const std::int64_t size = file_size_or_refuse(path);
    if (size == 0 || size % kCifarRecordBytes != 0) {
      refuse(path, "is " + std::to_string(size) +
                       " bytes, not a whole number of 3,073-byte "
                       "CIFAR-10 records (truncated, or not CIFAR-10's binary version?)");
    }
    files.emplace_back(path, size / kCifarRecordBytes);
  }
  for (const auto& [path, records] : files) {
    const std::int64_t have = static_cast<std::int64_t>(labels.size());
    const std::int64_t take = limit > 0 ? std::min(records, limit - have) : records;
    if (take <= 0) break;
    const std::vector<std::uint8_t> bytes = read_prefix(path, take * kCifarRecordBytes);
    check_labels(path, bytes.data(), take, kCifarRecordBytes);
    for (std::int64_t r = 0; r < take; ++r) {
      const auto* record = bytes.data() + r * kCifarRecordBytes;
      labels.push_back(record[0]);
      images.insert(images.end(), record + 1, record + kCifarRecordBytes);
    }
  }
}

// Plain or gzip'd: whichever exists (the plain file first).
std::string idx_path(const std::string& dir, const std::string& name) {
  const fs::path plain = fs::path(dir) / name;
  std::error_code ec;
  if (fs::exists(plain, ec)) return plain.string();
  const fs::path gz = fs::path(dir) / (name + ".gz");
  if (fs::exists(gz, ec)) return gz.string();
  refuse(plain.string(), "does not exist (nor " + gz.filename().string() + ")");
}

// One IDX split: images zero-padded to 32x32, labels; the first `limit` (0: all).
void read_idx_split(const std::string& dir, const std::string& prefix, std::int64_t limit,
                    std::vector<std::uint8_t>& images, std::vector<std::uint8_t>& labels) {
  const std::string image_path = idx_path(dir, prefix + "-images-idx3-ubyte");
  const std::string label_path = idx_path(dir, prefix + "-labels-idx1-ubyte");
  const std::vector<std::uint8_t> image_bytes = read_whole(image_path);
  const std::vector<std::uint8_t> label_bytes = read_whole(label_path);
  if (image_bytes.size() < 16) refuse(image_path, "is shorter than an IDX image header");
  if (label_bytes.size() < 8) refuse(label_path, "is shorter than an IDX label header");
  if (const auto magic = big_endian_u32(image_bytes, 0); magic != kIdxImagesMagic) {
    refuse(image_path, "has magic number " + std::to_string(magic) + ", not " +
                           std::to_string(kIdxImagesMagic) + " (IDX unsigned-byte images)");
  }
  if (const auto magic = big_endian_u32(label_bytes, 0); magic != kIdxLabelsMagic) {
    refuse(label_path, "has magic number " + std::to_string(magic) + ", not " +
                           std::to_string(kIdxLabelsMagic) + " (IDX unsigned-byte labels)");
  }
  const std::int64_t count = big_endian_u32(image_bytes, 4);
  const std::int64_t rows = big_endian_u32(image_bytes, 8);
  const std::int64_t cols = big_endian_u32(image_bytes, 12);
  if (rows < 1 || cols < 1 || rows > kPaddedSide || cols > kPaddedSide) {
    refuse(image_path, "holds " + std::to_string(rows) + "x" + std::to_string(cols) +
                           " images; rung pads images up to 32x32 and needs 1..32 pixels a side");
  }
  const std::int64_t want_images = 16 + count * rows * cols;
  if (static_cast<std::int64_t>(image_bytes.size()) != want_images) {
    refuse(image_path,
           "has " + std::to_string(image_bytes.size()) + " bytes, but its header (" +
               std::to_string(count) + " images of " + std::to_string(rows) + "x" +
               std::to_string(cols) + ") needs " + std::to_string(want_images) +
               (static_cast<std::int64_t>(image_bytes.size()) < want_images ? " (truncated)" : ""));
  }
  const std::int64_t label_count = big_endian_u32(label_bytes, 4);
  if (static_cast<std::int64_t>(label_bytes.size()) != 8 + label_count) {
    refuse(label_path, "has " + std::to_string(label_bytes.size()) + " bytes, but its header (" +
                           std::to_string(label_count) + " labels) needs " +
                           std::to_string(8 + label_count));
  }
  if (label_count != count) {
    refuse(label_path, "holds " + std::to_string(label_count) + " labels, but " + image_path +
                           " holds " + std::to_string(count) + " images");
  }
  if (count == 0) refuse(image_path, "holds no images");
  check_labels(label_path, label_bytes.data() + 8, count, 1);

  const std::int64_t take = limit > 0 ? std::min(limit, count) : count;
  const std::int64_t top = (kPaddedSide - rows) / 2;
  const std::int64_t left = (kPaddedSide - cols) / 2;
  const std::size_t first = images.size();
  images.resize(first + static_cast<std::size_t>(take * kPaddedSide * kPaddedSide), 0);
  for (std::int64_t i = 0; i < take; ++i) {
    const std::uint8_t* source = image_bytes.data() + 16 + i * rows * cols;
    std::uint8_t* target = images.data() + first + i * kPaddedSide * kPaddedSide;
    for (std::int64_t y = 0; y < rows; ++y) {
      std::copy(source + y * cols, source + (y + 1) * cols,
                target + (top + y) * kPaddedSide + left);
    }
  }
  labels.insert(labels.end(), label_bytes.begin() + 8, label_bytes.begin() + 8 + take);
}

void compute_channel_stats(ImageDataset& data) {
  const std::int64_t plane = static_cast<std::int64_t>(data.height) * data.width;
  data.mean.assign(static_cast<std::size_t>(data.channels), 0.0);
  data.stddev.assign(static_cast<std::size_t>(data.channels), 1.0);
  for (int c = 0; c < data.channels; ++c) {
    double sum = 0.0;
    double sum_sq = 0.0;
    for (std::int64_t i = 0; i < data.train_size(); ++i) {
      const std::uint8_t* p = data.train_images.data() + i * data.image_bytes() + c * plane;
      for (std::int64_t k = 0; k < plane; ++k) {
        const double v = p[k] / 255.0;
        sum += v;
        sum_sq += v * v;
      }
    }
    const double n = static_cast<double>(plane * data.train_size());
    const double mean = sum / n;
    const double variance = std::max(0.0, sum_sq / n - mean * mean);
    data.mean[static_cast<std::size_t>(c)] = mean;
    // A constant channel (tiny test files) normalises by 1 rather than dividing by 0.
    data.stddev[static_cast<std::size_t>(c)] = variance > 1e-12 ? std::sqrt(variance) : 1.0;
  }
}

}  // namespace

bool can_read_gzip() {
#ifdef RUNG_HAVE_ZLIB
  return true;
#else
  return false;
#endif
}

bool is_image_dataset(const std::string& kind) {
  return kind == "cifar10" || kind == "fashion_mnist";
}

ImageDataset load_cifar10(const std::string& dir, std::int64_t train_limit,
                          std::int64_t test_limit) {
  ImageDataset data;
  data.channels = 3;
  data.height = data.width = static_cast<int>(kCifarSide);
  read_cifar_split(dir,
                   {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                    "data_batch_5.bin"},
                   train_limit, data.train_images, data.train_labels);
  read_cifar_split(dir, {"test_batch.bin"}, test_limit, data.test_images, data.test_labels);
  compute_channel_stats(data);
  return data;
}

ImageDataset load_fashion_mnist(const std::string& dir, std::int64_t train_limit,
                                std::int64_t test_limit) {
  ImageDataset data;
  data.channels = 1;
  data.height = data.width = kPaddedSide;
  read_idx_split(dir, "train", train_limit, data.train_images, data.train_labels);
  read_idx_split(dir, "t10k", test_limit, data.test_images, data.test_labels);
  compute_channel_stats(data);
  return data;
}

ImageDataset load_image_dataset(const DatasetSpec& spec) {
  if (spec.kind == "cifar10") return load_cifar10(spec.path, spec.train_subset, spec.test_subset);
  if (spec.kind == "fashion_mnist") {
    return load_fashion_mnist(spec.path, spec.train_subset, spec.test_subset);
  }
  throw InputError("rung.dataset.kind: \"" + spec.kind +
                   "\" is not an image data set (cifar10, fashion_mnist)");
}

std::shared_ptr<const ImageDataset> shared_image_dataset(const DatasetSpec& spec) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const ImageDataset>> cache;
  const std::string key = describe_image_dataset(spec);
  const std::lock_guard<std::mutex> lock(mutex);
  auto& slot = cache[key];
  if (!slot) {
    try {
      slot = std::make_shared<const ImageDataset>(load_image_dataset(spec));
    } catch (...) {
      cache.erase(key);
      throw;
    }
  }
  return slot;
}

std::string describe_image_dataset(const DatasetSpec& spec) {
  return "kind=" + spec.kind + " path=" + spec.path +
         " train_subset=" + std::to_string(spec.train_subset) +
         " test_subset=" + std::to_string(spec.test_subset);
}

}  // namespace rung
