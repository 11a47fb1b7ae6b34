// A neural network's weights stored as named float32 arrays at the root of an HDF5 file (the
// LCBench surrogate's data/lcbench/surrogate.h5), read into plain arrays. Only the reading
// lives here (the ckpt module owns HDF5); what the weights mean is the user's
// (rung/sim/lcbench_surrogate.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace rung {

struct WeightArray {
  std::vector<std::uint64_t> shape;  // as stored; empty for a scalar
  std::vector<float> values;         // row-major
};

// Every dataset at the root of `path`, by dataset name, converted to float32 (groups and
// attributes are ignored). Throws CheckpointError naming the file when it is missing, is not
// HDF5, or holds a dataset that is not numeric.
[[nodiscard]] std::map<std::string, WeightArray> read_weight_file(const std::string& path);

}  // namespace rung
