// One trial's checkpoint as an HDF5 file, behind an interface that knows nothing of torch or
// HDF5: named arrays (float32/float64/int64/uint8, in groups such as "params/fc1.weight"),
// string and integer attributes. Trainers convert their tensors to raw arrays and back; h5py
// reads the files as they are.
//
// A checkpoint exists only once it is committed: CheckpointWriter writes to
// "<path>.tmp.<pid>" and commit() renames it into place, so a crash never leaves a
// half-written file under the real name. CheckpointReader refuses, with a CheckpointError
// naming the file and the reason, anything that is not a complete rung checkpoint.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rung {

// Marks a file as a rung checkpoint: root attributes rung_format and format_version.
inline constexpr const char* kCheckpointFormat = "rung-checkpoint";
inline constexpr std::int64_t kCheckpointFormatVersion = 1;

enum class DType { Float32, Float64, Int64, UInt8 };

[[nodiscard]] const char* to_string(DType dtype);
[[nodiscard]] std::size_t dtype_size(DType dtype);

// An array as stored: element type, shape (empty for a scalar) and the row-major elements in
// the machine's byte order.
struct ArrayData {
  DType dtype = DType::Float32;
  std::vector<std::uint64_t> shape;
  std::vector<std::uint8_t> bytes;

  [[nodiscard]] std::uint64_t element_count() const;
};

// Names are '/'-separated paths below the file's root: "epoch", "params/fc1.weight",
// "hyperparameters/units". Missing groups are created. Arrays are datasets; strings and
// integers are attributes of the group that holds them ("hyperparameters/units" is the
// attribute "units" of the group "hyperparameters"; "epoch" is a root attribute).
class CheckpointWriter {
 public:
  // Creates the temporary file final_path + ".tmp.<pid>" (replacing a stale one).
  // Throws CheckpointError when it cannot.
  explicit CheckpointWriter(std::string final_path);
  // Closes the file and, unless commit() succeeded, removes the temporary. Never throws.
  ~CheckpointWriter() noexcept;
  CheckpointWriter(const CheckpointWriter&) = delete;
  CheckpointWriter& operator=(const CheckpointWriter&) = delete;
  CheckpointWriter(CheckpointWriter&&) noexcept;
  CheckpointWriter& operator=(CheckpointWriter&&) noexcept;

  // `data` holds product(shape) elements of `dtype`, row-major; it may be null when that
  // product is 0. Throws CheckpointError on a bad or duplicate name or an HDF5 failure.
  void put_array(const std::string& name, DType dtype, const std::vector<std::uint64_t>& shape,
                 const void* data);
  void put_string(const std::string& name, const std::string& value);
  void put_int(const std::string& name, std::int64_t value);

  // Closes the file, flushes it to disk and renames it to the final path (replacing an older
  // checkpoint there). Throws CheckpointError on failure; the temporary is then removed.
  void commit();

  [[nodiscard]] const std::string& path() const noexcept;       // the final path
  [[nodiscard]] const std::string& temp_path() const noexcept;  // where it is being written
  [[nodiscard]] bool is_committed() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class CheckpointReader {
 public:
  // Opens and checks the file. Throws CheckpointError naming the file when it is missing,
  // not HDF5 (truncated, garbage, a text file), or a foreign HDF5 file (no or another
  // rung_format / format_version).
  explicit CheckpointReader(std::string path);
  ~CheckpointReader() noexcept;
  CheckpointReader(const CheckpointReader&) = delete;
  CheckpointReader& operator=(const CheckpointReader&) = delete;
  CheckpointReader(CheckpointReader&&) noexcept;
  CheckpointReader& operator=(CheckpointReader&&) noexcept;

  // True when `name` is a dataset, a group or an attribute.
  [[nodiscard]] bool has(const std::string& name) const;
  // The getters throw CheckpointError naming the file and the name when it is missing or of
  // another kind (an attribute where an array is asked for, a string where an int is).
  [[nodiscard]] ArrayData get_array(const std::string& name) const;
  [[nodiscard]] std::string get_string(const std::string& name) const;
  [[nodiscard]] std::int64_t get_int(const std::string& name) const;
  // Sorted names of the datasets and groups in `group` ("" or "/" for the root).
  [[nodiscard]] std::vector<std::string> list(const std::string& group = "") const;
  // Sorted names of the attributes of `group` ("" or "/" for the root).
  [[nodiscard]] std::vector<std::string> list_attributes(const std::string& group = "") const;

  [[nodiscard]] const std::string& path() const noexcept;

 private:
  void open_and_check();

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rung
