// Asynchronous successive halving (Li et al., 2020) with one bracket: rungs at
// min_resource * eta^k epochs up to max_resource. Promotion type pauses trials at every rung
// and resumes the best of a rung's top 1/eta when a worker is free; stopping type lets a
// trial go on past a rung only while it is in the rung's top 1/eta so far.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "rung/sched/scheduler.hpp"

namespace rung {

// min * eta^k for k = 0, 1, ... while < max, then max itself as the last rung; a level equal to
// max is not repeated. (1,9,3) -> {1,3,9}; (1,10,3) -> {1,3,9,10}; (2,50,3) -> {2,6,18,50};
// (5,5,3) -> {5}. Throws std::invalid_argument unless 1 <= min <= max and eta >= 2.
[[nodiscard]] std::vector<int> asha_rung_levels(int min_resource, int max_resource, int eta);

class AshaScheduler final : public Scheduler {
 public:
  AshaScheduler(int min_resource, int max_resource, AshaOptions options);

  int on_start(TrialId trial) override;
  [[nodiscard]] Decision on_report(TrialId trial, int epoch, double score) override;
  void on_failed(TrialId trial) override;
  [[nodiscard]] std::optional<Promotion> promote() override;
  [[nodiscard]] std::vector<int> rungs() const override { return levels_; }
  [[nodiscard]] std::string name() const override;
  // The promotion promote() would make now, without making it (HyperbandScheduler compares
  // its brackets' candidates before it commits to one).
  [[nodiscard]] std::optional<Promotion> peek_promotion() const;

 private:
  // A result recorded in a rung. Ranked by score, higher first; equal scores by arrival
  // (`seq`), earlier first, so ties are broken the same way on every run.
  struct Entry {
    double score;
    std::int64_t seq;
    TrialId trial;
  };
  struct Better {
    bool operator()(const Entry& a, const Entry& b) const {
      return a.score != b.score ? a.score > b.score : a.seq < b.seq;
    }
  };
  using Ranking = std::set<Entry, Better>;
  // One rung's books. `cut` is the quota-th best entry, kept up to date as results arrive, so
  // "is x in the top quota" is one comparison and every operation is O(log k): promote() runs
  // on every free worker, with up to ~10^5 entries in a rung under `rung simulate`.
  struct Rung {
    Ranking ranked;      // every result recorded here (failed trials' too)
    Ranking promotable;  // promotion type: paused here, not promoted, not failed
    std::map<TrialId, Entry> by_trial;
    std::size_t quota = 0;     // quota(ranked.size())
    std::optional<Entry> cut;  // the quota-th best of `ranked`; empty when quota == 0
  };
  // How many of `k` recorded entries may go on (the few-entries rule).
  [[nodiscard]] std::size_t quota(std::size_t k) const;
  [[nodiscard]] int rung_index(int epoch) const;  // -1 when epoch is not a rung level
  void record(Rung& rung, const Entry& entry) const;
  [[nodiscard]] static bool in_quota(const Rung& rung, const Entry& entry);
  // The rung whose best promotable entry promote() takes now, or -1.
  [[nodiscard]] int promotable_rung() const;

  std::vector<int> levels_;
  AshaOptions options_;
  std::vector<Rung> rungs_;           // one per level, levels_[i] <-> rungs_[i]
  std::map<TrialId, int> paused_at_;  // promotion type: trial -> rung index
  std::set<TrialId> failed_;
  std::int64_t next_seq_ = 0;
};

class FifoScheduler final : public Scheduler {
 public:
  explicit FifoScheduler(int max_resource) : max_resource_(max_resource) {}
  int on_start(TrialId) override { return max_resource_; }
  [[nodiscard]] Decision on_report(TrialId, int epoch, double) override {
    return epoch >= max_resource_ ? Decision::Complete : Decision::Continue;
  }
  void on_failed(TrialId) override {}
  [[nodiscard]] std::optional<Promotion> promote() override { return std::nullopt; }
  [[nodiscard]] std::vector<int> rungs() const override { return {max_resource_}; }
  [[nodiscard]] std::string name() const override { return "FIFO"; }

 private:
  int max_resource_;
};

}  // namespace rung
