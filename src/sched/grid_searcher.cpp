#include "rung/sched/grid_searcher.hpp"

#include <utility>

#include "rung/config/error.hpp"

namespace rung {

GridSearcher::GridSearcher(SearchSpace space) : space_(std::move(space)) {
  const char* kPath = "HyperParameterTuningJobConfig.ParameterRanges";
  if (space_.empty()) {
    throw ConfigError(kPath,
                      "the Grid strategy needs at least one CategoricalParameterRanges "
                      "entry; there is no range");
  }
  for (const ParamRange& r : space_.ranges()) {
    if (r.kind != ParamKind::Categorical) {
      throw ConfigError(kPath, std::string("\"") + r.name + "\" is a " + to_string(r.kind) +
                                   " range, but the Grid strategy takes categorical ranges "
                                   "only; list its values as a CategoricalParameterRanges "
                                   "entry or use \"Random\" or \"Bayesian\"");
    }
  }
  size_ = space_.grid_size();
}

std::optional<HyperParameters> GridSearcher::suggest(TrialId /*trial*/) {
  if (next_ >= size_) return std::nullopt;
  return space_.grid_point(next_++);
}

}  // namespace rung
