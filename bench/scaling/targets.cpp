// Accuracy targets for the simulated scaling study: per LCBench task, percentiles of the
// tabulated final (epoch 52) val_accuracy over the table's 2,000 configurations. analyze.py
// uses the 95th percentile as the task's time-to-target threshold.
//
//   bench_scaling_targets CURVES_H5 TASK...   ->   task,n,p50,p90,p95,p99,max (CSV)

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "rung/ckpt/curve_table_file.hpp"

namespace {

// Nearest-rank percentile of sorted values, p in [0, 100].
double percentile(const std::vector<double>& sorted, double p) {
  const auto n = static_cast<double>(sorted.size());
  const auto rank = static_cast<std::size_t>(std::max(1.0, std::ceil(p / 100.0 * n)));
  return sorted[std::min(rank, sorted.size()) - 1];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_scaling_targets CURVES_H5 TASK...\n");
    return 2;
  }
  try {
    std::printf("task,n,p50,p90,p95,p99,max\n");
    for (int i = 2; i < argc; ++i) {
      const rung::CurveTable table = rung::read_curve_table(argv[1], argv[i]);
      const std::vector<double>& acc = table.metrics.at("val_accuracy");
      std::vector<double> final_acc;
      const auto epochs = static_cast<std::size_t>(table.num_epochs);
      for (std::size_t r = 0; r < static_cast<std::size_t>(table.num_configs); ++r)
        final_acc.push_back(acc[r * epochs + epochs - 1]);
      std::sort(final_acc.begin(), final_acc.end());
      std::printf("%s,%zu,%.4f,%.4f,%.4f,%.4f,%.4f\n", argv[i], final_acc.size(),
                  percentile(final_acc, 50), percentile(final_acc, 90),
                  percentile(final_acc, 95), percentile(final_acc, 99), final_acc.back());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_scaling_targets: %s\n", e.what());
    return 1;
  }
  return 0;
}
