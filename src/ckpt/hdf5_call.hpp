// The one way rung's HDF5 files call HDF5: under the process-wide lock, with HDF5's automatic
// error printing replaced by a handler that keeps HDF5's own words for a failure, so that an
// H5::Exception becomes a CheckpointError saying which file, what was being done, and why.
// Used by every HDF5 file of the ckpt module: checkpoints, results.h5, curve tables and the
// LCBench surrogate's weights.
#pragma once

#include <H5Cpp.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "hdf5_lock.hpp"
#include "rung/config/error.hpp"

namespace rung::detail {

// HDF5's own words for the last failure on this thread. HDF5 calls capture_hdf5_error() when
// an API call fails, before the C++ wrapper throws and before unwinding releases handles
// (which clears the error stack); it replaces the automatic printing to stderr.
inline thread_local std::string last_hdf5_error;

inline herr_t collect_hdf5_error(unsigned /*n*/, const H5E_error2_t* err, void* client) {
  auto* out = static_cast<std::vector<std::string>*>(client);
  if (err != nullptr && err->desc != nullptr && err->desc[0] != '\0') {
    std::string line = err->desc;
    if (err->func_name != nullptr) line = std::string(err->func_name) + ": " + line;
    out->push_back(std::move(line));
  }
  return 0;
}

inline herr_t capture_hdf5_error(hid_t stack_id, void* /*client*/) {
  std::vector<std::string> stack;
  H5Ewalk2(stack_id, H5E_WALK_DOWNWARD, collect_hdf5_error, &stack);
  // The outermost entry says which call failed, the innermost why; keep both.
  if (stack.empty()) return 0;
  last_hdf5_error = stack.front();
  if (stack.size() > 1) last_hdf5_error += " (" + stack.back() + ")";
  return 0;
}

inline std::string hdf5_message(const H5::Exception& e) {
  if (!last_hdf5_error.empty()) return last_hdf5_error;
  std::string message = e.getDetailMsg();
  if (!e.getFuncName().empty()) message = e.getFuncName() + ": " + message;
  return message;
}

// Runs f under the HDF5 lock, with HDF5's automatic error printing replaced by
// capture_hdf5_error (a per-thread setting in thread-safe builds, hence every time), and
// turns an HDF5 failure into CheckpointError("<subject>: <what>: <HDF5's message>"), where
// subject names the file ("checkpoint out/x.h5").
template <class F>
auto h5_call(const std::string& subject, const std::string& what, F&& f) -> decltype(f()) {
  std::lock_guard<std::mutex> lock(hdf5_mutex());
  try {
    last_hdf5_error.clear();
    H5::Exception::dontPrint();
    H5Eset_auto2(H5E_DEFAULT, capture_hdf5_error, nullptr);
    return std::forward<F>(f)();
  } catch (const H5::Exception& e) {
    throw CheckpointError(subject + ": " + what + ": " + hdf5_message(e));
  }
}

// What a reader may trust of a dataset's or attribute's shape before it sizes a buffer for
// HDF5 to fill. A damaged file can claim any rank and any extent: HDF5 writes as many
// dimensions as the rank into the array it is given and as many elements as the extent into
// the buffer, so readers check the rank first, and refuse data that could not be in the
// file: more bytes, as stored, than the file has (1024 times that for a compressed dataset),
// which also keeps memory bounded by the file's size. Called inside h5_call.
struct CheckedExtent {
  std::vector<hsize_t> dims;
  hsize_t elements = 0;
};

// want_rank -1: any rank (up to H5S_MAX_RANK). Throws CheckpointError("<subject>: <name>: ...").
inline CheckedExtent checked_extent(const std::string& subject, const std::string& name,
                                    const H5::DataSpace& space, std::size_t stored_element_size,
                                    std::uintmax_t file_size, bool is_filtered, int want_rank) {
  const int rank = space.getSimpleExtentNdims();
  if (rank < 0 || rank > H5S_MAX_RANK || (want_rank >= 0 && rank != want_rank)) {
    throw CheckpointError(subject + ": " + name + " has " + std::to_string(rank) +
                          " dimensions" +
                          (want_rank >= 0 ? ", expected " + std::to_string(want_rank) : ""));
  }
  CheckedExtent out;
  out.dims.resize(static_cast<std::size_t>(rank));
  if (rank > 0) space.getSimpleExtentDims(out.dims.data());
  const std::uintmax_t limit = (is_filtered ? 1024 : 1) * file_size;
  std::uintmax_t bytes = stored_element_size;
  out.elements = 1;
  for (const hsize_t d : out.dims) {
    // Compare before multiplying, so no product can wrap around.
    if (d != 0 && (out.elements > limit / d || bytes > limit / d)) {
      throw CheckpointError(subject + ": " + name + " claims more data than the file's " +
                            std::to_string(file_size) + " bytes can hold (damaged file?)");
    }
    out.elements *= d;
    bytes *= d;
  }
  if (out.elements != 0 && bytes > limit) {
    throw CheckpointError(subject + ": " + name + " claims " + std::to_string(bytes) +
                          " bytes, more than the file's " + std::to_string(file_size) +
                          " (damaged file?)");
  }
  return out;
}

inline CheckedExtent checked_extent(const std::string& subject, const std::string& name,
                                    const H5::DataSet& dataset, std::uintmax_t file_size,
                                    int want_rank) {
  const bool is_filtered = dataset.getCreatePlist().getNfilters() > 0;
  return checked_extent(subject, name, dataset.getSpace(), dataset.getDataType().getSize(),
                        file_size, is_filtered, want_rank);
}

}  // namespace rung::detail
