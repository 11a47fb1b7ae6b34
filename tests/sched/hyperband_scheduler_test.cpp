// HyperbandScheduler: Hyperband's brackets and allocation, each bracket deciding as ASHA does,
// promotions across brackets, and the single-bracket case being exactly AshaScheduler.
#include "rung/sched/hyperband_scheduler.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "rung/sched/asha_scheduler.hpp"
#include "sched/sched_test_support.hpp"

namespace rung {
namespace {

using testing_support::SimOptions;
using testing_support::SimResult;
using testing_support::simulate;

constexpr Decision kContinue = Decision::Continue;
constexpr Decision kPause = Decision::Pause;
constexpr Decision kStop = Decision::Stop;
constexpr Decision kComplete = Decision::Complete;

AshaOptions options(int eta, AshaType type, FewEntriesRule rule, int brackets) {
  return AshaOptions{eta, type, rule, brackets};
}

std::optional<Promotion> promotion(TrialId trial, int until_epoch) {
  return Promotion{trial, until_epoch};
}

TEST(HyperbandAllocation, counts_brackets_with_exact_integer_logarithm) {
  EXPECT_EQ(hyperband_max_bracket(1, 81, 3), 4);
  EXPECT_EQ(hyperband_max_bracket(1, 80, 3), 3);
  EXPECT_EQ(hyperband_max_bracket(1, 9, 3), 2);
  EXPECT_EQ(hyperband_max_bracket(1, 10, 3), 2);
  EXPECT_EQ(hyperband_max_bracket(2, 50, 3), 2);  // 50 / 2 = 25: 9 <= 25 < 27
  EXPECT_EQ(hyperband_max_bracket(1, 16, 2), 4);
  EXPECT_EQ(hyperband_max_bracket(5, 5, 3), 0);
  EXPECT_EQ(hyperband_max_bracket(5, 6, 2), 0);
  EXPECT_EQ(hyperband_max_bracket(1, 1 << 30, 2), 30);
  EXPECT_THROW((void)hyperband_max_bracket(0, 9, 3), std::invalid_argument);
  EXPECT_THROW((void)hyperband_max_bracket(3, 2, 3), std::invalid_argument);
  EXPECT_THROW((void)hyperband_max_bracket(1, 9, 1), std::invalid_argument);
}

TEST(HyperbandAllocation, matches_li_et_al_table_when_max_is_81_and_eta_is_3) {
  // Li et al. 2018, Table 1 (R = 81, eta = 3): n = 81, 34, 15, 8, 5 from the most aggressive
  // bracket to plain random search.
  EXPECT_EQ(hyperband_allocation(1, 81, 3), (std::vector<std::int64_t>{81, 34, 15, 8, 5}));
}

TEST(HyperbandAllocation, rounds_up_in_integers_for_other_shapes) {
  // s_max = 2: ceil(3/3 * 9), ceil(3/2 * 3) = ceil(4.5), ceil(3/1 * 1).
  EXPECT_EQ(hyperband_allocation(1, 9, 3), (std::vector<std::int64_t>{9, 5, 3}));
  EXPECT_EQ(hyperband_allocation(2, 50, 3), (std::vector<std::int64_t>{9, 5, 3}));
  // s_max = 4, eta = 2: 16, ceil(5/4 * 8) = 10, ceil(5/3 * 4) = 7, ceil(5/2 * 2) = 5, 5.
  EXPECT_EQ(hyperband_allocation(1, 16, 2), (std::vector<std::int64_t>{16, 10, 7, 5, 5}));
  // s_max = 3, eta = 4: 64, ceil(4/3 * 16) = 22, ceil(4/2 * 4) = 8, 4.
  EXPECT_EQ(hyperband_allocation(1, 100, 4), (std::vector<std::int64_t>{64, 22, 8, 4}));
  EXPECT_EQ(hyperband_allocation(4, 4, 3), (std::vector<std::int64_t>{1}));
}

TEST(HyperbandScheduler, starts_bracket_s_at_min_resource_times_eta_to_the_s) {
  HyperbandScheduler s(2, 50, options(3, AshaType::Promotion, FewEntriesRule::Floor, 0), 1);
  ASSERT_EQ(s.bracket_count(), 3u);
  EXPECT_EQ(s.bracket_rungs(0), (std::vector<int>{2, 6, 18, 50}));
  EXPECT_EQ(s.bracket_rungs(1), (std::vector<int>{6, 18, 50}));
  EXPECT_EQ(s.bracket_rungs(2), (std::vector<int>{18, 50}));
  EXPECT_EQ(s.rungs(), (std::vector<int>{2, 6, 18, 50}));

  HyperbandScheduler t(1, 10, options(3, AshaType::Stopping, FewEntriesRule::Ceil, 0), 1);
  ASSERT_EQ(t.bracket_count(), 3u);
  EXPECT_EQ(t.bracket_rungs(0), (std::vector<int>{1, 3, 9, 10}));
  EXPECT_EQ(t.bracket_rungs(1), (std::vector<int>{3, 9, 10}));
  EXPECT_EQ(t.bracket_rungs(2), (std::vector<int>{9, 10}));
  EXPECT_EQ(t.rungs(), (std::vector<int>{1, 3, 9, 10}));

  // The last bracket of a power-of-eta shape trains straight to MaxResource.
  HyperbandScheduler u(1, 9, options(3, AshaType::Promotion, FewEntriesRule::Floor, 0), 1);
  EXPECT_EQ(u.bracket_rungs(2), (std::vector<int>{9}));
}

TEST(HyperbandScheduler, uses_the_first_n_brackets_when_brackets_is_n) {
  const auto make = [](int brackets) {
    return HyperbandScheduler(1, 81,
                              options(3, AshaType::Promotion, FewEntriesRule::Floor, brackets), 1);
  };
  EXPECT_EQ(make(0).bracket_count(), 5u);
  EXPECT_EQ(make(0).allocation(), (std::vector<std::int64_t>{81, 34, 15, 8, 5}));
  EXPECT_EQ(make(2).bracket_count(), 2u);
  EXPECT_EQ(make(2).allocation(), (std::vector<std::int64_t>{81, 34}));
  EXPECT_EQ(make(2).bracket_rungs(1), (std::vector<int>{3, 9, 27, 81}));
  EXPECT_EQ(make(1).bracket_count(), 1u);
  EXPECT_EQ(make(5).bracket_count(), 5u);
  EXPECT_EQ(make(9).bracket_count(), 5u);  // more than s_max + 1: all of them
  EXPECT_THROW(make(-1), std::invalid_argument);
}

TEST(HyperbandScheduler, names_its_brackets_or_the_asha_it_is) {
  HyperbandScheduler all(1, 9, options(3, AshaType::Promotion, FewEntriesRule::Floor, 0), 1);
  EXPECT_EQ(all.name(), "Hyperband (3 brackets, promotion, eta=3, floor)");
  HyperbandScheduler two(1, 16, options(2, AshaType::Stopping, FewEntriesRule::Ceil, 2), 1);
  EXPECT_EQ(two.name(), "Hyperband (2 brackets, stopping, eta=2, ceil)");
  HyperbandScheduler one(1, 9, options(3, AshaType::Stopping, FewEntriesRule::Ceil, 1), 1);
  EXPECT_EQ(one.name(),
            AshaScheduler(1, 9, options(3, AshaType::Stopping, FewEntriesRule::Ceil, 0)).name());
}

// Observed bracket fractions over many trials against n_s / sum(n). With a fixed seed the
// test is deterministic; the tolerance (6 standard errors, i.e. a two-sided tail of 2e-9 per
// bracket) is wide enough that no seed would fail it in practice, and narrow enough to catch
// a wrong allocation (the closest pair of fractions here differ by many standard errors).
void expect_allocation(int min, int max, int eta, int brackets, std::uint64_t seed) {
  HyperbandScheduler s(min, max, options(eta, AshaType::Promotion, FewEntriesRule::Floor, brackets),
                       seed);
  const std::vector<std::int64_t>& n = s.allocation();
  double total = 0;
  for (const std::int64_t x : n) total += static_cast<double>(x);
  constexpr int kTrials = 30000;
  std::vector<int> counts(n.size(), 0);
  for (TrialId t = 0; t < kTrials; ++t) {
    const int first = s.on_start(t);
    const std::size_t b = s.bracket_of(t);
    ASSERT_LT(b, n.size());
    ++counts[b];
    // Bracket b's first milestone is MinResource * eta^b.
    EXPECT_EQ(first, s.bracket_rungs(b).front());
    EXPECT_EQ(first, static_cast<int>(min * std::pow(eta, static_cast<double>(b))));
  }
  for (std::size_t b = 0; b < n.size(); ++b) {
    const double p = static_cast<double>(n[b]) / total;
    const double se = std::sqrt(p * (1 - p) / kTrials);
    const double observed = static_cast<double>(counts[b]) / kTrials;
    EXPECT_NEAR(observed, p, 6 * se) << "bracket " << b << " of " << n.size() << ", seed " << seed;
  }
}

TEST(HyperbandScheduler, draws_brackets_with_hyperbands_allocation) {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    expect_allocation(1, 81, 3, 0, seed);  // 81 34 15 8 5 of 143
    expect_allocation(1, 81, 3, 2, seed);  // 81 34 of 115
    expect_allocation(1, 16, 2, 0, seed);  // 16 10 7 5 5 of 43
    expect_allocation(2, 50, 3, 0, seed);  // 9 5 3 of 17
  }
}

TEST(HyperbandScheduler, draws_the_same_brackets_for_the_same_seed_and_others_for_another) {
  const auto brackets = [](std::uint64_t seed) {
    HyperbandScheduler s(1, 81, options(3, AshaType::Promotion, FewEntriesRule::Floor, 0), seed);
    std::vector<std::size_t> out;
    for (TrialId t = 0; t < 200; ++t) {
      (void)s.on_start(t);
      out.push_back(s.bracket_of(t));
    }
    return out;
  };
  EXPECT_EQ(brackets(5), brackets(5));
  EXPECT_NE(brackets(5), brackets(6));
}

TEST(HyperbandScheduler, keeps_the_first_bracket_when_a_start_is_replayed) {
  HyperbandScheduler s(1, 81, options(3, AshaType::Promotion, FewEntriesRule::Floor, 0), 3);
  for (TrialId t = 0; t < 50; ++t) {
    const int first = s.on_start(t);
    const std::size_t b = s.bracket_of(t);
    EXPECT_EQ(s.on_start(t), first);
    EXPECT_EQ(s.bracket_of(t), b);
  }
}

TEST(SchedulerSeed, differs_from_the_job_seed_and_between_jobs) {
  EXPECT_NE(scheduler_seed(0), 0u);
  EXPECT_NE(scheduler_seed(42), 42u);
  EXPECT_NE(scheduler_seed(42), scheduler_seed(43));
  EXPECT_EQ(scheduler_seed(42), scheduler_seed(42));
}

// Starts trials until `count` of them are in bracket `b`; returns their ids.
std::vector<TrialId> trials_in_bracket(HyperbandScheduler& s, std::size_t b, std::size_t count,
                                       TrialId& next_id) {
  std::vector<TrialId> found;
  while (found.size() < count) {
    const TrialId t = next_id++;
    (void)s.on_start(t);
    if (s.bracket_of(t) == b) found.push_back(t);
  }
  return found;
}

// Reports epochs from+1 .. until-1 (all Continue), then `until`.
Decision train(Scheduler& s, TrialId trial, int from, int until, double score) {
  for (int e = from + 1; e < until; ++e) {
    EXPECT_EQ(s.on_report(trial, e, score), kContinue) << "trial " << trial << " epoch " << e;
  }
  return s.on_report(trial, until, score);
}

TEST(HyperbandPromotion, promotes_from_the_highest_rung_across_brackets_then_the_lower_bracket) {
  // (1, 9, 3), brackets 0 {1, 3, 9} and 1 {3, 9}; Ceil, so a rung's first entry may go on.
  HyperbandScheduler s(1, 9, options(3, AshaType::Promotion, FewEntriesRule::Ceil, 2), 11);
  TrialId next = 0;
  const std::vector<TrialId> b0 = trials_in_bracket(s, 0, 2, next);
  const std::vector<TrialId> b1 = trials_in_bracket(s, 1, 2, next);
  const TrialId a = b0[0];
  const TrialId c = b0[1];
  const TrialId b = b1[0];
  const TrialId d = b1[1];

  // b (bracket 1) reaches its first rung, epoch 3; c (bracket 0) its first, epoch 1.
  EXPECT_EQ(train(s, b, 0, 3, 0.2), kPause);  // bracket 1, rung 3: k=1 q=1
  EXPECT_EQ(train(s, c, 0, 1, 0.9), kPause);  // bracket 0, rung 1: k=1 q=1
  // Rung 3 beats rung 1, whichever bracket: b first, although bracket 0 has a candidate.
  EXPECT_EQ(s.promote(), promotion(b, 9));
  EXPECT_EQ(s.promote(), promotion(c, 3));
  EXPECT_EQ(s.promote(), std::nullopt);

  // c and d pause at rung 3 in their brackets: equal rungs, so bracket 0 goes first.
  EXPECT_EQ(train(s, d, 0, 3, 0.3), kPause);  // bracket 1, rung 3: k=2 q=1: top {d}
  EXPECT_EQ(train(s, c, 1, 3, 0.8), kPause);  // bracket 0, rung 3: k=1 q=1: top {c}
  EXPECT_EQ(s.promote(), promotion(c, 9));
  EXPECT_EQ(s.promote(), promotion(d, 9));
  EXPECT_EQ(s.promote(), std::nullopt);
  EXPECT_EQ(train(s, a, 0, 1, 0.5), kPause);  // bracket 0, rung 1: k=2 q=1: top {c}
  EXPECT_EQ(s.promote(), std::nullopt);
  EXPECT_EQ(train(s, b, 3, 9, 0.3), kComplete);
  EXPECT_EQ(train(s, c, 3, 9, 0.95), kComplete);
  EXPECT_EQ(train(s, d, 3, 9, 0.35), kComplete);
  EXPECT_EQ(s.promote(), std::nullopt);
}

TEST(HyperbandStopping, judges_each_bracket_by_its_own_results) {
  HyperbandScheduler s(1, 9, options(3, AshaType::Stopping, FewEntriesRule::Ceil, 2), 4);
  TrialId next = 0;
  const std::vector<TrialId> b0 = trials_in_bracket(s, 0, 2, next);
  const std::vector<TrialId> b1 = trials_in_bracket(s, 1, 2, next);
  EXPECT_EQ(train(s, b0[0], 0, 1, 0.9), kContinue);  // bracket 0, rung 1: k=1 q=1
  EXPECT_EQ(train(s, b0[0], 1, 3, 0.9), kContinue);  // bracket 0, rung 3: k=1 q=1
  // Bracket 1's first result at rung 3 goes on, though bracket 0 holds a better one there.
  EXPECT_EQ(train(s, b1[0], 0, 3, 0.5), kContinue);  // bracket 1, rung 3: k=1 q=1
  EXPECT_EQ(train(s, b1[1], 0, 3, 0.4), kStop);      // k=2 q=1: rank 1
  EXPECT_EQ(train(s, b0[1], 0, 1, 0.1), kStop);      // bracket 0, rung 1: k=2 q=1
  EXPECT_EQ(train(s, b1[0], 3, 9, 0.5), kComplete);
  EXPECT_EQ(s.promote(), std::nullopt);
}

// Forwards to a HyperbandScheduler and checks, for every trial, that nothing but Continue
// comes before the first milestone on_start gave it, and that the milestone is its bracket's
// first rung, MinResource * eta^bracket.
class FirstMilestoneWatch final : public Scheduler {
 public:
  FirstMilestoneWatch(HyperbandScheduler& real, int min, int eta)
      : real_(real), min_(min), eta_(eta) {}
  int on_start(TrialId t) override {
    const int first = real_.on_start(t);
    std::int64_t expected = min_;
    for (std::size_t i = 0; i < real_.bracket_of(t); ++i) expected *= eta_;
    EXPECT_EQ(first, expected) << "trial " << t << " in bracket " << real_.bracket_of(t);
    first_[t] = first;
    ++per_bracket_[real_.bracket_of(t)];
    return first;
  }
  Decision on_report(TrialId t, int epoch, double score) override {
    const Decision d = real_.on_report(t, epoch, score);
    if (epoch < first_.at(t)) {
      EXPECT_EQ(d, kContinue) << "trial " << t << " epoch " << epoch << " before its first "
                              << "milestone " << first_.at(t);
    }
    return d;
  }
  void on_failed(TrialId t) override { real_.on_failed(t); }
  std::optional<Promotion> promote() override { return real_.promote(); }
  std::vector<int> rungs() const override { return real_.rungs(); }
  std::string name() const override { return real_.name(); }
  const std::map<std::size_t, int>& per_bracket() const { return per_bracket_; }

 private:
  HyperbandScheduler& real_;
  int min_;
  int eta_;
  std::map<TrialId, int> first_;
  std::map<std::size_t, int> per_bracket_;
};

TEST(HyperbandScheduler, never_pauses_or_stops_a_trial_before_its_brackets_first_rung) {
  for (const AshaType type : {AshaType::Promotion, AshaType::Stopping}) {
    for (const auto& [min, max, eta] :
         std::vector<std::tuple<int, int, int>>{{1, 27, 3}, {2, 50, 3}, {1, 16, 2}, {1, 100, 4}}) {
      SCOPED_TRACE(::testing::Message()
                   << "min " << min << " max " << max << " eta " << eta
                   << (type == AshaType::Promotion ? " promotion" : " stopping"));
      HyperbandScheduler real(min, max, options(eta, type, FewEntriesRule::Ceil, 0), 9);
      FirstMilestoneWatch watch(real, min, eta);
      SimOptions o;
      o.min_resource = min;
      o.max_resource = max;
      o.workers = 8;
      o.trials = 300;
      o.fail_running = 0.01;
      SimResult result;
      simulate(watch, o, result);
      // Every bracket got trials.
      EXPECT_EQ(watch.per_bracket().size(), real.bracket_count());
      if (HasFailure()) return;
    }
  }
}

// Forwards every event to the scheduler under test and to a model, and insists they agree.
class Lockstep final : public Scheduler {
 public:
  Lockstep(Scheduler& real, Scheduler& model) : real_(real), model_(model) {}
  int on_start(TrialId t) override {
    const int a = real_.on_start(t);
    EXPECT_EQ(a, model_.on_start(t));
    return a;
  }
  Decision on_report(TrialId t, int epoch, double score) override {
    const Decision a = real_.on_report(t, epoch, score);
    EXPECT_EQ(a, model_.on_report(t, epoch, score)) << "trial " << t << " epoch " << epoch;
    return a;
  }
  void on_failed(TrialId t) override {
    real_.on_failed(t);
    model_.on_failed(t);
  }
  std::optional<Promotion> promote() override {
    const auto a = real_.promote();
    EXPECT_EQ(a, model_.promote());
    return a;
  }
  std::vector<int> rungs() const override {
    EXPECT_EQ(real_.rungs(), model_.rungs());
    return real_.rungs();
  }
  std::string name() const override { return real_.name(); }

 private:
  Scheduler& real_;
  Scheduler& model_;
};

TEST(HyperbandScheduler, decides_exactly_as_asha_when_brackets_is_one) {
  for (const AshaType type : {AshaType::Promotion, AshaType::Stopping}) {
    for (const FewEntriesRule rule : {FewEntriesRule::Floor, FewEntriesRule::Ceil}) {
      for (const auto& [min, max, eta] : std::vector<std::tuple<int, int, int>>{
               {1, 9, 3}, {1, 10, 3}, {2, 50, 3}, {1, 16, 2}, {4, 4, 3}, {1, 100, 4}}) {
        for (std::uint64_t seed : {1u, 2u, 3u}) {
          SCOPED_TRACE(::testing::Message()
                       << "min " << min << " max " << max << " eta " << eta << " seed " << seed);
          HyperbandScheduler real(min, max, options(eta, type, rule, 1), seed);
          AshaScheduler model(min, max, options(eta, type, rule, 0));
          EXPECT_EQ(real.name(), model.name());
          Lockstep both(real, model);
          SimOptions o;
          o.min_resource = min;
          o.max_resource = max;
          o.workers = 6;
          o.trials = 150;
          o.seed = seed;
          o.discrete_scores = seed == 2;
          o.nan_scores = seed == 3 ? 0.03 : 0.0;
          o.fail_running = seed == 3 ? 0.02 : 0.0;
          o.fail_paused = seed == 3 ? 0.05 : 0.0;
          SimResult result;
          simulate(both, o, result);
          if (HasFailure()) return;
        }
      }
    }
  }
}

// The multi-bracket model: one AshaScheduler per bracket, fed the trials the real scheduler
// put there, and the cross-bracket rule written out plainly (the highest paused rung first,
// ties to the lower bracket; compared by the rung a candidate is paused at, not by until).
class BracketsModel final : public Scheduler {
 public:
  BracketsModel(const HyperbandScheduler& real, int min, int max, AshaOptions o) : real_(real) {
    std::int64_t start = min;
    for (std::size_t s = 0; s < real.bracket_count(); ++s, start *= o.reduction_factor) {
      brackets_.emplace_back(static_cast<int>(start), max, o);
    }
  }
  // Called after the real scheduler's on_start, so bracket_of is known.
  int on_start(TrialId t) override { return brackets_[real_.bracket_of(t)].on_start(t); }
  Decision on_report(TrialId t, int epoch, double score) override {
    paused_at_[t] = epoch;
    return brackets_[real_.bracket_of(t)].on_report(t, epoch, score);
  }
  void on_failed(TrialId t) override { brackets_[real_.bracket_of(t)].on_failed(t); }
  std::optional<Promotion> promote() override {
    std::optional<std::size_t> best;
    int best_level = -1;
    for (std::size_t s = 0; s < brackets_.size(); ++s) {
      const auto p = brackets_[s].peek_promotion();
      if (!p) continue;
      const int level = paused_at_.at(p->trial);
      if (level > best_level) {
        best = s;
        best_level = level;
      }
    }
    if (!best) return std::nullopt;
    return brackets_[*best].promote();
  }
  std::vector<int> rungs() const override { return brackets_.front().rungs(); }
  std::string name() const override { return "model"; }

 private:
  const HyperbandScheduler& real_;
  std::vector<AshaScheduler> brackets_;
  std::map<TrialId, int> paused_at_;  // the latest epoch reported
};

TEST(HyperbandScheduler, decides_as_one_asha_per_bracket_in_simulated_jobs) {
  for (const AshaType type : {AshaType::Promotion, AshaType::Stopping}) {
    for (const FewEntriesRule rule : {FewEntriesRule::Floor, FewEntriesRule::Ceil}) {
      for (const auto& [min, max, eta, brackets] : std::vector<std::tuple<int, int, int, int>>{
               {1, 27, 3, 0}, {1, 10, 3, 0}, {2, 50, 3, 2}, {1, 16, 2, 0}, {1, 64, 4, 3}}) {
        for (std::uint64_t seed : {1u, 2u, 3u}) {
          SCOPED_TRACE(::testing::Message() << "min " << min << " max " << max << " eta " << eta
                                            << " brackets " << brackets << " seed " << seed);
          const AshaOptions o = options(eta, type, rule, brackets);
          HyperbandScheduler real(min, max, o, seed);
          BracketsModel model(real, min, max, o);
          Lockstep both(real, model);
          SimOptions sim;
          sim.min_resource = min;
          sim.max_resource = max;
          sim.workers = 5;
          sim.trials = 200;
          sim.seed = seed;
          sim.discrete_scores = seed == 2;
          sim.nan_scores = seed == 3 ? 0.03 : 0.0;
          sim.fail_running = seed == 3 ? 0.02 : 0.0;
          sim.fail_paused = seed == 3 ? 0.05 : 0.0;
          SimResult result;
          simulate(both, sim, result);
          if (HasFailure()) return;
        }
      }
    }
  }
}

TEST(HyperbandScheduler, sends_events_of_a_trial_it_never_started_to_bracket_zero) {
  HyperbandScheduler s(1, 9, options(3, AshaType::Promotion, FewEntriesRule::Ceil, 0), 1);
  EXPECT_EQ(s.bracket_of(77), 0u);
  EXPECT_EQ(s.on_report(77, 1, 0.5), kPause);  // bracket 0's rung 1
  EXPECT_EQ(s.promote(), promotion(77, 3));
  s.on_failed(78);
  EXPECT_EQ(s.on_report(78, 1, 0.9), kPause);  // recorded in bracket 0, never promoted
  EXPECT_EQ(s.promote(), std::nullopt);
}

}  // namespace
}  // namespace rung
