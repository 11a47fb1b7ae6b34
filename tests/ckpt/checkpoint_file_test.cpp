// CheckpointWriter / CheckpointReader: round trips, the atomic commit, and the refusal of
// missing, truncated, foreign and non-HDF5 files with a message that names the file.
#include "rung/ckpt/checkpoint_file.hpp"

#include <gtest/gtest.h>

#if __has_include(<H5Cpp.h>)
#include <H5Cpp.h>
#define RUNG_TEST_HAS_H5CPP 1
#endif

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "rung/config/error.hpp"

namespace fs = std::filesystem;

namespace rung {
namespace {

std::string scratch(const std::string& name) {
  const fs::path dir = fs::path(RUNG_TEST_TMP) / "ckpt";
  fs::create_directories(dir);
  const fs::path path = dir / name;
  fs::remove_all(path);
  return path.string();
}

std::string temp_name(const std::string& path) {
  return path + ".tmp." + std::to_string(::getpid());
}

template <class T>
std::vector<T> from_bytes(const ArrayData& a) {
  std::vector<T> out(a.bytes.size() / sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), a.bytes.data(), a.bytes.size());
  return out;
}

// Expects `f` to throw CheckpointError whose message contains every word of `words`.
template <class F>
void expect_checkpoint_error(F&& f, const std::vector<std::string>& words) {
  try {
    f();
    ADD_FAILURE() << "no CheckpointError";
  } catch (const CheckpointError& e) {
    const std::string message = e.what();
    for (const auto& w : words) {
      EXPECT_NE(message.find(w), std::string::npos) << "\"" << w << "\" not in: " << message;
    }
  }
}

void write_sample(const std::string& path, std::size_t floats = 16) {
  CheckpointWriter writer(path);
  std::vector<float> weights(floats);
  for (std::size_t i = 0; i < floats; ++i) weights[i] = 0.25f * static_cast<float>(i) - 1.0f;
  writer.put_array("params/fc1.weight", DType::Float32, {floats / 4, 4}, weights.data());
  writer.put_int("epoch", 3);
  writer.commit();
}

TEST(CheckpointFile, round_trips_arrays_strings_and_ints) {
  const std::string path = scratch("roundtrip.h5");
  const std::vector<float> f32 = {1.5f, -2.25f, 3.0f, 1e-30f, -0.0f, 7.0f};
  const std::vector<double> f64 = {0.1, 1e300};
  const std::vector<std::int64_t> i64 = {-1, 0, 9007199254740993LL};
  const std::vector<std::uint8_t> u8 = {0, 1, 255, 7};
  const double scalar = 2.5;
  {
    CheckpointWriter writer(path);
    EXPECT_EQ(writer.path(), path);
    EXPECT_TRUE(fs::exists(writer.temp_path()));
    writer.put_array("params/fc1.weight", DType::Float32, {2, 3}, f32.data());
    writer.put_array("params/fc1.bias", DType::Float64, {2}, f64.data());
    writer.put_array("a/b/c/ints", DType::Int64, {3}, i64.data());
    writer.put_array("optimizer/torch_archive", DType::UInt8, {4}, u8.data());
    writer.put_array("scalar", DType::Float64, {}, &scalar);
    writer.put_array("empty", DType::Float32, {0, 5}, nullptr);
    writer.put_string("model", "mlp");
    writer.put_string("hyperparameters/learning_rate", "0.001");
    writer.put_string("hyperparameters/units", "64");
    writer.put_int("epoch", 2);
    writer.put_int("params/count", -5);
    writer.commit();
    EXPECT_TRUE(writer.is_committed());
    EXPECT_FALSE(fs::exists(writer.temp_path()));
  }
  ASSERT_TRUE(fs::exists(path));

  CheckpointReader reader(path);
  EXPECT_EQ(reader.path(), path);
  const ArrayData w = reader.get_array("params/fc1.weight");
  EXPECT_EQ(w.dtype, DType::Float32);
  EXPECT_EQ(w.shape, (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(0, std::memcmp(w.bytes.data(), f32.data(), f32.size() * sizeof(float)));
  const ArrayData b = reader.get_array("params/fc1.bias");
  EXPECT_EQ(b.dtype, DType::Float64);
  EXPECT_EQ(from_bytes<double>(b), f64);
  const ArrayData ints = reader.get_array("a/b/c/ints");
  EXPECT_EQ(ints.dtype, DType::Int64);
  EXPECT_EQ(from_bytes<std::int64_t>(ints), i64);
  const ArrayData bytes = reader.get_array("optimizer/torch_archive");
  EXPECT_EQ(bytes.dtype, DType::UInt8);
  EXPECT_EQ(bytes.bytes, u8);
  const ArrayData s = reader.get_array("scalar");
  EXPECT_TRUE(s.shape.empty());
  EXPECT_EQ(s.element_count(), 1u);
  EXPECT_EQ(from_bytes<double>(s), std::vector<double>{scalar});
  const ArrayData e = reader.get_array("empty");
  EXPECT_EQ(e.shape, (std::vector<std::uint64_t>{0, 5}));
  EXPECT_TRUE(e.bytes.empty());

  EXPECT_EQ(reader.get_string("model"), "mlp");
  EXPECT_EQ(reader.get_string("hyperparameters/units"), "64");
  EXPECT_EQ(reader.get_int("epoch"), 2);
  EXPECT_EQ(reader.get_int("params/count"), -5);
  EXPECT_EQ(reader.get_string("rung_format"), kCheckpointFormat);
  EXPECT_EQ(reader.get_int("format_version"), kCheckpointFormatVersion);

  EXPECT_TRUE(reader.has("params"));
  EXPECT_TRUE(reader.has("params/fc1.weight"));
  EXPECT_TRUE(reader.has("hyperparameters/units"));
  EXPECT_TRUE(reader.has("epoch"));
  EXPECT_FALSE(reader.has("params/fc2.weight"));
  EXPECT_FALSE(reader.has("nothing/here/at/all"));
  EXPECT_FALSE(reader.has("epoch/below_an_attribute"));

  EXPECT_EQ(reader.list("params"), (std::vector<std::string>{"fc1.bias", "fc1.weight"}));
  EXPECT_EQ(reader.list(), (std::vector<std::string>{"a", "empty", "hyperparameters", "optimizer",
                                                     "params", "scalar"}));
  EXPECT_EQ(reader.list_attributes("hyperparameters"),
            (std::vector<std::string>{"learning_rate", "units"}));
  EXPECT_EQ(reader.list_attributes("/"),
            (std::vector<std::string>{"epoch", "format_version", "model", "rung_format"}));
}

TEST(CheckpointFile, missing_names_are_errors_naming_file_and_name) {
  const std::string path = scratch("names.h5");
  write_sample(path);
  CheckpointReader reader(path);
  expect_checkpoint_error([&] { (void)reader.get_array("params/fc9.weight"); },
                          {path, "params/fc9.weight", "missing"});
  expect_checkpoint_error([&] { (void)reader.get_array("nope/deeper"); }, {path, "nope/deeper"});
  expect_checkpoint_error([&] { (void)reader.get_string("model"); }, {path, "model", "missing"});
  expect_checkpoint_error([&] { (void)reader.get_int("params/fc1.weight"); },
                          {path, "params/fc1.weight"});
  expect_checkpoint_error([&] { (void)reader.get_array("epoch"); }, {path, "epoch"});
  expect_checkpoint_error([&] { (void)reader.get_string("epoch"); }, {path, "not a string"});
  expect_checkpoint_error([&] { (void)reader.list("nope"); }, {path, "nope"});
}

TEST(CheckpointWriter, leaves_no_file_when_never_committed) {
  const std::string path = scratch("uncommitted.h5");
  std::string temp;
  {
    CheckpointWriter writer(path);
    temp = writer.temp_path();
    EXPECT_EQ(temp, temp_name(path));
    const std::vector<float> data(100, 1.0f);
    writer.put_array("params/w", DType::Float32, {10, 10}, data.data());
    EXPECT_TRUE(fs::exists(temp));
    EXPECT_FALSE(fs::exists(path));
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(temp));
}

TEST(CheckpointWriter, keeps_the_old_checkpoint_until_commit_replaces_it) {
  const std::string path = scratch("replace.h5");
  write_sample(path);
  {
    CheckpointWriter writer(path);
    writer.put_int("epoch", 9);
    // Not committed: the old checkpoint is untouched.
  }
  EXPECT_EQ(CheckpointReader(path).get_int("epoch"), 3);
  {
    CheckpointWriter writer(path);
    writer.put_int("epoch", 9);
    writer.commit();
  }
  EXPECT_EQ(CheckpointReader(path).get_int("epoch"), 9);
}

TEST(CheckpointWriter, rejects_duplicates_bad_names_and_writes_after_commit) {
  const std::string path = scratch("dup.h5");
  CheckpointWriter writer(path);
  const float one = 1.0f;
  writer.put_array("params/w", DType::Float32, {1}, &one);
  expect_checkpoint_error([&] { writer.put_array("params/w", DType::Float32, {1}, &one); },
                          {"params/w", "twice"});
  expect_checkpoint_error([&] { writer.put_string("rung_format", "x"); }, {"twice"});
  expect_checkpoint_error([&] { writer.put_int("params/w/x", 1); }, {"not a group"});
  expect_checkpoint_error([&] { writer.put_int("", 1); }, {"bad name"});
  expect_checkpoint_error([&] { writer.put_int("a//b", 1); }, {"bad name"});
  writer.commit();
  expect_checkpoint_error([&] { writer.put_int("late", 1); }, {path, "committed"});
  expect_checkpoint_error([&] { writer.commit(); }, {path, "twice"});
}

TEST(CheckpointWriter, failing_commit_throws_and_removes_the_temporary) {
  const std::string path = scratch("is_a_directory.h5");
  fs::create_directories(fs::path(path) / "occupied");  // rename onto a non-empty dir fails
  std::string temp;
  {
    CheckpointWriter writer(path);
    temp = writer.temp_path();
    writer.put_int("epoch", 1);
    expect_checkpoint_error([&] { writer.commit(); }, {path, "renam"});
    EXPECT_FALSE(writer.is_committed());
  }
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_TRUE(fs::is_directory(path));
}

TEST(CheckpointWriter, cannot_create_in_a_missing_directory) {
  const std::string path = scratch("no_such_dir") + "/x.h5";
  expect_checkpoint_error([&] { CheckpointWriter writer(path); }, {path, "creating"});
}

TEST(CheckpointWriter, move_transfers_the_pending_file) {
  const std::string path = scratch("moved.h5");
  CheckpointWriter first(path);
  first.put_int("epoch", 4);
  CheckpointWriter second(std::move(first));
  second.commit();
  EXPECT_EQ(CheckpointReader(path).get_int("epoch"), 4);
}

TEST(CheckpointReader, refuses_a_missing_file) {
  const std::string path = scratch("missing.h5");
  expect_checkpoint_error([&] { CheckpointReader reader(path); }, {path, "no such file"});
}

TEST(CheckpointReader, refuses_a_text_file) {
  const std::string path = scratch("text.h5");
  std::ofstream(path) << "epoch: 3\nthis is not HDF5\n";
  expect_checkpoint_error([&] { CheckpointReader reader(path); }, {path, "not an HDF5 file"});
}

TEST(CheckpointReader, refuses_an_empty_file) {
  const std::string path = scratch("empty.h5");
  std::ofstream(path).close();
  expect_checkpoint_error([&] { CheckpointReader reader(path); }, {path, "not an HDF5 file"});
}

TEST(CheckpointReader, refuses_a_truncated_checkpoint) {
  const std::string full = scratch("full.h5");
  write_sample(full, 64 * 1024);  // 256 KiB of weights
  const std::string cut = scratch("truncated.h5");
  {
    std::ifstream in(full, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_GT(bytes.size(), 200000u);
    std::ofstream out(cut, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  }
  try {
    CheckpointReader reader(cut);
    // If HDF5 opened it at all, the data must not be readable.
    (void)reader.get_array("params/fc1.weight");
    ADD_FAILURE() << "truncated file read without error";
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find(cut), std::string::npos) << e.what();
  }
  // The intact original still reads.
  EXPECT_EQ(CheckpointReader(full).get_int("epoch"), 3);
}

// A real checkpoint with `from` replaced by `to` (same length) in its bytes: still a valid
// HDF5 file (the default file format has no checksums on these structures), but a foreign one.
std::string patched_checkpoint(const std::string& name, const std::string& from,
                               const std::string& to) {
  const std::string path = scratch(name);
  write_sample(path);
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  const auto at = bytes.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) bytes.replace(at, from.size(), to);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  return path;
}

TEST(CheckpointReader, refuses_hdf5_files_without_the_rung_markers) {
  const std::string no_format = patched_checkpoint("no_format.h5", "rung_format", "xung_format");
  expect_checkpoint_error([&] { CheckpointReader reader(no_format); },
                          {no_format, "foreign HDF5 file", "rung_format"});
  const std::string other = patched_checkpoint("other.h5", "rung-checkpoint", "rung-results-xx");
  expect_checkpoint_error([&] { CheckpointReader reader(other); },
                          {other, "foreign HDF5 file", "rung-results-xx"});
  const std::string no_version =
      patched_checkpoint("no_version.h5", "format_version", "format_versioX");
  expect_checkpoint_error([&] { CheckpointReader reader(no_version); },
                          {no_version, "foreign HDF5 file", "format_version"});
}

TEST(CheckpointReader, refuses_a_foreign_hdf5_file) {
#ifdef RUNG_TEST_HAS_H5CPP
  const std::string path = scratch("foreign.h5");
  {
    H5::H5File file(path, H5F_ACC_TRUNC);
    const hsize_t n = 3;
    const double values[3] = {1, 2, 3};
    H5::DataSet ds = file.createDataSet("data", H5::PredType::NATIVE_DOUBLE, H5::DataSpace(1, &n));
    ds.write(values, H5::PredType::NATIVE_DOUBLE);
  }
  expect_checkpoint_error([&] { CheckpointReader reader(path); },
                          {path, "foreign HDF5 file", "rung_format"});

  const std::string other = scratch("other_format.h5");
  {
    H5::H5File file(other, H5F_ACC_TRUNC);
    H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
    H5::Group root = file.openGroup("/");
    root.createAttribute("rung_format", type, H5::DataSpace(H5S_SCALAR))
        .write(type, std::string("rung-results"));
  }
  expect_checkpoint_error([&] { CheckpointReader reader(other); },
                          {other, "foreign HDF5 file", "rung-results"});

  const std::string future = scratch("future_version.h5");
  {
    H5::H5File file(future, H5F_ACC_TRUNC);
    H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
    H5::Group root = file.openGroup("/");
    root.createAttribute("rung_format", type, H5::DataSpace(H5S_SCALAR))
        .write(type, std::string(kCheckpointFormat));
    const std::int64_t version = 2;
    root.createAttribute("format_version", H5::PredType::STD_I64LE, H5::DataSpace(H5S_SCALAR))
        .write(H5::PredType::NATIVE_INT64, &version);
  }
  expect_checkpoint_error([&] { CheckpointReader reader(future); },
                          {future, "foreign HDF5 file", "format_version is 2"});
#else
  // The patched files above cover the same refusals without HDF5's headers.
  GTEST_SKIP() << "ckpt_tests is built without HDF5's headers (link it with rung_hdf5)";
#endif
}

}  // namespace
}  // namespace rung
