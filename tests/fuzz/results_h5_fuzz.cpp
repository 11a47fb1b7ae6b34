// results.h5 (rung/ckpt/results_file.hpp) as `rung simulate --curves results:...` and the
// tests read it back. Every failure must be a CheckpointError naming the file.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "rung/ckpt/results_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = rung::fuzz::scratch_path(".results.h5");
  rung::fuzz::write_scratch(path, data, size);
  rung::fuzz::expect_rung_errors("results.h5", [&] {
    const rung::ResultsTable table = rung::read_results_h5(path);
    (void)table;
  }, path);
  return 0;
}
