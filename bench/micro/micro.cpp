// Cost of one scheduler decision and one searcher suggestion against the size of the history,
// so that a pool of 10^3..10^4 simulated workers can be budgeted: the coordinator makes one
// decision per reported epoch and one promote() per freed worker, on one thread.
//
//   taskset -c 0 build/bench/bench_micro
//
// Schedulers (LCBench's setting: MinResource 1, MaxResource 52, eta 3, promotion type):
// a pool of 64 "workers" drives the scheduler the way the coordinator does. Each timed
// iteration is one reported epoch (on_report); when the decision frees the worker, it also
// asks promote() and, when nothing is promotable, starts a new trial (on_start). Before
// timing, the same loop runs untimed until N trials have started, so the rungs (or the
// median-stopping heaps) hold the results of N trials. The timed loop adds trials too; when
// the history reaches 2 N the scheduler is rebuilt untimed, so every timed decision sees
// between N and 2 N trials (trials_end: the count at the end).
// The Bayesian searcher's suggest() is in bench/bayes_latency (n up to 1,000); here only
// RandomSearcher, whose cost does not depend on the history.

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "rung/sched/asha_scheduler.hpp"
#include "rung/sched/hyperband_scheduler.hpp"
#include "rung/sched/median_stopping_scheduler.hpp"
#include "rung/sched/searcher.hpp"

namespace {

constexpr int kMinResource = 1;
constexpr int kMaxResource = 52;
constexpr int kWorkers = 64;

enum class Kind { Asha, Hyperband, Median };

std::unique_ptr<rung::Scheduler> make(Kind kind) {
  rung::AshaOptions asha;  // eta 3, promotion type, floor rule
  switch (kind) {
    case Kind::Asha:
      return std::make_unique<rung::AshaScheduler>(kMinResource, kMaxResource, asha);
    case Kind::Hyperband:
      return std::make_unique<rung::HyperbandScheduler>(kMinResource, kMaxResource, asha,
                                                        rung::scheduler_seed(1));
    case Kind::Median:
      break;
  }
  return std::make_unique<rung::MedianStoppingScheduler>(kMinResource, kMaxResource,
                                                         rung::MedianStoppingOptions{});
}

// A learning curve: the trial's quality q in [0, 1) approached with epochs, so that rankings
// at early rungs mostly agree with the final ones (as on LCBench's car task).
double score_of(double quality, int epoch) {
  return quality * (1.0 - std::exp(-static_cast<double>(epoch) / 8.0));
}

// The coordinator's use of a scheduler, reduced to what the scheduler sees.
class Driver {
 public:
  explicit Driver(Kind kind) : scheduler_(make(kind)), workers_(kWorkers) {
    for (auto& w : workers_) start_new(w);
  }

  // One reported epoch of the next worker, round robin; true when it freed the worker.
  bool step() {
    Worker& w = workers_[next_worker_];
    next_worker_ = (next_worker_ + 1) % workers_.size();
    const std::size_t t = static_cast<std::size_t>(w.trial);
    const int epoch = ++last_epoch_[t];
    const rung::Decision d = scheduler_->on_report(w.trial, epoch, score_of(quality_[t], epoch));
    if (d == rung::Decision::Continue) return false;
    if (const std::optional<rung::Promotion> p = scheduler_->promote()) {
      w.trial = p->trial;  // resumes after the epoch it paused at
    } else {
      start_new(w);
    }
    return true;
  }

  [[nodiscard]] std::size_t trials() const { return quality_.size(); }

 private:
  struct Worker {
    rung::TrialId trial = -1;
  };

  void start_new(Worker& w) {
    w.trial = static_cast<rung::TrialId>(quality_.size());
    quality_.push_back(uniform_(rng_));
    last_epoch_.push_back(0);
    (void)scheduler_->on_start(w.trial);
  }

  std::unique_ptr<rung::Scheduler> scheduler_;
  std::vector<Worker> workers_;
  std::size_t next_worker_ = 0;
  std::vector<double> quality_;  // by trial id
  std::vector<int> last_epoch_;  // by trial id
  std::mt19937_64 rng_{7};
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
};

void BM_Decision(benchmark::State& state, Kind kind) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto fresh = [&] {
    auto d = std::make_unique<Driver>(kind);
    while (d->trials() < n) (void)d->step();
    return d;
  };
  std::unique_ptr<Driver> driver = fresh();
  std::int64_t freed = 0;
  for (auto _ : state) {
    if (driver->trials() >= 2 * n) {
      state.PauseTiming();
      driver = fresh();
      state.ResumeTiming();
    }
    freed += driver->step() ? 1 : 0;
  }
  state.counters["trials_end"] = static_cast<double>(driver->trials());
  state.counters["freed_share"] =
      static_cast<double>(freed) / static_cast<double>(state.iterations());
}

// The job's space (jobs/lcbench_hyperband.yaml): 3 integer and 4 continuous ranges.
rung::SearchSpace lcbench_space() {
  using rung::ParamKind;
  using rung::ScalingType;
  return rung::SearchSpace({
      {"batch_size", ParamKind::Integer, 16, 512, ScalingType::Logarithmic, {}},
      {"num_layers", ParamKind::Integer, 1, 4, ScalingType::Linear, {}},
      {"max_units", ParamKind::Integer, 64, 1024, ScalingType::Logarithmic, {}},
      {"learning_rate", ParamKind::Continuous, 1e-4, 0.1, ScalingType::Logarithmic, {}},
      {"momentum", ParamKind::Continuous, 0.1, 0.99, ScalingType::Linear, {}},
      {"weight_decay", ParamKind::Continuous, 1e-5, 0.1, ScalingType::Linear, {}},
      {"max_dropout", ParamKind::Continuous, 0.0, 1.0, ScalingType::Linear, {}},
  });
}

// RandomSearcher ignores observations (observe() is a no-op), so n only shows that.
void BM_RandomSuggest(benchmark::State& state) {
  rung::RandomSearcher searcher(lcbench_space(), 1);
  const auto n = static_cast<rung::TrialId>(state.range(0));
  for (rung::TrialId t = 0; t < n; ++t) {
    (void)searcher.suggest(t);
    searcher.observe(t, 1, 0.5);
    searcher.on_trial_end(t, rung::TrialEnd::Completed);
  }
  rung::TrialId t = n;
  for (auto _ : state) {
    auto hp = searcher.suggest(t++);
    benchmark::DoNotOptimize(hp);
  }
}

void trial_counts(benchmark::internal::Benchmark* b) {
  for (const std::int64_t n : {100, 1000, 10000, 100000}) b->Arg(n);
  b->ArgName("trials")->Unit(benchmark::kMicrosecond);
}

BENCHMARK_CAPTURE(BM_Decision, asha, Kind::Asha)->Apply(trial_counts);
BENCHMARK_CAPTURE(BM_Decision, hyperband, Kind::Hyperband)->Apply(trial_counts);
BENCHMARK_CAPTURE(BM_Decision, median_stopping, Kind::Median)->Apply(trial_counts);
BENCHMARK(BM_RandomSuggest)->Arg(100)->Arg(100000)->ArgName("observations")
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
