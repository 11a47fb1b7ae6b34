// Latency of rung's multi-fidelity searchers (rung.searcher: mobster, hypertune): one suggest()
// with `results` rung-level results recorded (7 ranges as LCBench's, rung levels 1, 3, 9, 27,
// 52 as Hyperband's with eta 3, results spread over the levels as successive halving leaves
// them) and 32 trials pending. Suggest: the joint model keeps its hyperparameters (the
// steady state between refits); FirstSuggest: the same with the hyperparameter fit a refit
// adds (the searcher refits when its data has grown by 10%, so the amortized cost of a
// suggest is Suggest + (FirstSuggest - Suggest) / (0.1 x results / results per trial)).
//
//   taskset -c 0 build/bench/bench_multi_fidelity_latency

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rung/sched/hypertune_searcher.hpp"
#include "rung/sched/mobster_searcher.hpp"

namespace {

const std::vector<int> kLevels{1, 3, 9, 27, 52};

rung::SearchSpace lcbench_like_space() {
  std::vector<rung::ParamRange> ranges;
  for (int j = 0; j < 7; ++j) {
    ranges.push_back(rung::ParamRange{
        "x" + std::to_string(j), rung::ParamKind::Continuous, 0.0, 1.0, rung::ScalingType::Linear,
        {}});
  }
  return rung::SearchSpace(std::move(ranges));
}

// A learning curve with structure on every axis: rises with the epoch towards the final score.
double score_of(const rung::HyperParameters& hp, int epoch) {
  double s = 0.0;
  for (int j = 0; j < 7; ++j) {
    const double x = rung::get_double(hp, "x" + std::to_string(j));
    s += std::sin(3.0 * x + j) - (x - 0.3) * (x - 0.3);
  }
  return s * (1.0 - std::exp(-epoch / 10.0));
}

std::unique_ptr<rung::MultiFidelitySearcher> make(int kind) {
  if (kind == 0) return std::make_unique<rung::MobsterSearcher>(lcbench_like_space(), kLevels, 42);
  return std::make_unique<rung::HyperTuneSearcher>(lcbench_like_space(), kLevels, 42);
}

// `results` rung-level results: trials are suggested first (uniform: no data yet), then each
// reports the levels successive halving would let it reach (all of them level 0, a third of
// those level 1, ...), which costs no model work; then 32 trials are pending.
rung::TrialId fill(rung::MultiFidelitySearcher& s, int results) {
  int trials = 0;
  for (int total = 0; total < results; ++trials) {
    for (int l = 0; l < 5 && trials % static_cast<int>(std::pow(3, l)) == 0; ++l) ++total;
  }
  std::vector<rung::HyperParameters> hps;
  for (rung::TrialId t = 0; t < trials; ++t) hps.push_back(*s.suggest(t));
  for (rung::TrialId t = 0; t < trials; ++t) {
    for (int l = 0; l < 5 && t % static_cast<int>(std::pow(3, l)) == 0; ++l) {
      const int epoch = kLevels[static_cast<std::size_t>(l)];
      s.observe(t, epoch, score_of(hps[static_cast<std::size_t>(t)], epoch));
    }
    s.on_trial_end(t, rung::TrialEnd::Stopped);
  }
  return trials;
}

void BM_FirstSuggest(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const int results = static_cast<int>(state.range(1));
  for (auto _ : state) {
    // A fresh searcher fits the model at its first model-based suggest.
    state.PauseTiming();
    auto fresh = make(kind);
    const rung::TrialId u = fill(*fresh, results);
    state.ResumeTiming();
    auto hp = fresh->suggest(u);
    benchmark::DoNotOptimize(hp);
  }
  state.SetLabel(kind == 0 ? "mobster" : "hypertune");
}

void BM_Suggest(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const int results = static_cast<int>(state.range(1));
  auto s = make(kind);
  rung::TrialId t = fill(*s, results);
  for (int p = 0; p < 32; ++p) (void)s->suggest(t++);  // pending; the first fits the model
  for (auto _ : state) {
    auto hp = s->suggest(t);
    benchmark::DoNotOptimize(hp);
    s->on_trial_end(t++, rung::TrialEnd::Failed);  // the data stays as it is: no refit
  }
  state.SetLabel(kind == 0 ? "mobster" : "hypertune");
}

}  // namespace

BENCHMARK(BM_Suggest)
    ->ArgsProduct({{0, 1}, {500, 5000}})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);
BENCHMARK(BM_FirstSuggest)
    ->ArgsProduct({{0, 1}, {500, 5000}})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
BENCHMARK_MAIN();
