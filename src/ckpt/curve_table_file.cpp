#include "rung/ckpt/curve_table_file.hpp"

#include <H5Cpp.h>

#include <filesystem>

#include "hdf5_call.hpp"
#include "rung/config/error.hpp"

namespace rung {
namespace {

// What the reader checks its datasets against (hdf5_call.hpp's checked_extent).
struct Source {
  std::string subject;  // "curve table <path>, task <task>"
  std::uintmax_t file_size = 0;
};

std::vector<std::string> read_names(const Source& source, const H5::DataSet& ds) {
  H5::DataSpace space = ds.getSpace();
  if (ds.getTypeClass() != H5T_STRING) {
    throw CheckpointError(source.subject + ": config_names is not a string dataset");
  }
  const hsize_t n =
      detail::checked_extent(source.subject, "config_names", ds, source.file_size, 1).elements;
  std::vector<std::string> out;
  H5::StrType type = ds.getStrType();
  if (type.isVariableStr()) {
    std::vector<char*> raw(n, nullptr);
    ds.read(raw.data(), type);
    for (char* s : raw) out.emplace_back(s != nullptr ? s : "");
    H5Dvlen_reclaim(type.getId(), space.getId(), H5P_DEFAULT, raw.data());
    return out;
  }
  const std::size_t width = type.getSize();
  std::vector<char> buffer(n * width, '\0');
  ds.read(buffer.data(), type);
  for (hsize_t i = 0; i < n; ++i) {
    std::string s(buffer.data() + i * width, width);
    s.erase(s.find_last_not_of(std::string(" \0", 2)) + 1);
    out.push_back(s);
  }
  return out;
}

// A 2-D numeric dataset as doubles, row-major; rows and cols set from its shape.
std::vector<double> read_matrix(const Source& source, const std::string& name,
                                const H5::DataSet& ds, hsize_t& rows, hsize_t& cols) {
  if (ds.getSpace().getSimpleExtentNdims() != 2) return {};
  const detail::CheckedExtent extent =
      detail::checked_extent(source.subject, name, ds, source.file_size, 2);
  rows = extent.dims[0];
  cols = extent.dims[1];
  std::vector<double> out(extent.elements);
  ds.read(out.data(), H5::PredType::NATIVE_DOUBLE);
  return out;
}

}  // namespace

CurveTable read_curve_table(const std::string& path, const std::string& task) {
  if (!std::filesystem::exists(path)) {
    throw CheckpointError("curve table " + path + " does not exist");
  }
  CurveTable out;
  out.task = task;
  std::error_code ec;
  const Source source{"curve table " + path + ", task " + task,
                      std::filesystem::file_size(path, ec)};
  detail::h5_call("curve table " + path, "reading task " + task, [&] {
    H5::H5File file(path, H5F_ACC_RDONLY);
    if (!file.nameExists(task)) {
      std::string tasks;
      for (hsize_t i = 0; i < file.getNumObjs(); ++i) {
        tasks += (tasks.empty() ? "" : ", ") + file.getObjnameByIdx(i);
      }
      throw CheckpointError("curve table " + path + " has no task " + task + " (it has " +
                            tasks + ")");
    }
    H5::Group group = file.openGroup(task);
    out.config_names = read_names(source, group.openDataSet("config_names"));
    hsize_t rows = 0, cols = 0;
    out.configs = read_matrix(source, "configs", group.openDataSet("configs"), rows, cols);
    if (cols != out.config_names.size() || rows == 0) {
      throw CheckpointError("curve table " + path + ", task " + task +
                            ": configs does not match config_names");
    }
    out.num_configs = static_cast<int>(rows);
    for (hsize_t i = 0; i < group.getNumObjs(); ++i) {
      const std::string name = group.getObjnameByIdx(i);
      if (name == "configs" || group.getObjTypeByIdx(i) != H5G_DATASET) continue;
      H5::DataSet ds = group.openDataSet(name);
      if (ds.getTypeClass() != H5T_FLOAT || ds.getSpace().getSimpleExtentNdims() != 2) continue;
      hsize_t r = 0, c = 0;
      std::vector<double> m = read_matrix(source, name, ds, r, c);
      if (r != rows) continue;
      out.num_epochs = static_cast<int>(c);
      if (name == "time") {
        out.cumulative_time_s = std::move(m);
      } else {
        out.metrics[name] = std::move(m);
      }
    }
    if (out.cumulative_time_s.empty() || out.metrics.empty()) {
      throw CheckpointError("curve table " + path + ", task " + task +
                            ": needs a time dataset and at least one metric");
    }
  });
  return out;
}

}  // namespace rung
