// HDF5 files whose shapes say more than they hold: the readers of checkpoints, results.h5 and
// curve tables check a dataset's rank and extent before they size a buffer for HDF5 to fill,
// and refuse, naming the file, what they once overflowed. Found by tests/fuzz (whose corpora
// hold the same files as regress_*.h5, written by tests/fuzz/make_seeds.cpp).
#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "rung/ckpt/checkpoint_file.hpp"
#include "rung/ckpt/curve_table_file.hpp"
#include "rung/ckpt/results_file.hpp"
#include "rung/config/error.hpp"

namespace fs = std::filesystem;

namespace rung {
namespace {

std::string scratch(const std::string& name) {
  const fs::path dir = fs::path(RUNG_TEST_TMP) / "ckpt_damaged";
  fs::create_directories(dir);
  const fs::path path = dir / name;
  fs::remove_all(path);
  return path.string();
}

const char* const kFour[4] = {"a", "b", "c", "d"};

template <class F>
void expect_refused(F&& read, const std::string& path, const std::string& words) {
  try {
    read();
    ADD_FAILURE() << path << " was read";
  } catch (const CheckpointError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find(words), std::string::npos) << message;
  }
}

TEST(DamagedShapes, results_names_with_two_dimensions_are_refused) {
  const std::string path = scratch("results.h5");
  {
    H5::H5File file(path, H5F_ACC_TRUNC);
    H5::StrType str(H5::PredType::C_S1, H5T_VARIABLE);
    file.createAttribute("rung_format", str, H5::DataSpace(H5S_SCALAR))
        .write(str, std::string("rung-results"));
    for (const char* name : {"job_name", "objective_metric"}) {
      file.createAttribute(name, str, H5::DataSpace(H5S_SCALAR)).write(str, std::string("x"));
    }
    const hsize_t dims[2] = {2, 2};
    file.createGroup("trials").createDataSet("name", str, H5::DataSpace(2, dims)).write(kFour, str);
  }
  expect_refused([&] { (void)read_results_h5(path); }, path, "name has 2 dimensions, expected 1");
}

TEST(DamagedShapes, curve_table_config_names_with_two_dimensions_are_refused) {
  const std::string path = scratch("curves.h5");
  {
    H5::H5File file(path, H5F_ACC_TRUNC);
    H5::StrType str(H5::PredType::C_S1, H5T_VARIABLE);
    const hsize_t dims[2] = {2, 2};
    file.createGroup("1").createDataSet("config_names", str, H5::DataSpace(2, dims))
        .write(kFour, str);
  }
  expect_refused([&] { (void)read_curve_table(path, "1"); }, path, "has 2 dimensions");
}

TEST(DamagedShapes, a_checkpoint_string_attribute_holding_several_strings_is_refused) {
  const std::string path = scratch("checkpoint.h5");
  {
    H5::H5File file(path, H5F_ACC_TRUNC);
    H5::StrType str(H5::PredType::C_S1, H5T_VARIABLE);
    const hsize_t n = 4;
    file.createAttribute("rung_format", str, H5::DataSpace(1, &n)).write(str, kFour);
  }
  expect_refused([&] { CheckpointReader reader(path); }, path, "rung_format is not a string");
}

TEST(DamagedShapes, a_dataset_claiming_more_than_the_file_holds_is_refused) {
  const std::string path = scratch("big.h5");
  {
    CheckpointWriter writer(path);
    writer.commit();
  }
  {
    // Declared 2^40 float32 elements, never written: its extent is all the file says.
    H5::H5File file(path, H5F_ACC_RDWR);
    const hsize_t dims[1] = {hsize_t{1} << 40};
    H5::DSetCreatPropList plist;
    plist.setAllocTime(H5D_ALLOC_TIME_LATE);
    file.createDataSet("huge", H5::PredType::NATIVE_FLOAT, H5::DataSpace(1, dims), plist);
  }
  const CheckpointReader reader(path);
  expect_refused([&] { (void)reader.get_array("huge"); }, path, "claims");
}

}  // namespace
}  // namespace rung
