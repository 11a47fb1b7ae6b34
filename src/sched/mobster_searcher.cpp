#include "rung/sched/mobster_searcher.hpp"

#include <utility>

namespace rung {

MobsterSearcher::MobsterSearcher(SearchSpace space, std::vector<int> levels, std::uint64_t seed,
                                 MultiFidelityOptions options)
    : MultiFidelitySearcher(std::move(space), std::move(levels), seed, options) {}

std::optional<std::vector<double>> MobsterSearcher::propose() {
  const std::size_t acquisition = supported_levels() - 1;
  const JointData data = update_joint_model();
  return propose_at(acquisition, data, GpPosterior(joint_model(), {warped(acquisition)}));
}

}  // namespace rung
