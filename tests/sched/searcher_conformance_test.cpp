// What every Searcher must do, whatever its strategy. A new searcher is tested like the others
// by adding its factory to `SearcherFactories`. Each factory names a space it works on (Grid
// takes categorical ranges only), builds the searcher from (space, seed), and says whether the
// searcher is finite (runs out of proposals) and how many it has.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include "rung/sched/bayesian_searcher.hpp"
#include "rung/sched/grid_searcher.hpp"
#include "rung/sched/hypertune_searcher.hpp"
#include "rung/sched/mobster_searcher.hpp"
#include "rung/sched/searcher.hpp"

namespace rung {
namespace {

SearchSpace mixed_space() {
  return SearchSpace(
      {ParamRange{"lr", ParamKind::Continuous, 1e-4, 1e-1, ScalingType::Logarithmic, {}},
       ParamRange{
           "momentum", ParamKind::Continuous, 0.5, 0.99, ScalingType::ReverseLogarithmic, {}},
       ParamRange{"layers", ParamKind::Integer, 1, 4, ScalingType::Linear, {}},
       ParamRange{"width", ParamKind::Integer, 8, 1024, ScalingType::Auto, {}},
       ParamRange{
           "act", ParamKind::Categorical, 0, 1, ScalingType::Auto, {"relu", "tanh", "gelu"}}});
}

SearchSpace categorical_space() {
  return SearchSpace(
      {ParamRange{"opt", ParamKind::Categorical, 0, 1, ScalingType::Auto, {"sgd", "adam"}},
       ParamRange{"act", ParamKind::Categorical, 0, 1, ScalingType::Auto, {"relu", "tanh", "gelu"}},
       ParamRange{
           "batch", ParamKind::Categorical, 0, 1, ScalingType::Auto, {"32", "64", "128", "256"}}});
}

struct Random {
  static SearchSpace space() { return mixed_space(); }
  static std::unique_ptr<Searcher> make(const SearchSpace& space, std::uint64_t seed) {
    return std::make_unique<RandomSearcher>(space, seed);
  }
  static constexpr std::uint64_t kSize = 0;  // 0: never runs out
};

struct Grid {
  static SearchSpace space() { return categorical_space(); }
  static std::unique_ptr<Searcher> make(const SearchSpace& space, std::uint64_t /*seed*/) {
    return std::make_unique<GridSearcher>(space);
  }
  static constexpr std::uint64_t kSize = 2 * 3 * 4;
};

struct Bayesian {
  static SearchSpace space() { return mixed_space(); }
  static std::unique_ptr<Searcher> make(const SearchSpace& space, std::uint64_t seed) {
    return std::make_unique<BayesianSearcher>(space, seed);
  }
  static constexpr std::uint64_t kSize = 0;
};

// The multi-fidelity searchers learn from rung levels 1, 2 and 4 (drive() reports epochs 1..4).
struct Mobster {
  static SearchSpace space() { return mixed_space(); }
  static std::unique_ptr<Searcher> make(const SearchSpace& space, std::uint64_t seed) {
    return std::make_unique<MobsterSearcher>(space, std::vector<int>{1, 2, 4}, seed);
  }
  static constexpr std::uint64_t kSize = 0;
};

struct HyperTune {
  static SearchSpace space() { return mixed_space(); }
  static std::unique_ptr<Searcher> make(const SearchSpace& space, std::uint64_t seed) {
    return std::make_unique<HyperTuneSearcher>(space, std::vector<int>{1, 2, 4}, seed);
  }
  static constexpr std::uint64_t kSize = 0;
};

using SearcherFactories = ::testing::Types<Random, Grid, Bayesian, Mobster, HyperTune>;

template <typename Factory>
class SearcherConformance : public ::testing::Test {};
TYPED_TEST_SUITE(SearcherConformance, SearcherFactories);

// A plain learning curve for a configuration: its score, epoch by epoch, depends on the
// configuration only (a deterministic function of its unit-cube coordinates).
double score_of(const SearchSpace& space, const HyperParameters& hp, int epoch) {
  double q = 0;
  for (const double u : space.encode(hp)) q += (u - 0.3) * (u - 0.3);
  return (1.0 - q / static_cast<double>(space.dims())) * (1.0 - 1.0 / (1.0 + epoch));
}

// What the coordinator does, in miniature: at most `budget` suggestions (MaxNumberOfTrainingJobs),
// until the searcher runs out; up to `parallel` trials pending at once; each trial reports
// up to `epochs` epochs, then ends Completed, Stopped (early) or Failed as a seeded generator
// says. Returns every proposal in order; checks each is inside the space.
struct DriveOptions {
  int budget = 30;
  int parallel = 3;
  int epochs = 4;
  std::uint64_t outcome_seed = 1;
};
std::vector<HyperParameters> drive(Searcher& s, const SearchSpace& space, DriveOptions o) {
  std::mt19937_64 rng(o.outcome_seed);
  std::vector<HyperParameters> proposals;
  struct Pending {
    TrialId id;
    HyperParameters hp;
  };
  std::vector<Pending> pending;
  bool is_exhausted = false;
  const auto finish_one = [&] {
    const std::size_t i = std::uniform_int_distribution<std::size_t>(0, pending.size() - 1)(rng);
    const Pending p = pending[i];
    pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(i));
    const int kind = std::uniform_int_distribution<int>(0, 2)(rng);
    const TrialEnd end = kind == 0   ? TrialEnd::Completed
                         : kind == 1 ? TrialEnd::Stopped
                                     : TrialEnd::Failed;
    // Completed: every epoch; Stopped: at least one (a stop follows a report); Failed: any.
    const int least = end == TrialEnd::Failed ? 0 : 1;
    const int last = end == TrialEnd::Completed
                         ? o.epochs
                         : std::uniform_int_distribution<int>(least, o.epochs - 1)(rng);
    for (int e = 1; e <= last; ++e) s.observe(p.id, e, score_of(space, p.hp, e));
    s.on_trial_end(p.id, end);
  };
  for (TrialId id = 0; id < o.budget && !is_exhausted; ++id) {
    if (static_cast<int>(pending.size()) >= o.parallel) finish_one();
    const auto hp = s.suggest(id);
    if (!hp) {
      is_exhausted = true;
      break;
    }
    EXPECT_TRUE(space.contains(*hp)) << "trial " << id << " is outside the space";
    EXPECT_EQ(hp->size(), space.dims()) << "trial " << id;
    proposals.push_back(*hp);
    pending.push_back({id, *hp});
  }
  while (!pending.empty()) finish_one();
  return proposals;
}

TYPED_TEST(SearcherConformance, has_a_name) {
  const SearchSpace space = TypeParam::space();
  EXPECT_FALSE(TypeParam::make(space, 1)->name().empty());
}

TYPED_TEST(SearcherConformance, proposes_configurations_inside_the_space) {
  const SearchSpace space = TypeParam::space();
  const auto s = TypeParam::make(space, 7);
  for (TrialId t = 0; t < 40; ++t) {
    const auto hp = s->suggest(t);
    if (!hp) {
      EXPECT_NE(TypeParam::kSize, 0u) << "an endless searcher ran out after " << t;
      break;
    }
    EXPECT_TRUE(space.contains(*hp)) << "trial " << t;
  }
}

TYPED_TEST(SearcherConformance, proposes_the_same_sequence_for_the_same_seed_and_history) {
  const SearchSpace space = TypeParam::space();
  DriveOptions o;
  o.outcome_seed = 5;
  const auto a = TypeParam::make(space, 42);
  const auto b = TypeParam::make(space, 42);
  const auto first = drive(*a, space, o);
  const auto second = drive(*b, space, o);
  EXPECT_EQ(first, second);
  EXPECT_FALSE(first.empty());
}

TYPED_TEST(SearcherConformance, proposes_no_more_than_the_budget_and_stays_exhausted) {
  const SearchSpace space = TypeParam::space();
  for (const int budget : {1, 7, 30}) {  // 30 > the grid's 24
    DriveOptions o;
    o.budget = budget;
    const auto s = TypeParam::make(space, 3);
    const auto proposals = drive(*s, space, o);
    const std::uint64_t expected =
        TypeParam::kSize == 0
            ? static_cast<std::uint64_t>(budget)
            : std::min<std::uint64_t>(TypeParam::kSize, static_cast<std::uint64_t>(budget));
    EXPECT_EQ(proposals.size(), expected) << "budget " << budget;
    if (TypeParam::kSize != 0 && static_cast<std::uint64_t>(budget) >= TypeParam::kSize) {
      // A finite searcher that ran out stays out, and never repeated itself.
      for (TrialId t = 0; t < 5; ++t) EXPECT_EQ(s->suggest(1000 + t), std::nullopt);
      EXPECT_EQ(std::set<HyperParameters>(proposals.begin(), proposals.end()).size(),
                proposals.size());
    }
  }
}

TYPED_TEST(SearcherConformance,
           keeps_proposing_valid_configurations_after_failed_and_stopped_trials) {
  const SearchSpace space = TypeParam::space();
  for (const std::uint64_t outcome_seed : {1u, 2u, 3u}) {
    DriveOptions o;
    o.budget = 20;
    o.parallel = 4;
    o.outcome_seed = outcome_seed;
    const auto s = TypeParam::make(space, outcome_seed);
    (void)drive(*s, space, o);  // checks every proposal
    // Every trial has ended one way or another; more proposals are still valid.
    for (TrialId t = 100; t < 103; ++t) {
      const auto hp = s->suggest(t);
      if (hp)
        EXPECT_TRUE(space.contains(*hp));
      else
        EXPECT_NE(TypeParam::kSize, 0u);
    }
  }
}

TYPED_TEST(SearcherConformance, accepts_trials_that_end_early) {
  const SearchSpace space = TypeParam::space();
  const auto s = TypeParam::make(space, 9);
  const auto a = s->suggest(0);
  const auto b = s->suggest(1);
  ASSERT_TRUE(a && b);
  s->on_trial_end(0, TrialEnd::Failed);  // failed before its first epoch
  s->observe(1, 1, 0.0);
  s->on_trial_end(1, TrialEnd::Stopped);  // stopped after one epoch
  const auto c = s->suggest(2);
  ASSERT_TRUE(c.has_value());
  EXPECT_TRUE(space.contains(*c));
}

}  // namespace
}  // namespace rung
