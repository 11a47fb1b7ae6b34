// The image loaders on tiny files in the real formats: round trips, subsets, the shared copy,
// and every malformed file refused with its name in the message.
#include "rung/train/image_data.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "image_files.hpp"
#include "rung/config/error.hpp"

namespace fs = std::filesystem;

namespace rung {
namespace {

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::path(RUNG_TEST_TMP) / "image_data" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Runs `load` and expects an InputError whose message names `file` and contains `words`.
template <typename Load>
void expect_refused(Load load, const fs::path& file, const std::string& words) {
  try {
    (void)load();
    FAIL() << "expected an InputError naming " << file;
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(file.string()), std::string::npos) << message;
    EXPECT_NE(message.find(words), std::string::npos) << message;
  }
}

TEST(ImageData, cifar10_round_trip_in_file_order) {
  const fs::path dir = scratch("cifar");
  test_images::write_cifar(dir, 3, 4);
  const ImageDataset data = load_cifar10(dir.string());
  EXPECT_EQ(data.channels, 3);
  EXPECT_EQ(data.height, 32);
  EXPECT_EQ(data.width, 32);
  ASSERT_EQ(data.train_size(), 15);
  ASSERT_EQ(data.test_size(), 4);
  ASSERT_EQ(data.train_images.size(), 15u * 3072u);
  // data_batch_2's first record follows data_batch_1's three, byte for byte.
  const std::vector<std::uint8_t> batch2 = test_images::cifar_records(3, 6, 2);
  EXPECT_EQ(data.train_labels[3], batch2[0]);
  EXPECT_TRUE(
      std::equal(batch2.begin() + 1, batch2.begin() + 3073, data.train_images.begin() + 3 * 3072));
  const std::vector<std::uint8_t> test = test_images::cifar_records(4, 0, 99);
  EXPECT_EQ(data.test_labels[3], test[3 * 3073]);
  EXPECT_TRUE(
      std::equal(test.begin() + 3 * 3073 + 1, test.end(), data.test_images.begin() + 3 * 3072));
  ASSERT_EQ(data.mean.size(), 3u);
  for (int c = 0; c < 3; ++c) {
    EXPECT_GT(data.mean[c], 0.0);
    EXPECT_LT(data.mean[c], 1.0);
    EXPECT_GT(data.stddev[c], 0.0);
  }
}

TEST(ImageData, subsets_take_the_first_images_and_still_check_every_file) {
  const fs::path dir = scratch("cifar_subset");
  test_images::write_cifar(dir, 3, 4);
  const ImageDataset data = load_cifar10(dir.string(), 5, 2);
  EXPECT_EQ(data.train_size(), 5);
  EXPECT_EQ(data.test_size(), 2);
  EXPECT_EQ(data.train_labels[4], test_images::cifar_records(3, 6, 2)[3073]);
  // A broken data_batch_5 is found although a subset of 5 never reads it.
  fs::resize_file(dir / "data_batch_5.bin", 3073 * 2 + 100);
  expect_refused([&] { return load_cifar10(dir.string(), 5, 2); }, dir / "data_batch_5.bin",
                 "not a whole number of 3,073-byte");
}

TEST(ImageData, cifar10_malformed_files_are_refused_by_name) {
  const fs::path dir = scratch("cifar_bad");
  test_images::write_cifar(dir, 2, 2);
  fs::remove(dir / "data_batch_3.bin");
  expect_refused([&] { return load_cifar10(dir.string()); }, dir / "data_batch_3.bin",
                 "does not exist");
  test_images::write_cifar(dir, 2, 2);
  fs::resize_file(dir / "test_batch.bin", 3073 + 7);  // truncated mid-record
  expect_refused([&] { return load_cifar10(dir.string()); }, dir / "test_batch.bin",
                 "not a whole number");
  test_images::write_cifar(dir, 2, 2);
  test_images::write_bytes(dir / "data_batch_1.bin", {});  // empty
  expect_refused([&] { return load_cifar10(dir.string()); }, dir / "data_batch_1.bin",
                 "is 0 bytes");
  test_images::write_cifar(dir, 2, 2);
  std::vector<std::uint8_t> records = test_images::cifar_records(2, 0, 1);
  records[3073] = 200;  // the second record's label
  test_images::write_bytes(dir / "data_batch_1.bin", records);
  expect_refused([&] { return load_cifar10(dir.string()); }, dir / "data_batch_1.bin",
                 "record 1 has label 200");
  expect_refused([&] { return load_cifar10((dir / "nope").string()); },
                 dir / "nope" / "data_batch_1.bin", "does not exist");
}

TEST(ImageData, fashion_mnist_idx_is_padded_to_32_by_32) {
  const fs::path dir = scratch("idx");
  test_images::write_idx(dir, "train", 12);
  test_images::write_idx(dir, "t10k", 5);
  const ImageDataset data = load_fashion_mnist(dir.string());
  EXPECT_EQ(data.channels, 1);
  EXPECT_EQ(data.height, 32);
  ASSERT_EQ(data.train_size(), 12);
  ASSERT_EQ(data.test_size(), 5);
  EXPECT_EQ(data.train_labels[7], 7);
  // Two zero rows and columns around the 28x28 image.
  std::ifstream in(dir / "train-images-idx3-ubyte", std::ios::binary);
  std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::int64_t image = 3 * 1024;  // the fourth image
  EXPECT_EQ(data.train_images[image + 0], 0);
  EXPECT_EQ(data.train_images[image + 1 * 32 + 5], 0);
  EXPECT_EQ(data.train_images[image + 2 * 32 + 2],
            static_cast<std::uint8_t>(raw[16 + 3 * 784 + 0]));
  EXPECT_EQ(data.train_images[image + 29 * 32 + 29],
            static_cast<std::uint8_t>(raw[16 + 3 * 784 + 27 * 28 + 27]));
  EXPECT_EQ(data.train_images[image + 30 * 32 + 29], 0);
  const ImageDataset subset = load_fashion_mnist(dir.string(), 4, 3);
  EXPECT_EQ(subset.train_size(), 4);
  EXPECT_EQ(subset.test_size(), 3);
}

TEST(ImageData, gzipped_idx_reads_like_plain) {
  const fs::path dir = scratch("idx_gz");
  test_images::write_idx(dir, "train", 12);
  test_images::write_idx(dir, "t10k", 5);
  const ImageDataset plain = load_fashion_mnist(dir.string());
  const std::string gzip = "gzip -f '" + dir.string() + "'/*-ubyte";
  ASSERT_EQ(std::system(gzip.c_str()), 0);
  ASSERT_TRUE(fs::exists(dir / "train-images-idx3-ubyte.gz"));
  if (can_read_gzip()) {
    const ImageDataset gz = load_fashion_mnist(dir.string());
    EXPECT_EQ(gz.train_images, plain.train_images);
    EXPECT_EQ(gz.test_labels, plain.test_labels);
    // A gzip stream cut short is refused, not read as a short file.
    fs::resize_file(dir / "t10k-images-idx3-ubyte.gz",
                    fs::file_size(dir / "t10k-images-idx3-ubyte.gz") - 20);
    expect_refused([&] { return load_fashion_mnist(dir.string()); },
                   dir / "t10k-images-idx3-ubyte.gz", "truncated");
  } else {
    expect_refused([&] { return load_fashion_mnist(dir.string()); },
                   dir / "train-images-idx3-ubyte.gz", "without zlib");
  }
}

TEST(ImageData, idx_malformed_files_are_refused_by_name) {
  const fs::path dir = scratch("idx_bad");
  auto fresh = [&] {
    test_images::write_idx(dir, "train", 6);
    test_images::write_idx(dir, "t10k", 3);
  };
  auto load = [&] { return load_fashion_mnist(dir.string()); };
  fresh();
  fs::remove(dir / "t10k-labels-idx1-ubyte");
  expect_refused(load, dir / "t10k-labels-idx1-ubyte", "does not exist");
  fresh();
  fs::resize_file(dir / "train-images-idx3-ubyte", 16 + 5 * 784 + 3);
  expect_refused(load, dir / "train-images-idx3-ubyte", "(truncated)");
  fresh();
  {
    std::fstream f(dir / "train-images-idx3-ubyte",
                   std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(3);
    f.put(0x01);  // magic 0x0801: a label file's
  }
  expect_refused(load, dir / "train-images-idx3-ubyte", "magic number");
  fresh();
  test_images::write_idx(dir, "t10k", 4);
  test_images::write_idx(dir / "other", "t10k", 3);
  fs::copy_file(dir / "other" / "t10k-labels-idx1-ubyte", dir / "t10k-labels-idx1-ubyte",
                fs::copy_options::overwrite_existing);
  expect_refused(load, dir / "t10k-labels-idx1-ubyte", "holds 3 labels");
  fresh();
  test_images::write_idx(dir, "t10k", 3, 40);  // images too large to pad to 32x32
  expect_refused(load, dir / "t10k-images-idx3-ubyte", "40x40");
}

TEST(ImageData, the_shared_copy_is_loaded_once_per_spec) {
  const fs::path dir = scratch("shared");
  test_images::write_cifar(dir, 2, 2);
  DatasetSpec spec;
  spec.kind = "cifar10";
  spec.path = dir.string();
  const auto a = shared_image_dataset(spec);
  const auto b = shared_image_dataset(spec);
  EXPECT_EQ(a.get(), b.get());
  spec.train_subset = 3;
  const auto c = shared_image_dataset(spec);
  EXPECT_NE(a.get(), c.get());
  EXPECT_EQ(c->train_size(), 3);
  EXPECT_NE(describe_image_dataset(spec).find("train_subset=3"), std::string::npos);
  spec.path = (dir / "missing").string();
  EXPECT_THROW((void)shared_image_dataset(spec), InputError);
  spec.kind = "synthetic";
  EXPECT_THROW((void)load_image_dataset(spec), InputError);
}

// Debian's dataset-fashion-mnist, when installed: the real files load.
TEST(ImageData, real_fashion_mnist_when_installed) {
  const std::string dir = "/usr/share/datasets/fashion-mnist";
  if (!fs::exists(dir + "/train-images-idx3-ubyte.gz")) GTEST_SKIP() << "no " << dir;
  if (!can_read_gzip()) GTEST_SKIP() << "built without zlib";
  const ImageDataset data = load_fashion_mnist(dir, 1000, 500);
  EXPECT_EQ(data.train_size(), 1000);
  EXPECT_EQ(data.test_size(), 500);
  EXPECT_GT(data.mean[0], 0.1);
  EXPECT_LT(data.mean[0], 0.5);
}

}  // namespace
}  // namespace rung
