// Test support for schedulers: printing and comparing decisions and promotions, and a
// simulated tuning job (a pool of workers driven by a seeded generator) that checks the
// invariants every Scheduler must keep.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <ostream>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "rung/sched/scheduler.hpp"

namespace rung {

inline bool operator==(const Promotion& a, const Promotion& b) {
  return a.trial == b.trial && a.until_epoch == b.until_epoch;
}
inline std::ostream& operator<<(std::ostream& os, const Promotion& p) {
  return os << "{trial " << p.trial << ", until " << p.until_epoch << "}";
}
inline std::ostream& operator<<(std::ostream& os, Decision d) { return os << to_string(d); }

namespace testing_support {

struct SimOptions {
  int min_resource = 1;
  int max_resource = 9;
  int workers = 4;
  int trials = 20;
  std::uint64_t seed = 1;
  double fail_running = 0.0;     // per reported epoch: the trial fails instead of reporting
  double fail_paused = 0.0;      // per step: a random paused trial is lost
  bool discrete_scores = false;  // scores in steps of 0.1, so ties are common
  double nan_scores = 0.0;       // probability of a NaN score
};

// One line of what happened, to compare runs.
struct SimEvent {
  enum Kind { Start, Report, Promote, Fail } kind;
  TrialId trial;
  int epoch;     // Report: the epoch; Promote: until_epoch; Start: first milestone
  int decision;  // Report: the Decision, else -1
  friend bool operator==(const SimEvent& a, const SimEvent& b) {
    return a.kind == b.kind && a.trial == b.trial && a.epoch == b.epoch && a.decision == b.decision;
  }
};

struct SimResult {
  int started = 0;
  int completed = 0;
  int stopped = 0;
  int failed = 0;
  int paused_at_end = 0;
  int promotions = 0;
  long reports = 0;
  std::vector<SimEvent> log;
};

// Runs a whole job: a free worker takes promote() if it gives a trial, else starts a new
// trial while fewer than `trials` exist, else waits. Busy workers report one epoch at a time
// in random order. Checks, with gtest assertions:
//  - on_start gives a milestone in [min, max]; rungs() is increasing and ends at max;
//  - never Pause/Stop before min_resource; never Continue at max_resource; Complete only at
//    max_resource; Pause only at a rung level; no epoch past max_resource;
//  - every promotion names a trial paused right now, once per (trial, rung), with an
//    until_epoch that is a rung above the one it paused at;
//  - the job ends: exactly `trials` trials, none running, promote() gives nothing, and no
//    more than trials * max_resource reports.
inline void simulate(Scheduler& s, const SimOptions& o, SimResult& out) {
  enum class Status { Running, Paused, Done, Failed };
  struct Trial {
    Status status = Status::Running;
    int epoch = 0;
    double quality = 0.0;
  };
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::normal_distribution<double> noise(0.0, 0.05);

  const std::vector<int> rungs = s.rungs();
  ASSERT_FALSE(rungs.empty());
  ASSERT_TRUE(std::is_sorted(rungs.begin(), rungs.end()));
  ASSERT_TRUE(std::adjacent_find(rungs.begin(), rungs.end()) == rungs.end());
  ASSERT_EQ(rungs.back(), o.max_resource);
  ASSERT_GE(rungs.front(), 1);
  const auto is_rung = [&](int epoch) {
    return std::binary_search(rungs.begin(), rungs.end(), epoch);
  };

  std::map<TrialId, Trial> trials;
  std::vector<std::optional<TrialId>> workers(static_cast<std::size_t>(o.workers));
  std::set<std::pair<TrialId, int>> promoted;  // (trial, epoch it was paused at)
  out = SimResult{};

  const long max_reports = static_cast<long>(o.trials) * o.max_resource;
  for (;;) {
    // Free workers take work.
    for (auto& w : workers) {
      if (w) continue;
      if (const auto p = s.promote()) {
        const auto it = trials.find(p->trial);
        ASSERT_NE(it, trials.end()) << "promoted an unknown trial " << p->trial;
        Trial& t = it->second;
        ASSERT_EQ(t.status, Status::Paused) << "promoted trial " << p->trial << " is not paused";
        ASSERT_TRUE(promoted.emplace(p->trial, t.epoch).second)
            << "trial " << p->trial << " promoted twice from epoch " << t.epoch;
        ASSERT_GT(p->until_epoch, t.epoch);
        ASSERT_LE(p->until_epoch, o.max_resource);
        ASSERT_TRUE(is_rung(p->until_epoch)) << "until_epoch " << p->until_epoch;
        t.status = Status::Running;
        w = p->trial;
        ++out.promotions;
        out.log.push_back({SimEvent::Promote, p->trial, p->until_epoch, -1});
      } else if (out.started < o.trials) {
        const TrialId id = out.started++;
        const int first = s.on_start(id);
        ASSERT_GE(first, std::min(o.min_resource, o.max_resource));
        ASSERT_LE(first, o.max_resource);
        trials[id] = Trial{Status::Running, 0, unit(rng)};
        w = id;
        out.log.push_back({SimEvent::Start, id, first, -1});
      }
    }

    std::vector<std::size_t> busy;
    for (std::size_t i = 0; i < workers.size(); ++i) {
      if (workers[i]) busy.push_back(i);
    }
    if (busy.empty()) break;

    // Now and then a paused trial is lost (its checkpoint is gone).
    if (o.fail_paused > 0 && unit(rng) < o.fail_paused) {
      std::vector<TrialId> paused;
      for (const auto& [id, t] : trials) {
        if (t.status == Status::Paused) paused.push_back(id);
      }
      if (!paused.empty()) {
        const TrialId id =
            paused[std::uniform_int_distribution<std::size_t>(0, paused.size() - 1)(rng)];
        s.on_failed(id);
        trials[id].status = Status::Failed;
        ++out.failed;
        out.log.push_back({SimEvent::Fail, id, trials[id].epoch, -1});
      }
    }

    auto& w = workers[busy[std::uniform_int_distribution<std::size_t>(0, busy.size() - 1)(rng)]];
    const TrialId id = *w;
    Trial& t = trials[id];
    ++t.epoch;
    ASSERT_LE(t.epoch, o.max_resource) << "trial " << id << " trained past max_resource";
    if (o.fail_running > 0 && unit(rng) < o.fail_running) {
      s.on_failed(id);
      t.status = Status::Failed;
      w.reset();
      ++out.failed;
      out.log.push_back({SimEvent::Fail, id, t.epoch, -1});
      continue;
    }
    double score = t.quality * (1.0 - 1.0 / (1.0 + t.epoch)) + noise(rng);
    if (o.discrete_scores) score = std::round(score * 10.0) / 10.0;
    if (o.nan_scores > 0 && unit(rng) < o.nan_scores) {
      score = std::numeric_limits<double>::quiet_NaN();
    }
    const Decision d = s.on_report(id, t.epoch, score);
    ++out.reports;
    out.log.push_back({SimEvent::Report, id, t.epoch, static_cast<int>(d)});
    ASSERT_LE(out.reports, max_reports) << "the job does not end";
    if (t.epoch < o.min_resource) {
      ASSERT_TRUE(d == Decision::Continue) << d << " before min_resource at epoch " << t.epoch;
    }
    if (t.epoch == o.max_resource) {
      ASSERT_TRUE(d == Decision::Complete) << d << " at max_resource";
    } else {
      ASSERT_TRUE(d != Decision::Complete) << "Complete at epoch " << t.epoch;
    }
    switch (d) {
      case Decision::Continue:
        break;
      case Decision::Pause:
        ASSERT_TRUE(is_rung(t.epoch)) << "paused at epoch " << t.epoch << ", not a rung";
        t.status = Status::Paused;
        w.reset();
        break;
      case Decision::Stop:
        t.status = Status::Done;
        w.reset();
        ++out.stopped;
        break;
      case Decision::Complete:
        t.status = Status::Done;
        w.reset();
        ++out.completed;
        break;
    }
  }

  EXPECT_EQ(out.started, o.trials);
  EXPECT_EQ(static_cast<int>(trials.size()), o.trials);
  EXPECT_EQ(s.promote(), std::nullopt) << "promote() still gives work after the job ended";
  for (const auto& [id, t] : trials) {
    EXPECT_NE(t.status, Status::Running) << "trial " << id;
    if (t.status == Status::Paused) ++out.paused_at_end;
  }
  EXPECT_EQ(out.completed + out.stopped + out.failed + out.paused_at_end, o.trials);
}

}  // namespace testing_support
}  // namespace rung
