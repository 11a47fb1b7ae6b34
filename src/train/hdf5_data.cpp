// Reads a data set's arrays from one HDF5 file with HDF5's C++ API. Every HDF5 call runs
// inside h5_call(), under the process-wide HDF5 lock that checkpoints and results files also
// take (trainers in threads of one process share HDF5), with HDF5's failures turned into an
// InputError naming the file, what was being read and HDF5's message.
#include "rung/train/hdf5_data.hpp"

#include <H5Cpp.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <sstream>
#include <utility>

#include "../ckpt/hdf5_lock.hpp"
#include "rung/config/error.hpp"

namespace rung {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void refuse_file(const std::string& path, const std::string& why) {
  throw InputError("data file " + path + ": " + why);
}

template <class F>
auto h5_call(const std::string& path, const std::string& what, F&& f) -> decltype(f()) {
  const std::lock_guard<std::mutex> lock(detail::hdf5_mutex());
  try {
    H5::Exception::dontPrint();
    return f();
  } catch (const H5::Exception& e) {
    std::string message = e.getDetailMsg();
    if (!e.getFuncName().empty()) message = e.getFuncName() + ": " + message;
    refuse_file(path, what + ": " + message);
  }
}

std::string shape_string(const std::vector<std::int64_t>& shape) {
  std::ostringstream out;
  out << '[';
  for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << ']';
  return out.str();
}

// The datasets at the file's root (and one level into its groups), for "it has: ..." hints.
std::string list_datasets(const H5::H5File& file) {
  std::string names;
  const H5::Group root = file.openGroup("/");
  for (hsize_t i = 0; i < root.getNumObjs(); ++i) {
    const std::string name = root.getObjnameByIdx(i);
    if (root.childObjType(name) == H5O_TYPE_DATASET) {
      names += (names.empty() ? "" : ", ") + name;
    } else if (root.childObjType(name) == H5O_TYPE_GROUP) {
      const H5::Group group = root.openGroup(name);
      for (hsize_t j = 0; j < group.getNumObjs(); ++j) {
        const std::string inner = group.getObjnameByIdx(j);
        if (group.childObjType(inner) == H5O_TYPE_DATASET) {
          names += (names.empty() ? "" : ", ") + name + "/" + inner;
        }
      }
    }
  }
  return names.empty() ? "no datasets" : "it has: " + names;
}

// Whether `name` ("a/b/c") is a link in the file, checking each level (HDF5's H5Lexists
// fails rather than answering when an intermediate group is missing).
bool has_link(const H5::H5File& file, const std::string& name) {
  std::string prefix;
  std::istringstream in(name);
  std::string part;
  while (std::getline(in, part, '/')) {
    if (part.empty()) continue;
    prefix += (prefix.empty() ? "" : "/") + part;
    if (!file.nameExists(prefix)) return false;
  }
  return !prefix.empty();
}

enum class Role { Inputs, Targets };

SampleArray read_array(const H5::H5File& file, const std::string& path, const std::string& field,
                       const std::string& name, Role role, std::int64_t limit) {
  auto refuse = [&](const std::string& why) {
    refuse_file(path, "dataset \"" + name + "\" (dataset." + field + "): " + why);
  };
  if (!has_link(file, name)) {
    refuse_file(path, "has no dataset \"" + name + "\" (dataset." + field + "; " +
                          list_datasets(file) + ")");
  }
  if (file.childObjType(name) != H5O_TYPE_DATASET) {
    refuse("is a group, not a dataset; name the dataset inside it");
  }
  const H5::DataSet dataset = file.openDataSet(name);
  SampleArray out;
  out.name = name;
  const H5T_class_t type_class = dataset.getTypeClass();
  const std::size_t bits = dataset.getDataType().getSize() * 8;
  if (type_class == H5T_FLOAT) {
    out.stored_type = "float" + std::to_string(bits);
  } else if (type_class == H5T_INTEGER) {
    const bool is_signed = dataset.getIntType().getSign() != H5T_SGN_NONE;
    out.stored_type = (is_signed ? "int" : "uint") + std::to_string(bits);
    out.is_integer = true;
  } else {
    refuse("holds neither numbers nor integers (HDF5 type class " + std::to_string(type_class) +
           ", e.g. strings, booleans or compounds); store " +
           (role == Role::Inputs ? std::string("float32 inputs")
                                 : std::string("int64 class ids or float32 targets")));
  }
  if (role == Role::Inputs && out.is_integer) {
    refuse("is " + out.stored_type +
           "; inputs must be float32 or float64 (convert them, e.g. images as x / 255.0 in "
           "float32)");
  }

  const H5::DataSpace space = dataset.getSpace();
  const int rank = space.getSimpleExtentNdims();
  const int min_rank = role == Role::Inputs ? 2 : 1;
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  if (rank > 0) space.getSimpleExtentDims(dims.data());
  for (auto d : dims) out.shape.push_back(static_cast<std::int64_t>(d));
  if (rank < min_rank) {
    refuse("has shape " + shape_string(out.shape) + "; " +
           (role == Role::Inputs
                ? "inputs need rank >= 2: [samples, features...]"
                : "targets need rank >= 1: [samples] (class ids) or [samples, values...]"));
  }
  if (dims[0] == 0) refuse("has no samples (shape " + shape_string(out.shape) + ")");

  // Only the first `limit` samples: a hyperslab of whole rows.
  if (limit > 0 && static_cast<hsize_t>(limit) < dims[0]) dims[0] = static_cast<hsize_t>(limit);
  out.shape[0] = static_cast<std::int64_t>(dims[0]);
  std::size_t count = 1;
  for (auto d : dims) count *= static_cast<std::size_t>(d);
  const H5::DataSpace memory(rank, dims.data());
  H5::DataSpace selection = dataset.getSpace();
  const std::vector<hsize_t> origin(dims.size(), 0);
  selection.selectHyperslab(H5S_SELECT_SET, dims.data(), origin.data());
  if (out.is_integer) {
    out.integers.resize(count);
    if (count > 0) dataset.read(out.integers.data(), H5::PredType::NATIVE_INT64, memory, selection);
  } else {
    out.floats.resize(count);
    if (count > 0) dataset.read(out.floats.data(), H5::PredType::NATIVE_FLOAT, memory, selection);
  }
  return out;
}

std::vector<std::int64_t> per_sample(const SampleArray& a) {
  return {a.shape.begin() + 1, a.shape.end()};
}

}  // namespace

void refuse_sample_array(const std::string& path, const SampleArray& array,
                         const std::string& why) {
  refuse_file(path, "dataset \"" + array.name + "\": " + why);
}

Hdf5Dataset load_hdf5_dataset(const DatasetSpec& spec) {
  if (spec.kind != "hdf5") {
    throw InputError("dataset.kind is \"" + spec.kind + "\", not hdf5");
  }
  const std::string& path = spec.path;
  std::error_code ec;
  if (path.empty()) throw InputError("dataset.path is empty; name the HDF5 file");
  if (!fs::exists(path, ec)) {
    refuse_file(path, "does not exist (dataset.path; relative paths start in " +
                          fs::current_path(ec).string() + ")");
  }
  if (fs::is_directory(path, ec)) refuse_file(path, "is a directory; name the HDF5 file");
  Hdf5Dataset out;
  out.path = path;
  h5_call(path, "reading", [&] {
    if (!H5::H5File::isHdf5(path)) refuse_file(path, "is not an HDF5 file");
    const H5::H5File file(path, H5F_ACC_RDONLY);
    out.x_train = read_array(file, path, "x_train", spec.x_train, Role::Inputs, spec.train_subset);
    out.y_train = read_array(file, path, "y_train", spec.y_train, Role::Targets, spec.train_subset);
    out.x_val = read_array(file, path, "x_val", spec.x_val, Role::Inputs, spec.test_subset);
    out.y_val = read_array(file, path, "y_val", spec.y_val, Role::Targets, spec.test_subset);
  });

  auto mismatch = [&](const SampleArray& a, const SampleArray& b, const std::string& rule) {
    refuse_file(path, "dataset \"" + a.name + "\" has shape " + shape_string(a.shape) +
                          " and dataset \"" + b.name + "\" has shape " + shape_string(b.shape) +
                          "; " + rule);
  };
  for (const auto* split : {&out.x_train, &out.x_val}) {
    const SampleArray& x = *split;
    const SampleArray& y = split == &out.x_train ? out.y_train : out.y_val;
    if (x.samples() != y.samples()) {
      mismatch(x, y,
               "inputs and targets of a split need the same number of samples (the first "
               "dimension)");
    }
  }
  if (per_sample(out.x_train) != per_sample(out.x_val)) {
    mismatch(out.x_train, out.x_val,
             "training and validation inputs need the same shape per sample (all but the "
             "first dimension)");
  }
  if (per_sample(out.y_train) != per_sample(out.y_val)) {
    mismatch(out.y_train, out.y_val,
             "training and validation targets need the same shape per sample (all but the "
             "first dimension)");
  }
  if (out.y_train.is_integer != out.y_val.is_integer) {
    refuse_file(path, "dataset \"" + out.y_train.name + "\" is " + out.y_train.stored_type +
                          " and dataset \"" + out.y_val.name + "\" is " + out.y_val.stored_type +
                          "; targets must be integers in both splits or floats in both");
  }
  return out;
}

std::shared_ptr<const Hdf5Dataset> shared_hdf5_dataset(const DatasetSpec& spec) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const Hdf5Dataset>> cache;
  const std::string key = describe_hdf5_dataset(spec);
  const std::lock_guard<std::mutex> lock(mutex);
  auto& slot = cache[key];
  if (!slot) {
    try {
      slot = std::make_shared<const Hdf5Dataset>(load_hdf5_dataset(spec));
    } catch (...) {
      cache.erase(key);
      throw;
    }
  }
  return slot;
}

std::string describe_hdf5_dataset(const DatasetSpec& spec) {
  return "kind=" + spec.kind + " path=" + spec.path + " x_train=" + spec.x_train +
         " y_train=" + spec.y_train + " x_val=" + spec.x_val + " y_val=" + spec.y_val +
         " train_subset=" + std::to_string(spec.train_subset) +
         " test_subset=" + std::to_string(spec.test_subset);
}

}  // namespace rung
