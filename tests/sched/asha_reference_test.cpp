// AshaScheduler keeps its rankings incrementally (an O(log k) cut per rung). Here it runs in
// lockstep with a brute-force model that re-sorts every rung on every question, through
// simulated jobs; every decision and promotion must agree.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "rung/sched/asha_scheduler.hpp"
#include "sched/sched_test_support.hpp"

namespace rung {
namespace {

using testing_support::SimOptions;
using testing_support::SimResult;
using testing_support::simulate;

// ASHA by the book, as slowly and plainly as possible.
class NaiveAsha final : public Scheduler {
 public:
  NaiveAsha(int min, int max, AshaOptions o) : o_(o) {
    for (long level = min; level < max; level *= o.reduction_factor) {
      levels_.push_back(static_cast<int>(level));
    }
    levels_.push_back(max);
    rungs_.resize(levels_.size());
  }
  int on_start(TrialId) override { return levels_.front(); }
  Decision on_report(TrialId trial, int epoch, double score) override {
    if (std::isnan(score)) score = -std::numeric_limits<double>::infinity();
    const auto it = std::find(levels_.begin(), levels_.end(), epoch);
    if (it == levels_.end()) return Decision::Continue;
    const auto r = static_cast<std::size_t>(it - levels_.begin());
    rungs_[r].push_back({trial, score});
    if (r + 1 == levels_.size()) return Decision::Complete;
    if (o_.type == AshaType::Promotion) {
      if (failed_.count(trial) == 0) paused_[trial] = r;
      return Decision::Pause;
    }
    const auto top = top_quota(r);
    return std::find(top.begin(), top.end(), trial) != top.end() ? Decision::Continue
                                                                 : Decision::Stop;
  }
  void on_failed(TrialId trial) override {
    failed_.insert(trial);
    paused_.erase(trial);
  }
  std::optional<Promotion> promote() override {
    if (o_.type == AshaType::Stopping) return std::nullopt;
    for (std::size_t r = levels_.size() - 1; r-- > 0;) {
      for (TrialId t : top_quota(r)) {  // best first
        const auto p = paused_.find(t);
        if (p != paused_.end() && p->second == r) {
          paused_.erase(p);
          return Promotion{t, levels_[r + 1]};
        }
      }
    }
    return std::nullopt;
  }
  std::vector<int> rungs() const override { return levels_; }
  std::string name() const override { return "NaiveAsha"; }

 private:
  struct Result {
    TrialId trial;
    double score;
  };
  // The rung's top quota, best first; ties to the earlier arrival (stable sort).
  std::vector<TrialId> top_quota(std::size_t r) const {
    std::vector<Result> sorted = rungs_[r];
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const Result& a, const Result& b) { return a.score > b.score; });
    const double k = static_cast<double>(sorted.size());
    const double eta = o_.reduction_factor;
    const auto q = static_cast<std::size_t>(
        o_.few_entries == FewEntriesRule::Floor ? std::floor(k / eta) : std::ceil(k / eta));
    std::vector<TrialId> top;
    for (std::size_t i = 0; i < q; ++i) top.push_back(sorted[i].trial);
    return top;
  }

  AshaOptions o_;
  std::vector<int> levels_;
  std::vector<std::vector<Result>> rungs_;
  std::map<TrialId, std::size_t> paused_;
  std::set<TrialId> failed_;
};

// Forwards every event to both and insists that they agree.
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
    const Decision b = model_.on_report(t, epoch, score);
    EXPECT_EQ(a, b) << "trial " << t << " epoch " << epoch << " score " << score;
    return a;
  }
  void on_failed(TrialId t) override {
    real_.on_failed(t);
    model_.on_failed(t);
  }
  std::optional<Promotion> promote() override {
    const auto a = real_.promote();
    const auto b = model_.promote();
    EXPECT_EQ(a, b);
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

class AshaReference
    : public ::testing::TestWithParam<std::tuple<AshaType, FewEntriesRule, int /*eta*/>> {};

TEST_P(AshaReference, agrees_with_brute_force_model_in_simulated_jobs) {
  const auto [type, rule, eta] = GetParam();
  const AshaOptions options{eta, type, rule};
  for (const auto& [min, max] :
       std::vector<std::pair<int, int>>{{1, 9}, {1, 10}, {2, 50}, {4, 4}}) {
    for (int workers : {1, 4, 16}) {
      for (std::uint64_t seed : {1u, 2u, 3u}) {
        SimOptions o;
        o.min_resource = min;
        o.max_resource = max;
        o.workers = workers;
        o.trials = 120;
        o.seed = seed;
        o.discrete_scores = seed == 2;  // many ties
        o.nan_scores = seed == 3 ? 0.03 : 0.0;
        o.fail_running = seed == 3 ? 0.02 : 0.0;
        o.fail_paused = seed == 3 ? 0.05 : 0.0;
        SCOPED_TRACE(::testing::Message() << "min " << min << " max " << max << " workers "
                                          << workers << " seed " << seed);
        AshaScheduler real(min, max, options);
        NaiveAsha model(min, max, options);
        Lockstep both(real, model);
        SimResult result;
        simulate(both, o, result);
        if (HasFailure()) return;
      }
    }
  }
}

std::string param_name(const ::testing::TestParamInfo<AshaReference::ParamType>& param_info) {
  const auto [type, rule, eta] = param_info.param;
  return std::string(type == AshaType::Promotion ? "Promotion" : "Stopping") +
         (rule == FewEntriesRule::Floor ? "_Floor" : "_Ceil") + "_eta" + std::to_string(eta);
}

INSTANTIATE_TEST_SUITE_P(
    AllTypesAndRules, AshaReference,
    ::testing::Combine(::testing::Values(AshaType::Promotion, AshaType::Stopping),
                       ::testing::Values(FewEntriesRule::Floor, FewEntriesRule::Ceil),
                       ::testing::Values(2, 3, 4)),
    param_name);

}  // namespace
}  // namespace rung
