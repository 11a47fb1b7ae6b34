// Tiny data sets in the real file formats (CIFAR-10 binary, IDX), for the loader and
// ResNet-20 tests. The images are learnable: each class has its own colour and brightness
// pattern, plus noise.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace rung::test_images {

inline std::uint8_t pixel(int label, int channel, int y, int x, std::mt19937& rng) {
  std::uniform_int_distribution<int> noise(-40, 40);
  const int stripes = ((label % 2 == 0 ? y : x) / (2 + label % 3)) % 2;
  const int base = 30 + 20 * ((label + channel * 3) % 10) + 40 * stripes;
  return static_cast<std::uint8_t>(std::clamp(base + noise(rng), 0, 255));
}

// `records` CIFAR-10 records: label (i + offset) % 10, 3x32x32 pixels.
inline std::vector<std::uint8_t> cifar_records(int records, int offset, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> bytes;
  for (int i = 0; i < records; ++i) {
    const int label = (i + offset) % 10;
    bytes.push_back(static_cast<std::uint8_t>(label));
    for (int c = 0; c < 3; ++c) {
      for (int y = 0; y < 32; ++y) {
        for (int x = 0; x < 32; ++x) bytes.push_back(pixel(label, c, y, x, rng));
      }
    }
  }
  return bytes;
}

inline void write_bytes(const std::filesystem::path& path, const std::vector<std::uint8_t>& b) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

// data_batch_1..5.bin with `per_batch` records each and test_batch.bin with `test` records.
inline void write_cifar(const std::filesystem::path& dir, int per_batch, int test) {
  std::filesystem::create_directories(dir);
  for (int b = 1; b <= 5; ++b) {
    write_bytes(dir / ("data_batch_" + std::to_string(b) + ".bin"),
                cifar_records(per_batch, b * per_batch, static_cast<unsigned>(b)));
  }
  write_bytes(dir / "test_batch.bin", cifar_records(test, 0, 99));
}

inline void put_u32(std::vector<std::uint8_t>& b, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<std::uint8_t>(v >> shift));
}

// IDX files of `count` greyscale `side` x `side` images and their labels.
inline void write_idx(const std::filesystem::path& dir, const std::string& prefix, int count,
                      int side = 28) {
  std::filesystem::create_directories(dir);
  std::mt19937 rng(static_cast<unsigned>(count));
  std::vector<std::uint8_t> images;
  std::vector<std::uint8_t> labels;
  put_u32(images, 0x00000803);
  put_u32(images, static_cast<std::uint32_t>(count));
  put_u32(images, static_cast<std::uint32_t>(side));
  put_u32(images, static_cast<std::uint32_t>(side));
  put_u32(labels, 0x00000801);
  put_u32(labels, static_cast<std::uint32_t>(count));
  for (int i = 0; i < count; ++i) {
    const int label = i % 10;
    labels.push_back(static_cast<std::uint8_t>(label));
    for (int y = 0; y < side; ++y) {
      for (int x = 0; x < side; ++x) images.push_back(pixel(label, 0, y, x, rng));
    }
  }
  write_bytes(dir / (prefix + "-images-idx3-ubyte"), images);
  write_bytes(dir / (prefix + "-labels-idx1-ubyte"), labels);
}

}  // namespace rung::test_images
