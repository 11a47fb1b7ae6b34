// Tabulated learning curves (rung/ckpt/curve_table_file.hpp: LCBench's curves.h5) and, on
// the same bytes, the weight files of the LCBench surrogate (weight_file.hpp): both are
// HDF5 files a user points rung at. Every failure must be a CheckpointError naming the file
// (and, for a curve table, the task).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "rung/ckpt/curve_table_file.hpp"
#include "rung/ckpt/weight_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = rung::fuzz::scratch_path(".curves.h5");
  rung::fuzz::write_scratch(path, data, size);
  rung::fuzz::expect_rung_errors("curve table", [&] {
    const rung::CurveTable table = rung::read_curve_table(path, "189905");
    const std::size_t cells = static_cast<std::size_t>(table.num_configs) *
                              static_cast<std::size_t>(table.num_epochs);
    if (table.cumulative_time_s.size() != cells) {
      rung::fuzz::fail("curve table", "time is not num_configs x num_epochs");
    }
    for (const auto& [name, values] : table.metrics) {
      if (values.size() != cells) {
        rung::fuzz::fail("curve table", "metric " + name + " is not num_configs x num_epochs");
      }
    }
  }, path);
  rung::fuzz::expect_rung_errors("weight file", [&] {
    const auto weights = rung::read_weight_file(path);
    (void)weights;
  }, path);
  return 0;
}
