// What the LCBench surrogate costs the simulator: one 52-epoch curve of a new configuration
// (one batch through the network) on each instruction-set path this CPU runs (0 portable,
// 1 AVX2, 2 AVX-512; rung uses the fastest), and one epoch's lookup of a configuration already
// cached (what every later epoch of a trial costs).
//
//   taskset -c 0 build/bench/bench_lcbench_surrogate

#include "rung/sim/lcbench_surrogate.hpp"

#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <random>

#include "rung/config/data_files.hpp"
#include "rung/config/search_space.hpp"
#include "rung/sim/lcbench_surrogate_curves.hpp"

namespace {

// A configuration drawn from LCBench's space (log scale where the space has it).
rung::LcbenchConfig draw(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const auto log_uniform = [&](double lo, double hi) {
    return static_cast<float>(std::exp(std::log(lo) + u(rng) * (std::log(hi) - std::log(lo))));
  };
  return {std::round(log_uniform(16, 512)),
          log_uniform(1e-4, 0.1),
          static_cast<float>(0.1 + 0.89 * u(rng)),
          static_cast<float>(1e-5 + 0.1 * u(rng)),
          static_cast<float>(1 + static_cast<int>(u(rng) * 4)),
          std::round(log_uniform(64, 1024)),
          static_cast<float>(u(rng))};
}

void BM_PredictCurve(benchmark::State& state) {
  const auto path = static_cast<rung::SimdPath>(state.range(0));
  if (!rung::can_run(path)) {
    state.SkipWithError("this CPU cannot run this path");
    return;
  }
  state.SetLabel(rung::to_string(path));
  const auto folder = rung::require_data_file("lcbench/surrogate.h5", "the bench").parent_path();
  const auto model = std::make_unique<rung::LcbenchSurrogate>(folder, path);
  const int task = model->task_code("189905");
  std::mt19937_64 rng(1);
  std::vector<rung::LcbenchConfig> configs(256);
  for (auto& c : configs) c = draw(rng);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(model->predict_curve(task, configs[i++ % configs.size()]));
  }
  state.SetItemsProcessed(state.iterations() * rung::kLcbenchEpochs);  // epochs
}
BENCHMARK(BM_PredictCurve)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);

void BM_CachedEpoch(benchmark::State& state) {
  rung::ParamRange lr;
  lr.name = "learning_rate";
  lr.min_value = 1e-4;
  lr.max_value = 0.1;
  const rung::LcbenchSurrogateCurves curves(rung::LcbenchSurrogate::shipped(), "189905",
                                            rung::SearchSpace({lr}));
  const rung::HyperParameters hp = {{"learning_rate", 0.01}};
  (void)curves.metrics_at(hp, 1);
  int epoch = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(curves.metrics_at(hp, epoch % rung::kLcbenchEpochs + 1));
    benchmark::DoNotOptimize(curves.epoch_seconds(hp, epoch % rung::kLcbenchEpochs + 1));
    ++epoch;
  }
}
BENCHMARK(BM_CachedEpoch)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
