#include "rung/ckpt/weight_file.hpp"

#include <H5Cpp.h>

#include <filesystem>

#include "hdf5_call.hpp"
#include "rung/config/error.hpp"

namespace rung {

std::map<std::string, WeightArray> read_weight_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw CheckpointError("weight file " + path + " does not exist");
  }
  const std::string subject = "weight file " + path;
  const std::uintmax_t file_size = std::filesystem::file_size(path, ec);
  return detail::h5_call(subject, "reading", [&] {
    if (!H5::H5File::isHdf5(path)) {
      throw CheckpointError(subject + ": not an HDF5 file (no HDF5 signature)");
    }
    const H5::H5File file(path, H5F_ACC_RDONLY);
    std::map<std::string, WeightArray> out;
    for (hsize_t i = 0; i < file.getNumObjs(); ++i) {
      if (file.getObjTypeByIdx(i) != H5G_DATASET) continue;
      const std::string name = file.getObjnameByIdx(i);
      const H5::DataSet ds = file.openDataSet(name);
      const H5T_class_t type = ds.getTypeClass();
      if (type != H5T_FLOAT && type != H5T_INTEGER) {
        throw CheckpointError(subject + ": dataset " + name + " is not numeric");
      }
      const detail::CheckedExtent extent =
          detail::checked_extent(subject, "dataset " + name, ds, file_size, -1);
      WeightArray& array = out[name];
      array.shape.assign(extent.dims.begin(), extent.dims.end());
      array.values.resize(static_cast<std::size_t>(extent.elements));
      ds.read(array.values.data(), H5::PredType::NATIVE_FLOAT);
    }
    return out;
  });
}

}  // namespace rung
