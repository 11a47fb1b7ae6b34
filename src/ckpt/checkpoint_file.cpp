// HDF5 side of rung's checkpoint files. Every HDF5 call runs inside h5_call(), which holds
// the process-wide HDF5 lock and turns an H5::Exception into a CheckpointError carrying the
// file, what was being done and HDF5's own message (read from its error stack).
#include "rung/ckpt/checkpoint_file.hpp"

#include <H5Cpp.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <system_error>
#include <utility>

#include "hdf5_call.hpp"
#include "hdf5_lock.hpp"
#include "rung/config/error.hpp"

namespace rung {
namespace {

namespace fs = std::filesystem;

using detail::hdf5_mutex;

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw CheckpointError("checkpoint " + file + ": " + what);
}

// Every HDF5 call of this file: rung's one HDF5 wrapper (hdf5_call.hpp), naming the checkpoint.
template <class F>
auto h5_call(const std::string& file, const std::string& what, F&& f) -> decltype(f()) {
  return detail::h5_call("checkpoint " + file, what, std::forward<F>(f));
}

// Releases HDF5 handles under the lock. Never throws.
template <class T>
void release(std::unique_ptr<T>& impl) noexcept {
  if (!impl) return;
  try {
    std::lock_guard<std::mutex> lock(hdf5_mutex());
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    impl.reset();
  } catch (...) {
  }
}

// "a/b/c" -> {"a", "b", "c"}; rejects empty names and empty or "."/".." components.
std::vector<std::string> split_name(const std::string& file, const std::string& name) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(name);
  while (std::getline(in, part, '/')) parts.push_back(part);
  if (!name.empty() && name.back() == '/') parts.emplace_back();
  const bool bad = parts.empty() || std::any_of(parts.begin(), parts.end(), [](const auto& p) {
                     return p.empty() || p == "." || p == "..";
                   });
  if (bad) fail(file, "bad name \"" + name + "\" (want '/'-separated non-empty parts)");
  return parts;
}

std::vector<std::string> split_group(const std::string& file, const std::string& group) {
  if (group.empty() || group == "/") return {};
  return split_name(file, group.front() == '/' ? group.substr(1) : group);
}

std::string join(const std::vector<std::string>& parts, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += '/';
    out += parts[i];
  }
  return out;
}

const H5::PredType& native_type(DType dtype) {
  switch (dtype) {
    case DType::Float32:
      return H5::PredType::NATIVE_FLOAT;
    case DType::Float64:
      return H5::PredType::NATIVE_DOUBLE;
    case DType::Int64:
      return H5::PredType::NATIVE_INT64;
    case DType::UInt8:
      return H5::PredType::NATIVE_UINT8;
  }
  return H5::PredType::NATIVE_UINT8;
}

H5::StrType string_type() {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  return type;
}

bool link_exists(const H5::Group& group, const std::string& name) { return group.nameExists(name); }

bool is_group(const H5::Group& parent, const std::string& name) {
  return parent.childObjType(name) == H5O_TYPE_GROUP;
}

// Flushes a closed file's data to the disk (HDF5's close only hands it to the kernel).
void fsync_path(const std::string& path, bool directory) {
  const int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0) {
    if (directory) return;  // best effort: some file systems do not open directories
    throw std::system_error(errno, std::generic_category(), "open " + path);
  }
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (rc != 0 && !directory) throw std::system_error(saved, std::generic_category(), "fsync");
}

const std::string& empty_string() {
  static const std::string empty;
  return empty;
}

}  // namespace

const char* to_string(DType dtype) {
  switch (dtype) {
    case DType::Float32:
      return "float32";
    case DType::Float64:
      return "float64";
    case DType::Int64:
      return "int64";
    case DType::UInt8:
      return "uint8";
  }
  return "?";
}

std::size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::Float32:
      return 4;
    case DType::Float64:
      return 8;
    case DType::Int64:
      return 8;
    case DType::UInt8:
      return 1;
  }
  return 1;
}

std::uint64_t ArrayData::element_count() const {
  std::uint64_t count = 1;
  for (auto d : shape) count *= d;
  return count;
}

// ---------------------------------------------------------------------------------------------
// Writer

struct CheckpointWriter::Impl {
  std::string final_path;
  std::string temp_path;
  H5::H5File file;
  bool is_open = false;
  bool committed = false;

  // The group that holds `parts[0..n-1]`, created as needed. Called under the lock.
  H5::Group group_for(const std::vector<std::string>& parts, std::size_t depth) {
    H5::Group group = file.openGroup("/");
    for (std::size_t i = 0; i < depth; ++i) {
      if (link_exists(group, parts[i])) {
        if (!is_group(group, parts[i])) {
          fail(temp_path, "\"" + join(parts, i + 1) + "\" exists and is not a group");
        }
        group = group.openGroup(parts[i]);
      } else {
        group = group.createGroup(parts[i]);
      }
    }
    return group;
  }

  void require_open(const std::string& name) const {
    if (committed || !is_open) {
      fail(final_path, "cannot write \"" + name + "\": the writer is already committed or closed");
    }
  }

  template <class Write>
  void put_attribute(const std::string& name, Write&& write) {
    require_open(name);
    const auto parts = split_name(temp_path, name);
    h5_call(temp_path, "writing attribute \"" + name + "\"", [&] {
      H5::Group group = group_for(parts, parts.size() - 1);
      if (group.attrExists(parts.back())) fail(temp_path, "\"" + name + "\" written twice");
      write(group, parts.back());
    });
  }

  // Removes the temporary; used by the destructor and a failed commit. Never throws.
  void discard() noexcept {
    try {
      std::lock_guard<std::mutex> lock(hdf5_mutex());
      H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
      if (is_open) file.close();
    } catch (...) {
    }
    is_open = false;
    std::error_code ec;
    fs::remove(temp_path, ec);
  }
};

CheckpointWriter::CheckpointWriter(std::string final_path) : impl_(std::make_unique<Impl>()) {
  impl_->final_path = std::move(final_path);
  impl_->temp_path = impl_->final_path + ".tmp." + std::to_string(::getpid());
  Impl& impl = *impl_;
  h5_call(impl.temp_path, "creating", [&] {
    H5::FileAccPropList access;
    // Close everything with the file, so commit() really has a closed file to rename.
    access.setFcloseDegree(H5F_CLOSE_STRONG);
    impl.file = H5::H5File(impl.temp_path, H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, access);
    impl.is_open = true;
  });
  try {
    put_string("rung_format", kCheckpointFormat);
    put_int("format_version", kCheckpointFormatVersion);
  } catch (...) {
    impl_->discard();
    release(impl_);
    throw;
  }
}

CheckpointWriter::~CheckpointWriter() noexcept {
  if (impl_ && !impl_->committed) impl_->discard();
  release(impl_);
}

CheckpointWriter::CheckpointWriter(CheckpointWriter&& other) noexcept = default;

CheckpointWriter& CheckpointWriter::operator=(CheckpointWriter&& other) noexcept {
  if (this != &other) {
    CheckpointWriter old(std::move(*this));  // discards this writer's temporary, if any
    impl_ = std::move(other.impl_);
  }
  return *this;
}

void CheckpointWriter::put_array(const std::string& name, DType dtype,
                                 const std::vector<std::uint64_t>& shape, const void* data) {
  if (!impl_) throw CheckpointError("checkpoint: write to a moved-from writer");
  Impl& impl = *impl_;
  impl.require_open(name);
  const auto parts = split_name(impl.temp_path, name);
  std::uint64_t count = 1;
  for (auto d : shape) count *= d;
  if (data == nullptr && count > 0) fail(impl.temp_path, "no data for \"" + name + "\"");
  h5_call(impl.temp_path, "writing dataset \"" + name + "\"", [&] {
    H5::Group group = impl.group_for(parts, parts.size() - 1);
    if (link_exists(group, parts.back()) || group.attrExists(parts.back())) {
      fail(impl.temp_path, "\"" + name + "\" written twice");
    }
    std::vector<hsize_t> dims(shape.begin(), shape.end());
    H5::DataSpace space = dims.empty() ? H5::DataSpace(H5S_SCALAR)
                                       : H5::DataSpace(static_cast<int>(dims.size()), dims.data());
    const H5::PredType& type = native_type(dtype);
    H5::DataSet dataset = group.createDataSet(parts.back(), type, space);
    if (count > 0) dataset.write(data, type);
  });
}

void CheckpointWriter::put_string(const std::string& name, const std::string& value) {
  if (!impl_) throw CheckpointError("checkpoint: write to a moved-from writer");
  impl_->put_attribute(name, [&](H5::Group& group, const std::string& attr_name) {
    H5::StrType type = string_type();
    H5::Attribute attr = group.createAttribute(attr_name, type, H5::DataSpace(H5S_SCALAR));
    attr.write(type, value);
  });
}

void CheckpointWriter::put_int(const std::string& name, std::int64_t value) {
  if (!impl_) throw CheckpointError("checkpoint: write to a moved-from writer");
  impl_->put_attribute(name, [&](H5::Group& group, const std::string& attr_name) {
    H5::Attribute attr =
        group.createAttribute(attr_name, H5::PredType::STD_I64LE, H5::DataSpace(H5S_SCALAR));
    attr.write(H5::PredType::NATIVE_INT64, &value);
  });
}

void CheckpointWriter::commit() {
  if (!impl_) throw CheckpointError("checkpoint: commit of a moved-from writer");
  Impl& impl = *impl_;
  if (impl.committed) fail(impl.final_path, "committed twice");
  if (!impl.is_open) fail(impl.final_path, "commit after a failed write");
  try {
    h5_call(impl.temp_path, "closing", [&] {
      impl.file.flush(H5F_SCOPE_GLOBAL);
      impl.file.close();
      impl.is_open = false;
    });
    try {
      fsync_path(impl.temp_path, false);
    } catch (const std::system_error& e) {
      fail(impl.temp_path, std::string("flushing to disk: ") + e.what());
    }
    std::error_code ec;
    fs::rename(impl.temp_path, impl.final_path, ec);
    if (ec) {
      fail(impl.final_path, "renaming " + impl.temp_path + " into place: " + ec.message());
    }
  } catch (...) {
    impl.discard();
    throw;
  }
  impl.committed = true;
  // Make the rename itself durable.
  const fs::path parent = fs::path(impl.final_path).parent_path();
  fsync_path(parent.empty() ? std::string(".") : parent.string(), true);
}

const std::string& CheckpointWriter::path() const noexcept {
  return impl_ ? impl_->final_path : empty_string();
}

const std::string& CheckpointWriter::temp_path() const noexcept {
  return impl_ ? impl_->temp_path : empty_string();
}

bool CheckpointWriter::is_committed() const noexcept { return impl_ && impl_->committed; }

// ---------------------------------------------------------------------------------------------
// Reader

struct CheckpointReader::Impl {
  std::string path;
  H5::H5File file;
  std::uintmax_t file_size = 0;  // bounds what a dataset may claim (checked_extent)

  // Walks to the group named by `parts[0..depth-1]`; false when a part is missing or is not a
  // group. Called under the lock.
  bool find_group(const std::vector<std::string>& parts, std::size_t depth, H5::Group& out) const {
    H5::Group group = file.openGroup("/");
    for (std::size_t i = 0; i < depth; ++i) {
      if (!link_exists(group, parts[i]) || !is_group(group, parts[i])) return false;
      group = group.openGroup(parts[i]);
    }
    out = group;
    return true;
  }

  H5::Group parent_or_fail(const std::vector<std::string>& parts, const std::string& name) const {
    H5::Group group;
    if (!find_group(parts, parts.size() - 1, group)) fail(path, "\"" + name + "\" is missing");
    return group;
  }

  H5::Attribute attribute_or_fail(const std::string& name) const {
    const auto parts = split_name(path, name);
    H5::Group group = parent_or_fail(parts, name);
    if (!group.attrExists(parts.back())) {
      const bool is_dataset = link_exists(group, parts.back());
      fail(path, "\"" + name + "\" is " + (is_dataset ? "not an attribute" : "missing"));
    }
    return group.openAttribute(parts.back());
  }
};

CheckpointReader::CheckpointReader(std::string path) : impl_(std::make_unique<Impl>()) {
  impl_->path = std::move(path);
  try {
    open_and_check();
  } catch (...) {
    release(impl_);
    throw;
  }
}

void CheckpointReader::open_and_check() {
  Impl& impl = *impl_;
  std::error_code ec;
  const auto status = fs::status(impl.path, ec);
  if (!fs::exists(status)) fail(impl.path, "no such file");
  if (!fs::is_regular_file(status)) fail(impl.path, "not a regular file");
  impl.file_size = fs::file_size(impl.path, ec);
  const bool is_hdf5 = h5_call(impl.path, "checking the file signature",
                               [&] { return H5::H5File::isHdf5(impl.path); });
  if (!is_hdf5) fail(impl.path, "not an HDF5 file (no HDF5 signature: truncated, corrupt or text)");
  h5_call(impl.path, "opening (truncated or corrupt HDF5 file?)",
          [&] { impl.file = H5::H5File(impl.path, H5F_ACC_RDONLY); });
  const std::string expected = std::string("rung_format \"") + kCheckpointFormat + "\"";
  if (!has("rung_format")) {
    fail(impl.path, "foreign HDF5 file: no root attribute " + expected + "; not a rung checkpoint");
  }
  std::string format;
  try {
    format = get_string("rung_format");
  } catch (const CheckpointError&) {
    fail(impl.path,
         "foreign HDF5 file: root attribute rung_format is not a string; expected " + expected);
  }
  if (format != kCheckpointFormat) {
    fail(impl.path, "foreign HDF5 file: rung_format is \"" + format + "\", expected \"" +
                        kCheckpointFormat + "\"");
  }
  std::int64_t version = 0;
  try {
    version = get_int("format_version");
  } catch (const CheckpointError&) {
    fail(impl.path, "foreign HDF5 file: no integer root attribute format_version");
  }
  if (version != kCheckpointFormatVersion) {
    fail(impl.path, "foreign HDF5 file: format_version is " + std::to_string(version) +
                        ", this rung reads version " + std::to_string(kCheckpointFormatVersion));
  }
}

CheckpointReader::~CheckpointReader() noexcept { release(impl_); }

CheckpointReader::CheckpointReader(CheckpointReader&& other) noexcept = default;

CheckpointReader& CheckpointReader::operator=(CheckpointReader&& other) noexcept {
  if (this != &other) {
    CheckpointReader old(std::move(*this));
    impl_ = std::move(other.impl_);
  }
  return *this;
}

bool CheckpointReader::has(const std::string& name) const {
  if (!impl_) throw CheckpointError("checkpoint: read from a moved-from reader");
  const Impl& impl = *impl_;
  const auto parts = split_group(impl.path, name);
  if (parts.empty()) return true;  // the root
  return h5_call(impl.path, "looking up \"" + name + "\"", [&] {
    H5::Group group;
    if (!impl.find_group(parts, parts.size() - 1, group)) return false;
    return link_exists(group, parts.back()) || group.attrExists(parts.back());
  });
}

ArrayData CheckpointReader::get_array(const std::string& name) const {
  if (!impl_) throw CheckpointError("checkpoint: read from a moved-from reader");
  const Impl& impl = *impl_;
  const auto parts = split_name(impl.path, name);
  return h5_call(impl.path, "reading dataset \"" + name + "\"", [&] {
    H5::Group group = impl.parent_or_fail(parts, name);
    if (!link_exists(group, parts.back())) {
      fail(impl.path, "dataset \"" + name + "\" is missing" +
                          (group.attrExists(parts.back()) ? " (it is an attribute)" : ""));
    }
    if (group.childObjType(parts.back()) != H5O_TYPE_DATASET) {
      fail(impl.path, "\"" + name + "\" is not a dataset");
    }
    H5::DataSet dataset = group.openDataSet(parts.back());
    ArrayData out;
    const H5T_class_t type_class = dataset.getTypeClass();
    std::size_t size = 0;
    H5T_sign_t sign = H5T_SGN_NONE;
    if (type_class == H5T_FLOAT) {
      size = dataset.getFloatType().getSize();
    } else if (type_class == H5T_INTEGER) {
      H5::IntType int_type = dataset.getIntType();
      size = int_type.getSize();
      sign = int_type.getSign();
    }
    if (type_class == H5T_FLOAT && size == 4) {
      out.dtype = DType::Float32;
    } else if (type_class == H5T_FLOAT && size == 8) {
      out.dtype = DType::Float64;
    } else if (type_class == H5T_INTEGER && size == 8 && sign == H5T_SGN_2) {
      out.dtype = DType::Int64;
    } else if (type_class == H5T_INTEGER && size == 1 && sign == H5T_SGN_NONE) {
      out.dtype = DType::UInt8;
    } else {
      fail(impl.path, "dataset \"" + name +
                          "\" has an element type rung does not read (want float32, float64, "
                          "int64 or uint8)");
    }
    const detail::CheckedExtent extent = detail::checked_extent(
        "checkpoint " + impl.path, "dataset \"" + name + "\"", dataset, impl.file_size, -1);
    out.shape.assign(extent.dims.begin(), extent.dims.end());
    out.bytes.resize(static_cast<std::size_t>(extent.elements) * dtype_size(out.dtype));
    if (!out.bytes.empty()) dataset.read(out.bytes.data(), native_type(out.dtype));
    return out;
  });
}

std::string CheckpointReader::get_string(const std::string& name) const {
  if (!impl_) throw CheckpointError("checkpoint: read from a moved-from reader");
  const Impl& impl = *impl_;
  return h5_call(impl.path, "reading attribute \"" + name + "\"", [&] {
    H5::Attribute attr = impl.attribute_or_fail(name);
    // One string: HDF5 would write every element of a larger one into the one value.
    if (attr.getTypeClass() != H5T_STRING || attr.getSpace().getSimpleExtentNpoints() != 1) {
      fail(impl.path, "\"" + name + "\" is not a string");
    }
    std::string value;
    attr.read(attr.getStrType(), value);
    return value;
  });
}

std::int64_t CheckpointReader::get_int(const std::string& name) const {
  if (!impl_) throw CheckpointError("checkpoint: read from a moved-from reader");
  const Impl& impl = *impl_;
  return h5_call(impl.path, "reading attribute \"" + name + "\"", [&] {
    H5::Attribute attr = impl.attribute_or_fail(name);
    if (attr.getTypeClass() != H5T_INTEGER || attr.getSpace().getSimpleExtentNpoints() != 1) {
      fail(impl.path, "\"" + name + "\" is not an integer");
    }
    std::int64_t value = 0;
    attr.read(H5::PredType::NATIVE_INT64, &value);
    return value;
  });
}

std::vector<std::string> CheckpointReader::list(const std::string& group_name) const {
  if (!impl_) throw CheckpointError("checkpoint: read from a moved-from reader");
  const Impl& impl = *impl_;
  const auto parts = split_group(impl.path, group_name);
  return h5_call(impl.path, "listing \"" + group_name + "\"", [&] {
    H5::Group group;
    if (!impl.find_group(parts, parts.size(), group)) {
      fail(impl.path, "group \"" + group_name + "\" is missing");
    }
    std::vector<std::string> names;
    const hsize_t count = group.getNumObjs();
    for (hsize_t i = 0; i < count; ++i) names.push_back(group.getObjnameByIdx(i));
    std::sort(names.begin(), names.end());
    return names;
  });
}

std::vector<std::string> CheckpointReader::list_attributes(const std::string& group_name) const {
  if (!impl_) throw CheckpointError("checkpoint: read from a moved-from reader");
  const Impl& impl = *impl_;
  const auto parts = split_group(impl.path, group_name);
  return h5_call(impl.path, "listing the attributes of \"" + group_name + "\"", [&] {
    H5::Group group;
    if (!impl.find_group(parts, parts.size(), group)) {
      fail(impl.path, "group \"" + group_name + "\" is missing");
    }
    std::vector<std::string> names;
    const int count = group.getNumAttrs();
    for (int i = 0; i < count; ++i) {
      names.push_back(group.openAttribute(static_cast<unsigned>(i)).getName());
    }
    std::sort(names.begin(), names.end());
    return names;
  });
}

const std::string& CheckpointReader::path() const noexcept {
  return impl_ ? impl_->path : empty_string();
}

}  // namespace rung
