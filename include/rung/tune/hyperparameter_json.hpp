// Hyperparameters as JSON, in one place: typed (numbers as numbers: the journal, SM_HPS) or
// as strings (SageMaker's TunedHyperParameters and hyperparameters.json).
#pragma once

#include <nlohmann/json.hpp>

#include "rung/config/hyperparameters.hpp"

namespace rung {

[[nodiscard]] nlohmann::ordered_json hyperparameters_json(const HyperParameters& hp,
                                                          bool as_strings);

}  // namespace rung
