// Hyperband as SageMaker runs it: asynchronous successive halving with several brackets
// (Li et al., 2018 and 2020). Each bracket is a single-bracket ASHA whose first rung is later
// than the one before it; a new trial is assigned to one bracket and stays in it. Used for
// Strategy Hyperband; `rung.asha.brackets: 1` is the single-bracket ASHA.
//
// The rules (the README's "Strategies" section repeats them):
//  - s_max = floor(log_eta(MaxResource / MinResource)). Bracket s (0 <= s <= s_max) has rungs
//    asha_rung_levels(MinResource * eta^s, MaxResource, eta): it starts at MinResource * eta^s,
//    so bracket 0 is the most aggressive (plain ASHA) and bracket s_max trains every trial to
//    MaxResource when MaxResource / MinResource is a power of eta.
//  - Allocation: Hyperband's bracket s gets n_s = ceil((s_max + 1) / (s_max - s + 1) *
//    eta^(s_max - s)) configurations (Li et al. 2018, Algorithm 1, with s counted from the
//    aggressive end). A new trial draws its bracket with probability n_s / sum(n) from a seeded
//    std::mt19937_64, by integer rejection sampling (one or, rarely, more 64-bit draws per
//    trial; no std::discrete_distribution, whose output differs between standard libraries).
//    With rung.searcher hypertune the searcher's BracketAdvice (bracket_advice.hpp) replaces
//    the first brackets' share of n_s once it has learned one: a uniform01 from one 64-bit
//    draw picks from the adjusted distribution.
//    A random draw, rather than a round robin weighted by n_s, keeps a trial's bracket
//    independent of its index and of how the job's trials interleave; the price is sampling
//    noise in small jobs. With one bracket nothing is drawn.
//  - `brackets` = 0 uses all s_max + 1 brackets; n >= 1 the first min(n, s_max + 1), i.e. the
//    n most aggressive, with the same n_s renormalized over them.
//  - Decisions: each bracket decides for its own trials exactly as AshaScheduler does (rungs,
//    quota, few-entries rule, promotion or stopping type), over its own trials only. A trial
//    is never paused or stopped before its bracket's first rung.
//  - promote(): a promotion is always within a bracket. Across brackets the candidate from the
//    highest rung goes first (as within one ASHA bracket: finishing good trials first); equal
//    rungs go to the lower bracket index.
//  - rungs() is the union of the brackets' levels (which is bracket 0's levels).
//  - Events for a trial that never went through on_start (a late message, a replay) go to
//    bracket 0, so a single-bracket HyperbandScheduler decides exactly as AshaScheduler.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "rung/sched/asha_scheduler.hpp"
#include "rung/sched/bracket_advice.hpp"
#include "rung/sched/scheduler.hpp"

namespace rung {

// s_max = floor(log_eta(max_resource / min_resource)), in exact integer arithmetic: the
// largest s with min_resource * eta^s <= max_resource. Throws std::invalid_argument unless
// 1 <= min_resource <= max_resource and eta >= 2.
[[nodiscard]] int hyperband_max_bracket(int min_resource, int max_resource, int eta);

// n_s for s = 0 .. s_max (see above), exact (integer ceil). (1, 81, 3) -> {81, 34, 15, 8, 5};
// (1, 9, 3) -> {9, 5, 3}; (4, 4, 3) -> {1}.
[[nodiscard]] std::vector<std::int64_t> hyperband_allocation(int min_resource, int max_resource,
                                                             int eta);

// The seed make_scheduler gives HyperbandScheduler for a job with seed `job_seed`: SplitMix64's
// finalizer of job_seed XOR a fixed tag. The searcher seeds its std::mt19937_64 with job_seed
// itself and the coordinator gives trial i SplitMix64(job_seed + golden * (i + 1)), so the
// scheduler's bracket draws are a stream of their own: changing the scheduler cannot shift
// the searcher's proposals, and the other way round.
[[nodiscard]] std::uint64_t scheduler_seed(std::uint64_t job_seed);

class HyperbandScheduler final : public Scheduler {
 public:
  // options.brackets selects the brackets (0 = all); options.reduction_factor is eta; the
  // rest is passed to every bracket's AshaScheduler. Throws std::invalid_argument for
  // brackets < 0 or bad resources (see asha_rung_levels).
  HyperbandScheduler(int min_resource, int max_resource, AshaOptions options, std::uint64_t seed,
                     std::shared_ptr<const BracketAdvice> advice = nullptr);

  int on_start(TrialId trial) override;
  [[nodiscard]] Decision on_report(TrialId trial, int epoch, double score) override;
  void on_failed(TrialId trial) override;
  [[nodiscard]] std::optional<Promotion> promote() override;
  [[nodiscard]] std::vector<int> rungs() const override { return levels_; }
  // "Hyperband (3 brackets, promotion, eta=3, floor)"; with one bracket, the ASHA's own name
  // ("ASHA (promotion, eta=3, floor)"), since that is what runs.
  [[nodiscard]] std::string name() const override;

  [[nodiscard]] std::size_t bracket_count() const noexcept { return brackets_.size(); }
  // n_s of the brackets in use, s = 0 .. bracket_count() - 1.
  [[nodiscard]] const std::vector<std::int64_t>& allocation() const noexcept { return weights_; }
  // The bracket the trial's events go to: the one drawn at on_start, else 0.
  [[nodiscard]] std::size_t bracket_of(TrialId trial) const;
  // Rung levels of bracket s (its first one is MinResource * eta^s).
  [[nodiscard]] std::vector<int> bracket_rungs(std::size_t s) const {
    return brackets_.at(s).rungs();
  }

 private:
  [[nodiscard]] std::size_t draw_bracket();
  [[nodiscard]] std::size_t draw_advised_bracket();
  [[nodiscard]] AshaScheduler& bracket_for(TrialId trial);

  AshaOptions options_;
  std::vector<AshaScheduler> brackets_;
  std::vector<std::int64_t> weights_;
  std::uint64_t total_weight_ = 0;
  std::vector<int> levels_;
  std::map<TrialId, std::size_t> bracket_of_;  // only with more than one bracket
  std::mt19937_64 rng_;
  std::shared_ptr<const BracketAdvice> advice_;
};

}  // namespace rung
