// Hyper-Tune's say in which Hyperband bracket a new trial starts. The searcher learns how well
// each rung level ranks the top level's results and writes a distribution over the first
// brackets here; HyperbandScheduler reads it when it draws a new trial's bracket. Shared by
// the two (make_strategy builds it), so neither owns the other.
#pragma once

#include <vector>

namespace rung {

struct BracketAdvice {
  // Probabilities of brackets 0 .. head.size() - 1 relative to each other (they sum to 1);
  // the brackets after them keep Hyperband's own allocation, and the head keeps the share
  // that allocation gives it. Empty: no advice yet, Hyperband's allocation throughout.
  std::vector<double> head;
};

}  // namespace rung
